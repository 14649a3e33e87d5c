"""Documents with their versions and reads, and news (ordinary and emergency notices).

* A **document** is filed in a section (``sections.Section``) and read by one reader group
  (``sections.ReaderGroup``, each including the narrower ones). Its file is kept as
  **versions**: a new version never overwrites the last one; ``current`` names the newest, the
  history keeps the rest. Titles and descriptions are the board's words about the
  partnership's records, not personal data: kept plain, searched with PostgreSQL's ``russian``
  full-text configuration (a GIN index on the expression).
* A **read** is one opening of a version's file by a login (who, which version, when): the board
  sees the counts. Ids and a time only.
* A **news item** is ordinary news or an **emergency notice** (water off, a lift stopped) with a
  start and an end: an emergency is shown on top of every page of the portal until it ends and
  is sent at once to everyone (a notification kind nobody may switch off).
* A **digest run** records which ordinary news the weekly email digest has covered.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.documents.sections import ReaderGroup, Section

#: PostgreSQL's text search configuration for titles and news (stems Russian word forms).
SEARCH_CONFIG = "russian"


def document_search_vector():
    return SearchVector("title", "description", config=SEARCH_CONFIG)


def news_search_vector():
    return SearchVector("title", "body", config=SEARCH_CONFIG)


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    section = models.CharField(_("section"), max_length=32, choices=Section.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    readers = models.CharField(_("who may read it"), max_length=16, choices=ReaderGroup.choices)
    #: The document's own date (a protocol's meeting, a report's end of period), if any.
    dated = models.DateField(_("document date"), null=True, blank=True)
    #: The newest version (the list shows it; the history the rest).
    current = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["section", "-dated", "-created_at"]
        indexes = [
            models.Index(fields=["section", "readers"], name="documents_section_idx"),
            GinIndex(document_search_vector(), name="documents_document_search"),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk}"


class DocumentVersion(models.Model):
    """One file of a document, never overwritten: version 1, 2, … of the same document."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    number = models.PositiveIntegerField(_("version"))
    #: The private file (``tenants.files``, purpose ``documents.file``): sealed, served only by
    #: the documents' own access-checked view, which logs the read.
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="documents_one_number_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"DocumentVersion {self.pk}"


class DocumentRead(models.Model):
    """One opening of a version's file by a login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="reads", db_index=False
    )
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document read")
        verbose_name_plural = _("document reads")
        indexes = [models.Index(fields=["document", "version"], name="documents_reads_idx")]

    def __str__(self) -> str:
        return f"DocumentRead {self.pk}"


class NewsKind(models.TextChoices):
    NEWS = "news", _("News")
    EMERGENCY = "emergency", _("Emergency notice")


class News(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=NewsKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=10000, blank=True)
    #: An emergency: when the outage starts and when it is expected to end (empty: until the
    #: board ends it). Ordinary news has neither.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_at"]
        indexes = [
            GinIndex(news_search_vector(), name="documents_news_search"),
            models.Index(
                fields=["ends_at"],
                condition=Q(kind="emergency"),
                name="documents_emergency_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="documents_news_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"News {self.pk}"

    @property
    def is_emergency(self) -> bool:
        return self.kind == NewsKind.EMERGENCY

    def active(self, now=None) -> bool:
        """An emergency notice that has not ended (shown on top of every page)."""
        now = now or timezone.now()
        return self.is_emergency and (self.ends_at is None or self.ends_at > now)


class DigestRun(models.Model):
    """One weekly digest of ordinary news: what it covered, whether it found anything."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    covered_until = models.DateTimeField(unique=True)
    news_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-covered_until"]

    def __str__(self) -> str:
        return f"DigestRun {self.pk}"
