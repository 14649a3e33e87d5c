from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    """Meetings and votes: owners' general meetings, members' meetings, board meetings."""

    name = "tenants.voting"
    label = "voting"
    verbose_name = _("Voting")

    def ready(self):
        # The file purposes this app stores under (paper decisions' scans, powers of attorney).
        from tenants.voting import purposes  # noqa: F401
