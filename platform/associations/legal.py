"""The associations' side of ``core.legal_details``: registered in ``AssociationsConfig.ready``."""

from __future__ import annotations

from core.legal_details import LegalDetails


class AssociationsLegalDetails:
    def read(self, schema_name: str) -> LegalDetails:
        from associations.models import Association

        association = Association.objects.get(schema_name=schema_name)
        return LegalDetails(
            name=association.name,
            kind=association.kind,
            inn=association.inn,
            ogrn=association.ogrn,
            time_zone=association.time_zone,
        )

    def change(self, schema_name: str, details: LegalDetails) -> list[str]:
        from associations import services
        from associations.models import Association

        association = Association.objects.select_for_update().get(schema_name=schema_name)
        return services.change_legal_details(
            association,
            name=details.name,
            kind=details.kind,
            inn=details.inn,
            ogrn=details.ogrn,
            time_zone=details.time_zone,
        )

    def kind_choices(self) -> list[tuple[str, str]]:
        from associations.models import AssociationKind

        return list(AssociationKind.choices)
