from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    """Private files: one encrypted store for every app's uploads and generated documents."""

    name = "tenants.files"
    label = "files"
    verbose_name = _("Files")
