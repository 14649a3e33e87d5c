"""Writing the forum. Every change is audited in its transaction (ids and counts, never text);
refusals are ``ValidationError``s naming the field, in the reader's language.

* ``start_topic`` / ``reply``: the text is Markdown, sanitised (``markup``), hashed for search
  (``search``); a quote names a visible post of the same topic; mentions name readers of the
  forum, who are told (``forum.mention``); subscribers are told of the new post
  (``forum.reply``); the author follows the topic from then on. A locked topic takes no reply.
* ``edit_post``: the author's own post; the earlier text is kept (``PostVersion``).
* moderation (the board): hide and show posts and topics, lock and unlock, move; the reason is
  kept and the author is told (``forum.moderation``), and sees it beside what was hidden.
* ``erase_authors``: the erasure hook's work (a former holder's closed logins): their posts
  become a notice, their topics' titles too, with versions, attachments, search words.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.files import services as files
from tenants.forum import access, markup, search, selectors
from tenants.forum.models import (
    Attachment,
    Mention,
    Post,
    PostVersion,
    Section,
    Subscription,
    Topic,
)
from tenants.forum.purposes import ATTACHMENT

REPLY = "forum.reply"
MENTION = "forum.mention"
MODERATION = "forum.moderation"

MAX_TITLE = 200
MAX_REASON = 500
MAX_MENTIONS = 10
MAX_ATTACHMENTS = 5


# -- checks ----------------------------------------------------------------------------------


def _clean_text(body: str) -> tuple[str, str]:
    """(Markdown, its safe HTML) or a refusal for an empty or too long text."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": _("Write the text of the post.")}, code="required")
    if len(body) > markup.MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("The post is too long: at most %(count)d characters.")
                % {"count": markup.MAX_LENGTH}
            },
            code="too_long",
        )
    html = markup.render(body)
    if not markup.plain(html):
        raise ValidationError(
            {"body": _("Nothing is left of the text once unsafe markup is removed.")},
            code="empty",
        )
    return body, html


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the topic a title.")}, code="required")
    if len(title) > MAX_TITLE:
        raise ValidationError(
            {
                "title": _("The title is too long: at most %(count)d characters.")
                % {"count": MAX_TITLE}
            },
            code="too_long",
        )
    return title


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why: the author will see the reason.")}, code="required"
        )
    return reason[:MAX_REASON]


def _require_reader(actor) -> None:
    if not access.reads_forum(actor):
        raise ValidationError(_("Only owners and the board write on the forum."), code="denied")


def _require_moderator(actor) -> None:
    if not access.moderates(actor):
        raise ValidationError(_("Only the board moderates the forum."), code="denied")


def _mentioned(actor, mentions: Iterable) -> list:
    ids = {getattr(m, "pk", m) for m in mentions or ()}
    ids.discard(actor.pk)
    if not ids:
        return []
    if len(ids) > MAX_MENTIONS:
        raise ValidationError(
            {
                "mentions": _("Mention at most %(count)d members in one post.")
                % {"count": MAX_MENTIONS}
            },
            code="too_many",
        )
    found = list(selectors.forum_readers().filter(pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationError(
            {"mentions": _("Only readers of the forum can be mentioned.")}, code="invalid"
        )
    return found


def _quoted(topic, quote, actor) -> Post | None:
    if quote is None:
        return None
    quote_id = getattr(quote, "pk", quote)
    post = Post.objects.filter(pk=quote_id, topic=topic).first()
    if post is None or not selectors.sees_text(actor, post):
        raise ValidationError(
            {"quote": _("The quoted post is not in this topic or cannot be quoted.")},
            code="invalid",
        )
    return post


# -- writing ---------------------------------------------------------------------------------


def post_path(post) -> str:
    return reverse("forum:post", kwargs={"pk": post.pk})


def _attach(post, uploads, actor) -> int:
    uploads = list(uploads or ())
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("Attach at most %(count)d files to one post.")
                % {"count": MAX_ATTACHMENTS}
            },
            code="too_many",
        )
    checked = []
    for upload in uploads:  # every file checked before the first is stored: all or nothing
        try:
            checked.append(files.check(upload, purpose=ATTACHMENT))
        except ValidationError as error:
            raise ValidationError({"attachments": error.messages}, code=error.code) from None
    for each in checked:
        stored = files.store(each, purpose=ATTACHMENT, actor=actor)
        Attachment.objects.create(post=post, file=stored)
    return len(uploads)


