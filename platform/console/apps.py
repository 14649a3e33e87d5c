from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = _("Operators' console")

    def ready(self):
        # Register the console's Celery tasks in web and worker processes alike
        # (config.celery's autodiscover_tasks list does not name this app).
        from console import tasks  # noqa: F401
