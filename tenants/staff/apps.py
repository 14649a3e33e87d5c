from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """The association's staff: who holds which role, and the hand-over of the chair."""

    name = "tenants.staff"
    label = "staff"
    verbose_name = _("Staff and roles")
