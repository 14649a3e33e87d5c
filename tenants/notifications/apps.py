from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications: one way for every feature to tell people something (email and the bell)."""

    name = "tenants.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core.access import usercache
        from tenants.notifications.selectors import UNREAD_KIND

        usercache.prefetch_with_user(UNREAD_KIND)
