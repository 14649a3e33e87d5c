"""What the logins tell the platform (see ``core.extensions``): the export leaves out their
secrets (password hashes, operator flags, second-factor seeds)."""

from django.utils.translation import gettext_lazy as _

from core.extensions import AppDeclaration, ExportRules

declaration = AppDeclaration(
    audit_labels={
        "access.signed_in": _("Signed in"),
        "access.signed_out": _("Signed out"),
        "access.sign_in_failed": _("Failed sign-in"),
        "access.password_reset": _("Password reset by email link"),
        "access.second_factor_enabled": _("Second factor enabled"),
        "access.user_created": _("Login created"),
        "access.handover_used": _("Hand-over link used"),
    },
    export=ExportRules(
        skip_models=frozenset({"secondfactor"}),
        skip_fields={"user": frozenset({"password", "is_superuser", "is_staff"})},
    ),
)
