from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "core.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        # The OpenAPI extension, and the signal receivers of the audit log and session limits.
        from core.access import events, schema, sessions, usercache  # noqa: F401

        user = self.get_model("User")
        post_save.connect(usercache.on_user_saved, sender=user, dispatch_uid="usercache-save")
        post_delete.connect(usercache.on_user_deleted, sender=user, dispatch_uid="usercache-del")
