"""What the logins tell the platform (see ``core.extensions``): the export leaves out their
secrets (password hashes, operator flags, second-factor seeds). "Your password was changed" is
a notification nobody can switch off (core/access/security.py)."""

from django.utils.translation import gettext_lazy as _

from core.extensions import AppDeclaration, ExportRules, NotificationKind

declaration = AppDeclaration(
    audit_labels={
        "access.signed_in": _("Signed in"),
        "access.signed_out": _("Signed out"),
        "access.sign_in_failed": _("Failed sign-in"),
        "access.password_reset": _("Password reset by email link"),
        "access.second_factor_enabled": _("Second factor enabled"),
        "access.user_created": _("Login created"),
        "access.handover_used": _("Hand-over link used"),
        "access.password_changed": _("Password changed"),
        "access.other_sessions_ended": _("Signed out everywhere else"),
        "access.second_factor_replaced": _("Second factor moved to a new phone"),
        "access.second_factor_disabled": _("Second factor turned off"),
    },
    notification_kinds=(
        NotificationKind(
            "access.password_changed",
            _("Password changed"),
            _("A letter when the password of your login is changed: always sent."),
            can_opt_out=False,
        ),
    ),
    export=ExportRules(
        skip_models=frozenset({"secondfactor"}),
        skip_fields={"user": frozenset({"password", "is_superuser", "is_staff"})},
    ),
)