def _write_post(*, actor, topic, body, quote=None, mentions=(), attachments=()) -> Post:
    body, html = _clean_text(body)
    quoted = _quoted(topic, quote, actor)
    mentioned = _mentioned(actor, mentions)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.is_locked:
        raise ValidationError(
            _("The topic is locked by the board: no new posts. Reason: %(reason)s")
            % {"reason": topic.lock_reason or "—"},
            code="locked",
        )
    now = timezone.now()
    number = topic.last_number + 1
    post = Post(
        topic=topic,
        number=number,
        author=actor,
        body=body,
        html=html,
        quote=quoted,
        created_at=now,
        words=search.hashes(_index_text(topic, body, number)),
    )
    post.save(force_insert=True)
    Topic.objects.filter(pk=topic.pk).update(
        last_number=number, post_count=F("post_count") + 1, last_post_at=now
    )
    Mention.objects.bulk_create([Mention(post=post, user_id=uid) for uid in mentioned])
    count = _attach(post, attachments, actor)
    Subscription.objects.get_or_create(topic=topic, user=actor)
    audit.record(
        "forum.post_written",
        actor=actor,
        target=post,
        details={
            "topic": str(topic.pk),
            "number": number,
            "mentions": len(mentioned),
            "attachments": count,
        },
    )
    _tell(actor, topic, post, mentioned)
    return post


def _index_text(topic, body: str, number: int) -> str:
    """What a post is found by: its text, and for a topic's first post the title too."""
    if number == 1 and topic.title:
        return f"{topic.title}\n{body}"
    return body


def _tell(actor, topic, post, mentioned) -> None:
    from tenants.notifications.services import notify

    # No member's text or name in a notification: it outlives an erasure in others' inboxes.
    path = post_path(post)
    if mentioned:
        notify(
            actor=actor,
            kind=MENTION,
            recipients=mentioned,
            subject=_("You were mentioned in a post on the forum"),
            body=_("Open the post on the portal to read it and reply."),
            path=path,
        )
    followers = set(selectors.subscribers_of(topic)) - {actor.pk} - set(mentioned)
    if followers:
        notify(
            actor=actor,
            kind=REPLY,
            recipients=followers,
            subject=_("A new post in a topic you follow on the forum"),
            body=_("Open the post on the portal to read it and reply."),
            path=path,
        )


@transaction.atomic
def start_topic(*, actor, section, title, body, mentions=(), attachments=(), target=None) -> Topic:
    """A new topic with its first post. ``target``: ``(kind, object id)`` of the object it
    discusses (checked by the caller against the declared ``DiscussionTarget``)."""
    _require_reader(actor)
    title = _clean_title(title)
    _clean_text(body)
    kind, object_id = target or ("", "")
    if kind and Topic.objects.filter(target_kind=kind, target_id=str(object_id)).exists():
        raise ValidationError(_("This already has a discussion."), code="exists")
    topic = Topic(
        section=Section.objects.get(pk=getattr(section, "pk", section)),
        title=title,
        author=actor,
        target_kind=kind,
        target_id=str(object_id) if kind else "",
    )
    topic.save(force_insert=True)
    audit.record(
        "forum.topic_started",
        actor=actor,
        target=topic,
        details={"section": str(topic.section_id), "kind": kind},
    )
    _write_post(actor=actor, topic=topic, body=body, mentions=mentions, attachments=attachments)
    topic.refresh_from_db()
    return topic


