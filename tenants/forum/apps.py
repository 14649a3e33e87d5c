from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    """The association's forum: sections, topics, posts (docs/forum.md)."""

    name = "tenants.forum"
    label = "forum"
    verbose_name = _("Forum")

    def ready(self):
        # The file purpose of the posts' attachments.
        from tenants.forum import purposes  # noqa: F401
