from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelayConfig(AppConfig):
    name = "core.relay"
    label = "relay"
    verbose_name = _("Tasks waiting for the broker")

    def ready(self) -> None:
        from core.relay import signals  # noqa: F401 - connects the worker's start hook
