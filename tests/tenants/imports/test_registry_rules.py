"""The import writes through the registry's services: their rules hold for imported rows too.

``tenants.residents.services.bulk`` runs the single services' own rule functions, so a rule
added to a service refuses an import just as it refuses the board's form; and a rule the
import's own checks do not know (a share that overflows on a past day) refuses it as well,
with nothing written.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from core.audit.models import AuditEntry
from tenants.imports.models import JobStatus
from tenants.residents import services
from tenants.residents.models import Building, Ownership, Premises
from tenants.residents.services import premises as premises_services
from tests.tenants.imports.conftest import owner_row, xlsx
from tests.tenants.imports.test_apply import registry_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_flat_13(monkeypatch):
    """A rule added to the registry's premises service: no flat may be numbered 13."""
    rule = premises_services.clean_premises

    def clean_premises(premises, **kwargs):
        rule(premises, **kwargs)
        if premises.number == "13":
            raise ValidationError({"number": "No flat 13."})

    monkeypatch.setattr(premises_services, "clean_premises", clean_premises)


def test_a_rule_added_to_a_service_refuses_the_form_and_the_import_alike(
    in_alpha, no_flat_13, preview, board
):
    building = Building.objects.create(name="Дом 1")
    with pytest.raises(ValidationError):
        services.create_premises(building=building, kind="flat", number="13", area=Decimal(40))

    job = preview(xlsx([owner_row(12), owner_row(13)]))
    assert job.can_confirm, "the import's own checks know nothing of the rule"
    services_before = registry_counts()
    from tenants.imports import services as imports

    imports.confirm_import(job.pk, actor=board)
    assert imports.apply_import(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert (job.status, job.notice) == (JobStatus.FAILED, "refused")
    assert registry_counts() == services_before, "nothing of the file is written"
    assert not Premises.objects.filter(number="12").exists()


def test_without_the_rule_the_same_file_is_imported(in_alpha, imported):
    job = imported(xlsx([owner_row(12), owner_row(13)]))
    assert job.status == JobStatus.DONE
    assert set(Premises.objects.values_list("number", flat=True)) == {"12", "13"}


def test_a_share_that_overflows_on_a_past_day_is_refused_as_by_add_owner(in_alpha, preview, board):
    """The former owner held the whole flat until 2023; a new owner dated 2020 (the title
    document's date) would make the shares of 2020 add up to 2: ``add_owner`` refuses that,
    and so does the import, although its own check sums today's owners only."""
    from tenants.imports import services as imports

    imported_once = preview(xlsx([owner_row(1, doc_date="15.03.2015")]))
    imports.confirm_import(imported_once.pk, actor=board)
    assert imports.apply_import(imported_once.pk) == JobStatus.DONE
    former = Ownership.objects.get()
    former.ended_on = datetime.date(2023, 1, 1)
    former.save(update_fields=["ended_on"])
    account = former.owner.holding.account
    with pytest.raises(ValidationError):
        services.add_owner(
            services.current_holding(account),
            premises=former.premises,
            share=Fraction(1),
            started_on=datetime.date(2020, 3, 15),
            person={"full_name": "Новый Владелец"},
        )

    job = preview(xlsx([owner_row(1, owner="Новый Владелец", email="new@example.test", share="1")]))
    assert job.can_confirm
    before = registry_counts()
    imports.confirm_import(job.pk, actor=board)
    assert imports.apply_import(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert job.notice == "refused"
    assert registry_counts() == before
    assert AuditEntry.objects.filter(action="imports.import_failed").count() == 1


def test_the_import_audits_through_the_audit_service(in_alpha, imported, board):
    job = imported(xlsx([owner_row(1)]))
    created = AuditEntry.objects.get(action="imports.premises_created")
    assert created.actor_id == board.pk
    assert created.details["job"] == str(job.pk)
    assert created.details["owners"] == 1
