from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Documents members are entitled to read (ЖК РФ ст. 143.1), news and emergency notices."""

    name = "tenants.documents"
    label = "documents"
    verbose_name = _("Documents and news")

    def ready(self):
        # The file purpose the documents' versions are stored under; the banner on top of every
        # page: the emergency notices are read with the session (core.stamped).
        from core import stamped
        from tenants.documents import purposes  # noqa: F401
        from tenants.documents.selectors import EMERGENCY_KIND

        stamped.read_on_every_page(EMERGENCY_KIND)
