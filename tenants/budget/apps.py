from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    """The estimate (смета): from a draft to the meeting's approval, to the tariffs members pay,
    and its execution (plan against fact)."""

    name = "tenants.budget"
    label = "budget"
    verbose_name = _("Budget")

    def ready(self):
        # The file purposes this app stores under (a meeting's protocol).
        from tenants.budget import purposes  # noqa: F401
