from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfileConfig(AppConfig):
    """The association's profile: the chairman's settings (legal details, contacts, bank
    details, readings window and due day, logo)."""

    name = "tenants.profile"
    label = "profile"
    verbose_name = _("Association profile")

    def ready(self):
        # The file purposes this app stores under (the logo); the header of every page shows
        # the logo: its id is read with the session (core.stamped.read_on_every_page).
        from core import stamped
        from tenants.profile import purposes  # noqa: F401
        from tenants.profile.selectors import LOGO_KIND

        stamped.read_on_every_page(LOGO_KIND)

        from django.db.models.signals import post_delete, post_save

        from tenants.profile.models import OperationalSettings
        from tenants.profile.selectors import SETTINGS_KIND, forget_settings

        # Read ahead too: the account pages and the receipts ask for the rule in force.
        stamped.read_on_every_page(SETTINGS_KIND)

        post_save.connect(forget_settings, sender=OperationalSettings, weak=False)
        post_delete.connect(forget_settings, sender=OperationalSettings, weak=False)
