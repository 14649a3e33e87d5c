"""What the console tells the portal (see ``core.extensions``): the chairman's export page."""

from django.utils.translation import gettext_lazy as _

from core.access.roles import EXPORT_RECEIVERS
from core.extensions import AppDeclaration, DashboardSection

declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "export",
            _("Data export"),
            _("Download the association's data when the operators have prepared it."),
            EXPORT_RECEIVERS,
            url_name="console:export",
            order=110,
        ),
    ),
)
