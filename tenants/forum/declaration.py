"""What the forum tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    ExportRules,
    HolderErasure,
    NotificationKind,
    TenantCount,
)
from tenants.forum.access import MODERATORS, READERS


def erase_posts(erasure: HolderErasure) -> dict[str, int]:
    from tenants.forum import services

    return services.erase_authors(erasure.closed_login_ids)


def _count_posts() -> int:
    from tenants.forum.models import Post

    return Post.objects.filter(erased_at__isnull=True).count()


def _demo() -> str:
    from tenants.forum.demo import seed_demo

    return seed_demo()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "forum",
            _("Forum"),
            _("Discuss the association's affairs with other owners and the board."),
            READERS,
            url_name="forum:index",
            order=60,
        ),
    ),
    audit_labels={
        "forum.topic_started": _("Forum topic started"),
        "forum.post_written": _("Forum post written"),
        "forum.post_edited": _("Forum post edited"),
        "forum.post_hidden": _("Forum post hidden"),
        "forum.post_shown": _("Forum post shown again"),
        "forum.topic_hidden": _("Forum topic hidden"),
        "forum.topic_shown": _("Forum topic shown again"),
        "forum.topic_locked": _("Forum topic locked"),
        "forum.topic_unlocked": _("Forum topic unlocked"),
        "forum.topic_moved": _("Forum topic moved"),
        "forum.section_added": _("Forum section added"),
        "forum.section_changed": _("Forum section changed"),
    },
    notification_kinds=(
        NotificationKind(
            "forum.reply",
            _("New posts in topics you follow"),
            _("A topic you started, wrote in or follow has a new post."),
            roles=READERS,
        ),
        NotificationKind(
            "forum.mention",
            _("Mentions on the forum"),
            _("Someone mentioned you in a post."),
            roles=READERS,
        ),
        NotificationKind(
            "forum.moderation",
            _("The board's moderation of your posts"),
            _("The board hid, locked or moved what you wrote, and why."),
            roles=READERS | MODERATORS,
        ),
    ),
    erasure=Erasure(
        destroys="the posts and topic titles of the logins the erasure closed: replaced by a "
        "notice (their text, earlier versions, search words and attachments deleted; quotes "
        "of them show the notice, as a quote is rendered from its post); their mentions and "
        "subscriptions",
        keeps="what others wrote, the posts' places and dates (a thread stays readable), the "
        "audit entries (ids and counts only); posts of a login that stays open (it still owns "
        "or serves the board) are that person's, not the erased holding's",
        hook=erase_posts,
    ),
    # The search words are keyed hashes, of no use outside the association's key store.
    export=ExportRules(skip_fields={"post": frozenset({"words"})}),
    counts=(TenantCount("forum_posts", _("Forum posts"), _count_posts),),
    demo=_demo,
)
