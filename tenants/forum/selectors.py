"""Reading the forum, scoped to the reader: a topic or post they may not see is a 404.

Readers are ``access.READERS``. A hidden topic or post is seen (with the board's reason) by its
author and the board; others see a topic's absence and a post's place ("hidden by the board").
A thread attached to another app's object (``core.extensions.DiscussionTarget``) is seen by
those whose roles the kind admits, and on its own page only if the reader may read the object.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from core import extensions
from core.access.roles import roles_of
from tenants.forum import access, search
from tenants.forum.models import (
    Attachment,
    Mention,
    Post,
    PostVersion,
    Section,
    Subscription,
    Topic,
)

TOPICS_PER_PAGE = 30
#: Posts a page shows (a phone scrolls through them; the page costs the same for any topic).
POSTS_PER_PAGE = 25
RESULTS_PER_PAGE = 20


def _hidden_kinds(user) -> list[str]:
    roles = roles_of(user)
    return [t.kind for t in extensions.discussion_targets() if not t.visible_to(roles)]


def topics_visible_to(user):
    if not access.reads_forum(user):
        return Topic.objects.none()
    topics = Topic.objects.all()
    if not access.moderates(user):
        topics = topics.filter(Q(hidden_at__isnull=True) | Q(author=user))
    hidden_kinds = _hidden_kinds(user)
    if hidden_kinds:
        topics = topics.exclude(target_kind__in=hidden_kinds)
    return topics


def sections_visible_to(user):
    """Sections with the number of topics the reader sees in each."""
    if not access.reads_forum(user):
        return Section.objects.none()
    visible = topics_visible_to(user).values("pk")
    return Section.objects.annotate(
        topic_count=Count("topics", filter=Q(topics__in=visible))
    ).order_by("position", "title")


def section_for(user, pk) -> Section:
    section = sections_visible_to(user).filter(pk=pk).first()
    if section is None:
        raise Http404
    return section


def target_of(topic):
    """``(DiscussionTarget, object)`` a thread is attached to, or ``(None, None)``."""
    if not topic.target_kind:
        return None, None
    target = extensions.discussion_target(topic.target_kind)
    if target is None:
        return None, None
    return target, target.resolve(topic.target_id)


def may_read_target(user, topic) -> bool:
    if not topic.target_kind:
        return True
    target, obj = target_of(topic)
    return target is not None and obj is not None and target.can_read(user, obj)


def topic_for(user, pk) -> Topic:
    """A topic the reader may open (else 404), with its section."""
    topic = topics_visible_to(user).select_related("section").filter(pk=pk).first()
    if topic is None or not may_read_target(user, topic):
        raise Http404
    return topic


def topics_in(user, section):
    return (
        topics_visible_to(user)
        .filter(section=section)
        .select_related("author")
        .order_by("-last_post_at", "pk")
    )


def with_details(posts):
    """``posts`` with what a page shows of each: authors, the quoted post and its author, and
    (as lists, ``attachment_list`` and ``mention_list``) attachments and mentions."""
    return posts.select_related("author", "quote", "quote__author").prefetch_related(
        Prefetch(
            "attachments",
            queryset=Attachment.objects.select_related("file").order_by("pk"),
            to_attr="attachment_list",
        ),
        Prefetch(
            "mentions",
            queryset=Mention.objects.select_related("user").order_by("pk"),
            to_attr="mention_list",
        ),
    )


def posts_of(topic):
    """A topic's posts in order, with everything a page shows (a constant number of queries)."""
    return with_details(Post.objects.filter(topic=topic)).order_by("number")


def page_of(post) -> int:
    return (post.number - 1) // POSTS_PER_PAGE + 1


def post_for(user, pk) -> Post:
    """A post of a topic the reader may open (else 404)."""
    post = Post.objects.select_related("topic", "author").filter(pk=pk).first()
    if post is None:
        raise Http404
    topic_for(user, post.topic_id)
    return post


def sees_text(user, post) -> bool:
    """Whether the reader sees a post's text (a hidden one: its author and the board)."""
    if post.is_erased:
        return False
    if not post.is_hidden:
        return True
    return access.moderates(user) or post.author_id == getattr(user, "pk", None)


def display_name(user) -> str:
    """How a writer is named on the forum ("" for a closed login: the page says "former
    member")."""
    if user is None or not user.is_active:
        return ""
    return user.full_name or "—"


def is_subscribed(user, topic) -> bool:
    return Subscription.objects.filter(topic=topic, user=user).exists()


def versions_of(post):
    return PostVersion.objects.filter(post=post).order_by("-written_at")


def topic_for_target(kind: str, object_id) -> Topic | None:
    return Topic.objects.filter(target_kind=kind, target_id=str(object_id)).first()


def topics_for_targets(kind: str):
    """Every thread attached to an object of ``kind`` (the ``discussion_for`` tag's one read)."""
    return Topic.objects.filter(target_kind=kind)


def search_posts(user, query: str):
    """Posts matching every word of ``query`` (in any form), newest first; none for a query
    with no word. Hidden posts are found only by the board, erased ones never."""
    wanted = search.query_hashes(query)
    if not wanted:
        return Post.objects.none()
    posts = Post.objects.filter(
        words__contains=wanted,
        erased_at__isnull=True,
        topic__in=topics_visible_to(user).values("pk"),
    )
    if not access.moderates(user):
        posts = posts.filter(hidden_at__isnull=True)
    return posts.select_related("topic", "author").order_by("-created_at", "pk")


def forum_readers():
    """Active logins that read the forum (whom a post may mention)."""
    return get_user_model().objects.filter(is_active=True, roles__overlap=sorted(access.READERS))


def mention_candidates(user, text: str, limit: int = 20) -> list:
    """Readers whose name contains ``text`` (names are encrypted: matched after reading)."""
    needle = text.strip().lower().replace("ё", "е")
    found = []
    for person in forum_readers().exclude(pk=user.pk).only("id", "full_name"):
        name = person.full_name or ""
        if needle and needle not in name.lower().replace("ё", "е"):
            continue
        found.append(person)
    found.sort(key=lambda p: p.full_name or "")
    return found[:limit]


def attachment_visible_to(user, stored_file) -> bool:
    attachment = Attachment.objects.select_related("post").filter(file_id=stored_file.pk).first()
    if attachment is None:
        return False
    try:
        post = post_for(user, attachment.post_id)
    except Http404:
        return False
    return sees_text(user, post)


def subscribers_of(topic):
    return Subscription.objects.filter(topic=topic).values_list("user_id", flat=True)


def followed_topic_ids(user, topic_ids) -> set:
    return set(
        Subscription.objects.filter(user=user, topic_id__in=list(topic_ids)).values_list(
            "topic_id", flat=True
        )
    )
