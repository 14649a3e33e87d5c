from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignupConfig(AppConfig):
    name = "signup"
    verbose_name = _("Signup")

    def ready(self):
        # Register the housekeeping task with Celery (config.celery autodiscovers other
        # packages only).
        from signup import tasks  # noqa: F401
