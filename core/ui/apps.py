from django.apps import AppConfig


class UiConfig(AppConfig):
    """Base templates, static assets (CSS, htmx) and small template components."""

    name = "core.ui"
    label = "ui"
