"""Letters to the board: questions to the chairman and applications (заявления).

Key layout (ARCHITECTURE.md, data protection): what a member writes to the board, and the
board's written answer to them, is the holder's data. It is encrypted under the key of the
personal account holding the letter is filed for (``holding_id``, the current holding of the
account the member chose when writing), so erasing that holder shreds it; numbers, dates and
statuses stay in plain columns (the journal of applications, the answer terms).

The only plain text of a question is its *public* version: a ``PublicEntry`` the chairman wrote
by hand, anonymised, to publish in the portal's Q&A. That table alone carries a full-text index
(PostgreSQL ``russian``); members' letters are never indexed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import keyring
from core.crypto.fields import EncryptedJSONField, EncryptedModel, EncryptedTextField
from tenants.residents.models import PersonalAccount

#: The longest question, reply or answer (characters).
MAX_TEXT = 5000
#: The longest subject line.
MAX_SUBJECT = 200


class HoldingKeyed(EncryptedModel):
    """A row encrypted under the key of the holding it was written for."""

    holding_id = models.UUIDField(db_index=True)

    class Meta:
        abstract = True

    def encryption_key_name(self) -> str:
        return keyring.holding_key(self.holding_id)


# -- questions -----------------------------------------------------------------------------------


class QuestionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Question(HoldingKeyed):
    """A member's written question to the chairman, with its thread of messages.

    ``received_on`` is the association's local date the term counts from (the last message of
    the member's, since a reply is a new written request), ``due_on`` the last day of the term in
    force then, ``term_rule`` which rule set it (``terms``).
    """

    account = models.ForeignKey(
        PersonalAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
        db_index=False,
    )
    subject = EncryptedTextField(_("subject"), null=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.WAITING
    )
    asked_at = models.DateTimeField(_("asked"))
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("answer due"))
    term_days = models.PositiveSmallIntegerField(_("term, days"))
    term_working = models.BooleanField(_("working days"), default=True)
    term_rule = models.CharField(_("term's basis"), max_length=20)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"))
    #: The due date the board was reminded of (once per due date), and warned it passed.
    reminded_for = models.DateField(null=True, blank=True)
    overdue_warned_for = models.DateField(null=True, blank=True)
    erased_at = models.DateTimeField(_("text erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(status="waiting"),
                name="letters_question_waiting_idx",
            ),
            models.Index(fields=["author", "-last_message_at"], name="letters_question_author_idx"),
        ]

    def __str__(self) -> str:
        return f"Question {self.pk}"


class QuestionMessage(HoldingKeyed):
    """One message of a question's thread: the member's question or reply, the board's answer."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_board = models.BooleanField(_("from the board"), default=False)
    text = EncryptedTextField(_("text"), null=True)
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"QuestionMessage {self.pk}"


class AnswerTermSetting(models.Model):
    """The association's own answer term (working days), valid from a date; the due date is the
    earlier of this and the law's (``terms.due_date``). ``days`` None: the law's term only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    valid_from = models.DateField(_("valid from"), unique=True)
    days = models.PositiveSmallIntegerField(_("answer within, working days"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("answer term")
        verbose_name_plural = _("answer terms")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days__isnull=True) | models.Q(days__gte=1),
                name="letters_term_days_positive",
            )
        ]

    def __str__(self) -> str:
        return f"AnswerTermSetting {self.valid_from}"


class PublicEntry(models.Model):
    """A published question and answer of the portal's Q&A: the chairman's anonymised version,
    written by hand (never copied automatically from the letter), plain text, full-text indexed
    (``search``, PostgreSQL ``russian``, weights: title A, question B, answer C)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.OneToOneField(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_entry",
    )
    title = models.CharField(_("title"), max_length=MAX_SUBJECT)
    question_text = models.TextField(_("question, as published"))
    answer_text = models.TextField(_("answer, as published"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("published answer")
        verbose_name_plural = _("published answers")
        ordering = ["-published_at"]
        indexes = [GinIndex(fields=["search"], name="letters_public_search_idx")]

    def __str__(self) -> str:
        return self.title


# -- applications --------------------------------------------------------------------------------


class FieldKind(models.TextChoices):
    TEXT = "text", _("Line of text")
    LONG_TEXT = "long_text", _("Several lines")
    DATE = "date", _("Date")
    CHECKBOX = "checkbox", _("Tick box")


class ApplicationTemplate(models.Model):
    """A kind of application the board accepts, with the fields a member fills in.

    ``fields`` is a list of ``{"name", "label", "kind", "required", "help"}``; ``preamble`` is
    printed above them («Прошу принять меня в члены товарищества…»). A template in use cannot be
    deleted, only withdrawn (``is_active``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    preamble = models.TextField(_("text above the fields"), blank=True)
    fields = models.JSONField(_("fields"), default=list)
    is_active = models.BooleanField(_("accepted now"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("application template")
        verbose_name_plural = _("application templates")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class ApplicationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ANSWERED = "answered", _("Answered")


class Application(HoldingKeyed):
    """A member's application, registered in the journal under ``number`` of ``year`` (numbers
    run from 1 each year without gaps: ``ApplicationCounter``). ``content`` keeps the filled
    fields with their labels as they were when filed."""

    template = models.ForeignKey(
        ApplicationTemplate, on_delete=models.PROTECT, related_name="applications"
    )
    title = models.CharField(_("kind"), max_length=200)
    account = models.ForeignKey(
        PersonalAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    registered_at = models.DateTimeField(_("registered"))
    registered_on = models.DateField(_("date"))
    content = EncryptedJSONField(_("content"), null=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.REGISTERED,
    )
    answer = EncryptedTextField(_("answer"), null=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(_("text erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="letters_application_number")
        ]

    def __str__(self) -> str:
        return f"Application {self.year}/{self.number}"

    @property
    def journal_number(self) -> str:
        return f"{self.number}/{self.year}"


class ApplicationCounter(models.Model):
    """The last number given in a year: raised by ``INSERT … ON CONFLICT DO UPDATE`` in the
    filing's transaction, whose row lock serialises concurrent filings, so numbers are
    consecutive and a rolled-back filing gives its number back."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("application counter")

    def __str__(self) -> str:
        return f"ApplicationCounter {self.year}"
