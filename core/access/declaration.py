"""What the logins tell the platform (see ``core.extensions``): the export leaves out their
secrets (password hashes, operator flags, second-factor seeds)."""

from core.extensions import AppDeclaration, ExportRules

declaration = AppDeclaration(
    export=ExportRules(
        skip_models=frozenset({"secondfactor"}),
        skip_fields={"user": frozenset({"password", "is_superuser", "is_staff"})},
    ),
)
