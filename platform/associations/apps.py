from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")

    def ready(self):
        # Register the provisioning tasks with Celery (config.celery autodiscovers other
        # packages only).
        from associations import tasks  # noqa: F401
