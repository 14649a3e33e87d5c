"""What the console tells the portal (see ``core.extensions``): the chairman's export page."""

from django.utils.translation import gettext_lazy as _

from core.access.roles import Role
from core.extensions import AppDeclaration, DashboardSection

declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "export",
            _("Data export"),
            _("Download the association's data when the operators have prepared it."),
            frozenset({Role.CHAIRMAN}),
            url_name="association-export",
            order=110,
        ),
    ),
)
