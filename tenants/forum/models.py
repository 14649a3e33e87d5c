"""The forum: sections, topics, posts, their versions, mentions, attachments, subscriptions.

What members write (topic titles, posts, their earlier versions) is their free text, which every
reader of the forum reads: it is encrypted under the association's key (ARCHITECTURE.md, the key
table), and so is the board's reason for hiding or locking something. Searching it goes through
``Post.words``: keyed hashes of the normalised word forms (``search``), never plaintext.

Erasing a former holder whose login the erasure closed replaces their posts by a notice
(``erased_at`` set, text, versions and search words gone); a quote is rendered from the quoted
post at every showing, so it goes with it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto.fields import EncryptedModel, EncryptedTextField


class Section(models.Model):
    """A section of the forum (kept by the board): its title and description are the board's,
    not personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("forum section")
        verbose_name_plural = _("forum sections")

    def __str__(self) -> str:
        return f"Section {self.pk}"


class Topic(EncryptedModel):
    """A thread. ``target_kind``/``target_id`` attach it to an object another app offers
    (``core.extensions.DiscussionTarget``); at most one thread per object."""

    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("section"),
        db_index=False,
    )
    #: None once its author's data was erased.
    title = EncryptedTextField(_("title"), null=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now, db_index=True)
    post_count = models.PositiveIntegerField(default=0)
    #: The numbers given to posts so far (posts keep their number: links stay right).
    last_number = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    lock_reason = EncryptedTextField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = EncryptedTextField(null=True, blank=True)
    #: The board's last word on it (a move's reason), shown to the author.
    moved_reason = EncryptedTextField(null=True, blank=True)
    target_kind = models.CharField(max_length=60, blank=True, default="")
    target_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [models.Index(fields=["section", "-last_post_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "target_id"],
                condition=~Q(target_kind=""),
                name="forum_one_thread_per_object",
            )
        ]

    def __str__(self) -> str:
        return f"Topic {self.pk}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Post(EncryptedModel):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts", db_index=False)
    #: Its place in the topic (1, 2, …), kept when others are hidden.
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The Markdown the author wrote, and the sanitised HTML made from it (None once erased).
    body = EncryptedTextField(null=True)
    html = EncryptedTextField(null=True)
    #: The post this one quotes: the quote is rendered from it at every showing.
    quote = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = EncryptedTextField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    #: Keyed hashes of the normalised word forms (``tenants.forum.search``), for search.
    words = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="forum_post_number")
        ]
        indexes = [GinIndex(fields=["words"], name="forum_post_words")]

    def __str__(self) -> str:
        return f"Post {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class PostVersion(EncryptedModel):
    """An earlier text of an edited post (kept: the edit history)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    body = EncryptedTextField()
    #: When this text was written (the post's creation or its previous edit).
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at"]


class Mention(models.Model):
    """A member named in a post (picked from the forum's readers; told by a notification)."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="forum_mention_once")]

    def __str__(self) -> str:
        return f"Mention {self.pk}"


class Attachment(models.Model):
    """A file attached to a post (a private file of ``purposes.ATTACHMENT``)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.OneToOneField(
        "files.StoredFile", on_delete=models.CASCADE, related_name="forum_attachment"
    )

    def __str__(self) -> str:
        return f"Attachment {self.pk}"


class Subscription(models.Model):
    """A reader following a topic: told by email (``forum.reply``) of every new post."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="subscriptions", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="forum_subscribe_once")
        ]

    def __str__(self) -> str:
        return f"Subscription {self.pk}"