@transaction.atomic
def reply(*, actor, topic, body, quote=None, mentions=(), attachments=()) -> Post:
    """A new post in ``topic`` (refused in a locked one)."""
    _require_reader(actor)
    return _write_post(
        actor=actor,
        topic=topic,
        body=body,
        quote=quote,
        mentions=mentions,
        attachments=attachments,
    )


@transaction.atomic
def edit_post(*, actor, post, body) -> Post:
    """The author changes their post's text; the earlier text is kept as a version."""
    post = Post.objects.select_for_update().select_related("topic").get(pk=post.pk)
    if post.author_id != actor.pk or post.is_erased:
        raise ValidationError(_("Only the author can edit a post."), code="denied")
    if post.topic.is_locked:
        raise ValidationError(_("The topic is locked by the board: posts cannot be changed."))
    body, html = _clean_text(body)
    if body == post.body:
        return post
    now = timezone.now()
    PostVersion.objects.create(
        post=post, body=post.body, written_at=post.edited_at or post.created_at
    )
    post.body, post.html = body, html
    post.words = search.hashes(_index_text(post.topic, body, post.number))
    post.edited_at = now
    post.edit_count += 1
    post.save(update_fields=["body", "html", "words", "edited_at", "edit_count"])
    audit.record("forum.post_edited", actor=actor, target=post, details={"edits": post.edit_count})
    return post


@transaction.atomic
def set_subscription(*, actor, topic, follow: bool) -> bool:
    """Follow or stop following a topic; whether anything changed."""
    if follow:
        _sub, made = Subscription.objects.get_or_create(topic=topic, user=actor)
        return made
    deleted, _rows = Subscription.objects.filter(topic=topic, user=actor).delete()
    return bool(deleted)


# -- moderation ------------------------------------------------------------------------------


def _tell_author(actor, author_id, subject: str, reason: str, path: str) -> None:
    from tenants.notifications.services import notify

    if author_id and author_id != actor.pk:
        notify(
            actor=actor,
            kind=MODERATION,
            recipients=[author_id],
            subject=subject,
            body=_("Reason: %(reason)s") % {"reason": reason},
            path=path,
        )


@transaction.atomic
def hide_post(*, actor, post, reason) -> Post:
    _require_moderator(actor)
    reason = _clean_reason(reason)
    post = Post.objects.select_for_update().select_related("topic").get(pk=post.pk)
    post.hidden_at, post.hidden_reason = timezone.now(), reason
    post.save(update_fields=["hidden_at", "hidden_reason"])
    audit.record("forum.post_hidden", actor=actor, target=post)
    _tell_author(
        actor,
        post.author_id,
        _("The board hid your post on the forum"),
        reason,
        post_path(post),
    )
    return post


@transaction.atomic
def show_post(*, actor, post) -> Post:
    _require_moderator(actor)
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.hidden_at, post.hidden_reason = None, None
    post.save(update_fields=["hidden_at", "hidden_reason"])
    audit.record("forum.post_shown", actor=actor, target=post)
    return post


def _topic_path(topic) -> str:
    return reverse("forum:topic", kwargs={"pk": topic.pk})


@transaction.atomic
def hide_topic(*, actor, topic, reason) -> Topic:
    _require_moderator(actor)
    reason = _clean_reason(reason)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    topic.hidden_at, topic.hidden_reason = timezone.now(), reason
    topic.save(update_fields=["hidden_at", "hidden_reason"])
    audit.record("forum.topic_hidden", actor=actor, target=topic)
    _tell_author(
        actor,
        topic.author_id,
        _("The board hid your topic on the forum"),
        reason,
        _topic_path(topic),
    )
    return topic


@transaction.atomic
def show_topic(*, actor, topic) -> Topic:
    _require_moderator(actor)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    topic.hidden_at, topic.hidden_reason = None, None
    topic.save(update_fields=["hidden_at", "hidden_reason"])
    audit.record("forum.topic_shown", actor=actor, target=topic)
    return topic


