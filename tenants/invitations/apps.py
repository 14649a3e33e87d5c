from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    """Invitations by email: how owners and residents get their login to the portal."""

    name = "tenants.invitations"
    label = "invitations"
    verbose_name = _("Invitations")