@transaction.atomic
def lock_topic(*, actor, topic, reason) -> Topic:
    _require_moderator(actor)
    reason = _clean_reason(reason)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    topic.locked_at, topic.lock_reason = timezone.now(), reason
    topic.save(update_fields=["locked_at", "lock_reason"])
    audit.record("forum.topic_locked", actor=actor, target=topic)
    _tell_author(
        actor,
        topic.author_id,
        _("The board locked your topic on the forum"),
        reason,
        _topic_path(topic),
    )
    return topic


@transaction.atomic
def unlock_topic(*, actor, topic) -> Topic:
    _require_moderator(actor)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    topic.locked_at, topic.lock_reason = None, None
    topic.save(update_fields=["locked_at", "lock_reason"])
    audit.record("forum.topic_unlocked", actor=actor, target=topic)
    return topic


@transaction.atomic
def move_topic(*, actor, topic, section, reason) -> Topic:
    _require_moderator(actor)
    reason = _clean_reason(reason)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    section = Section.objects.filter(pk=getattr(section, "pk", section)).first()
    if section is None:
        raise ValidationError({"section": _("Choose a section.")}, code="required")
    if section.pk == topic.section_id:
        raise ValidationError({"section": _("The topic is already in this section.")})
    old = topic.section_id
    topic.section, topic.moved_reason = section, reason
    topic.save(update_fields=["section", "moved_reason"])
    audit.record(
        "forum.topic_moved",
        actor=actor,
        target=topic,
        details={"from": str(old), "to": str(section.pk)},
    )
    _tell_author(
        actor,
        topic.author_id,
        _("The board moved your topic on the forum to «%(section)s»") % {"section": section.title},
        reason,
        _topic_path(topic),
    )
    return topic


# -- sections (the board) --------------------------------------------------------------------


@transaction.atomic
def save_section(*, actor, section=None, title, description="", position=0) -> Section:
    _require_moderator(actor)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the section a title.")}, code="required")
    made = section is None
    section = section or Section()
    section.title = title[:120]
    section.description = (description or "").strip()[:300]
    section.position = position or 0
    section.save()
    audit.record(
        "forum.section_added" if made else "forum.section_changed", actor=actor, target=section
    )
    return section


# -- erasure ---------------------------------------------------------------------------------


def erase_authors(user_ids) -> dict[str, int]:
    """Replace every post and topic title of these logins by a notice (the erasure hook).

    The text, its earlier versions, search words and attachments go; what others wrote stays,
    and their quotes of an erased post show the notice (a quote is rendered from its post).
    Runs in the erasure's transaction.
    """
    user_ids = list(user_ids)
    if not user_ids:
        return {"forum_posts_erased": 0, "forum_topics_erased": 0}
    now = timezone.now()
    posts = Post.objects.filter(author_id__in=user_ids, erased_at__isnull=True)
    post_ids = list(posts.values_list("pk", flat=True))
    PostVersion.objects.filter(post_id__in=post_ids).delete()
    for attachment in Attachment.objects.filter(post_id__in=post_ids).select_related("file"):
        files.delete(attachment.file, actor=None)
    erased = Post.objects.filter(pk__in=post_ids).update(
        erased_at=now, body=None, html=None, words=[], hidden_reason=None
    )
    Mention.objects.filter(user_id__in=user_ids).delete()
    Subscription.objects.filter(user_id__in=user_ids).delete()
    topics = Topic.objects.filter(author_id__in=user_ids, title__isnull=False)
    titled = list(topics.values_list("pk", flat=True))
    Topic.objects.filter(pk__in=titled).update(title=None)
    # A first post's words carried its topic's title: index them again without it.
    for first in Post.objects.filter(topic_id__in=titled, number=1, erased_at__isnull=True):
        first.words = search.hashes(first.body or "")
        first.save(update_fields=["words"])
    return {"forum_posts_erased": erased, "forum_topics_erased": len(titled)}
