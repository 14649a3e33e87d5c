"""Writing letters: questions and their threads, the public Q&A, applications and their journal.

Every change is audited in its transaction (ids, numbers and counts only, never a letter's
words); refusals are ``ValidationError``s naming the field, in Russian through the catalogue,
and a refused call writes nothing (``core.ui.refusals`` runs it in a savepoint; the API too).

Who may act on which letter is decided before: views and the API find letters through the
reader-scoped selectors (someone else's letter is a 404). The services check what a caller
could still get wrong on their own: a member writes only for an account of their own home.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.audit import services as audit
from tenants.letters import selectors, terms
from tenants.letters.models import (
    MAX_SUBJECT,
    MAX_TEXT,
    AnswerTermSetting,
    Application,
    ApplicationStatus,
    ApplicationTemplate,
    FieldKind,
    PublicEntry,
    Question,
    QuestionMessage,
    QuestionStatus,
)
from tenants.notifications import services as notifications

QUESTION_RECEIVED = "letters.question_received"
QUESTION_ANSWERED = "letters.question_answered"
APPLICATION_FILED = "letters.application_filed"
APPLICATION_ANSWERED = "letters.application_answered"

#: The most fields a template may have, and the longest value of a one-line field.
MAX_FIELDS = 20
MAX_LINE = 300
MAX_LABEL = 150


def _text(value, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A letter's text, stripped; refused when empty (if required) or longer than ``limit``."""
    text = (value or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationError({field: _("The text contains characters that cannot be kept.")})
    if required and not text:
        raise ValidationError({field: _("Write the text: it cannot be empty.")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _(
                    "The text is too long: at most %(limit)d characters, this one has %(length)d."
                )
                % {"limit": limit, "length": len(text)}
            }
        )
    return text


def _holding_of(actor, account) -> object:
    """The current holding of ``account``, which must be one of the actor's homes."""
    if account is None or not selectors.writing_accounts(actor).filter(pk=account.pk).exists():
        raise ValidationError(
            {"account": _("Choose one of your own personal accounts to write for.")}
        )
    holding_id = selectors.current_holding_id(account.pk)
    if holding_id is None:
        raise ValidationError(
            {"account": _("This personal account has no current holder: ask the board.")}
        )
    return holding_id


def _date(day: datetime.date) -> str:
    return date_format(day, "j E Y")


# -- questions -----------------------------------------------------------------------------------


@transaction.atomic
def ask(*, actor, account, subject: str, text: str) -> Question:
    """A member's written question to the chairman, for one of their accounts. The term runs
    from today (the association's date); the board is told, without the question's words."""
    subject = _text(subject, field="subject", limit=MAX_SUBJECT)
    text = _text(text, field="text")
    holding_id = _holding_of(actor, account)
    now = timezone.now()
    received_on = selectors.association_today()
    due = selectors.due_for(received_on)
    question = Question(
        account=account,
        holding_id=holding_id,
        author=actor,
        subject=subject,
        asked_at=now,
        received_on=received_on,
        due_on=due.on,
        term_days=due.days,
        term_working=due.working,
        term_rule=due.rule,
        last_message_at=now,
    )
    question.save()
    QuestionMessage(
        question=question, holding_id=holding_id, author=actor, text=text, created_at=now
    ).save()
    audit.record(
        "letters.question_asked",
        actor=actor,
        target=question,
        details={"due_on": due.on.isoformat(), "term_rule": due.rule},
    )
    _tell_board_of_question(actor, question, reply=False)
    return question


def _tell_board_of_question(actor, question: Question, *, reply: bool) -> None:
    subject = (
        _("A member replied to the answer: an answer is due by %(due)s")
        if reply
        else _("A new question to the chairman: an answer is due by %(due)s")
    ) % {"due": _date(question.due_on)}
    notifications.notify(
        actor=actor,
        kind=QUESTION_RECEIVED,
        recipients=[pk for pk in selectors.board_user_ids() if pk != getattr(actor, "pk", None)],
        subject=subject,
        path=reverse("letters:question", kwargs={"pk": question.pk}),
        holding_id=question.holding_id,
    )


@transaction.atomic
def reply(*, actor, question: Question, text: str) -> QuestionMessage:
    """The member's reply in their question's thread: a new written request, so the question
    waits for an answer again, with a term counted from today."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.author_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the member who asked can reply in this thread."))
    if question.erased_at is not None:
        raise ValidationError(_("This question's text was erased: write a new question."))
    if question.status == QuestionStatus.CLOSED:
        raise ValidationError(_("This question is closed: write a new question."))
    text = _text(text, field="text")
    now = timezone.now()
    message = QuestionMessage(
        question=question, holding_id=question.holding_id, author=actor, text=text, created_at=now
    )
    message.save()
    if question.status != QuestionStatus.WAITING:
        received_on = selectors.association_today()
        due = selectors.due_for(received_on)
        question.status = QuestionStatus.WAITING
        question.received_on = received_on
        question.due_on = due.on
        question.term_days = due.days
        question.term_working = due.working
        question.term_rule = due.rule
    question.last_message_at = now
    question.save(
        update_fields=[
            "status",
            "received_on",
            "due_on",
            "term_days",
            "term_working",
            "term_rule",
            "last_message_at",
        ]
    )
    audit.record(
        "letters.question_replied",
        actor=actor,
        target=question,
        details={"due_on": question.due_on.isoformat()},
    )
    _tell_board_of_question(actor, question, reply=True)
    return message


@transaction.atomic
def answer(*, actor, question: Question, text: str) -> QuestionMessage:
    """The board's written answer; the member is told (the answer's words stay on the portal)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.erased_at is not None:
        raise ValidationError(_("This question's text was erased: it cannot be answered."))
    text = _text(text, field="text")
    now = timezone.now()
    message = QuestionMessage(
        question=question,
        holding_id=question.holding_id,
        author=actor,
        from_board=True,
        text=text,
        created_at=now,
    )
    message.save()
    late = question.status == QuestionStatus.WAITING and (
        selectors.association_today() > question.due_on
    )
    question.status = QuestionStatus.ANSWERED
    question.answered_at = now
    question.last_message_at = now
    question.save(update_fields=["status", "answered_at", "last_message_at"])
    audit.record(
        "letters.question_answered",
        actor=actor,
        target=question,
        details={"late": late, "due_on": question.due_on.isoformat()},
    )
    if question.author_id:
        notifications.notify(
            actor=actor,
            kind=QUESTION_ANSWERED,
            recipients=[question.author_id],
            subject=_("The board answered your question"),
            body=_("Read the answer on the portal; you can reply there."),
            path=reverse("letters:question", kwargs={"pk": question.pk}),
            holding_id=question.holding_id,
        )
    return message


@transaction.atomic
def close(*, actor, question: Question) -> Question:
    """The member (or the board) closes a thread: nothing more is expected in it."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status == QuestionStatus.CLOSED:
        raise ValidationError(_("This question is already closed."))
    question.status = QuestionStatus.CLOSED
    question.save(update_fields=["status"])
    audit.record("letters.question_closed", actor=actor, target=question)
    return question


# -- the answer term -----------------------------------------------------------------------------


@transaction.atomic
def set_answer_term(*, actor, days: int | None, valid_from: datetime.date | None = None):
    """The association's own answer term (working days) from ``valid_from`` (today by default);
    ``None``: the law's term only. A term longer than the law's changes nothing (the earlier due
    date applies), so it is refused."""
    valid_from = valid_from or selectors.association_today()
    if days is not None:
        law = terms.legal_term(selectors.association_kind(), valid_from)
        if days < 1:
            raise ValidationError({"days": _("The term is at least one working day.")})
        if law.working and days > law.days:
            raise ValidationError(
                {
                    "days": _(
                        "The law gives at most %(days)d working days: the association may set "
                        "less, not more."
                    )
                    % {"days": law.days}
                }
            )
    if valid_from < selectors.association_today():
        raise ValidationError({"valid_from": _("A term cannot start in the past.")})
    setting, _created = AnswerTermSetting.objects.update_or_create(
        valid_from=valid_from, defaults={"days": days, "created_by": actor}
    )
    audit.record(
        "letters.term_set",
        actor=actor,
        target=setting,
        details={"days": days, "valid_from": valid_from.isoformat()},
    )
    return setting


# -- the public Q&A ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicVersion:
    title: str
    question_text: str
    answer_text: str


def clean_public_version(*, title: str, question_text: str, answer_text: str) -> PublicVersion:
    """The public version's three texts, checked as the publish form and the preview show them."""
    return PublicVersion(
        title=_text(title, field="title", limit=MAX_SUBJECT),
        question_text=_text(question_text, field="question_text"),
        answer_text=_text(answer_text, field="answer_text"),
    )


def _index(entry: PublicEntry) -> None:
    PublicEntry.objects.filter(pk=entry.pk).update(
        search=SearchVector("title", weight="A", config=selectors.SEARCH_CONFIG)
        + SearchVector("question_text", weight="B", config=selectors.SEARCH_CONFIG)
        + SearchVector("answer_text", weight="C", config=selectors.SEARCH_CONFIG)
    )


@transaction.atomic
def publish(
    *, actor, question: Question | None, title: str, question_text: str, answer_text: str
) -> PublicEntry:
    """Publish (or correct) the public, anonymised version of an answered question. Only what
    the chairman wrote in the form is stored and indexed; the letter itself is not copied."""
    version = clean_public_version(
        title=title, question_text=question_text, answer_text=answer_text
    )
    if question is not None:
        question = Question.objects.select_for_update().get(pk=question.pk)
    if question is not None and question.answered_at is None:
        raise ValidationError(_("Answer the question before publishing it."))
    entry = PublicEntry.objects.filter(question=question).first() if question else None
    created = entry is None
    if entry is None:
        entry = PublicEntry(question=question, published_at=timezone.now(), published_by=actor)
    entry.title = version.title
    entry.question_text = version.question_text
    entry.answer_text = version.answer_text
    entry.save()
    _index(entry)
    audit.record(
        "letters.answer_published" if created else "letters.publication_corrected",
        actor=actor,
        target=entry,
        details={"question": str(question.pk) if question else ""},
    )
    return entry


@transaction.atomic
def withdraw(*, actor, entry: PublicEntry) -> None:
    """Take a published answer off the Q&A (the row and its index entry are deleted)."""
    audit.record(
        "letters.publication_withdrawn",
        actor=actor,
        target=entry,
        details={"question": str(entry.question_id or "")},
    )
    entry.delete()


# -- application templates ---------------------------------------------------------------------


def clean_fields(rows) -> list[dict]:
    """A template's fields from the form's rows (``label``, ``kind``, ``required``, ``help``):
    empty rows dropped, names made from the position, at most ``MAX_FIELDS``."""
    fields = []
    for row in rows:
        label = (row.get("label") or "").strip()
        if not label:
            continue
        if len(label) > MAX_LABEL:
            message = _("A field's name is at most %(limit)d characters.")
            raise ValidationError({"fields": message % {"limit": MAX_LABEL}})
        kind = row.get("kind") or FieldKind.TEXT
        if kind not in FieldKind.values:
            raise ValidationError({"fields": _("Choose a kind for every field.")})
        fields.append(
            {
                "name": f"f{len(fields) + 1}",
                "label": label,
                "kind": kind,
                "required": bool(row.get("required")),
                "help": (row.get("help") or "").strip()[:MAX_LABEL],
            }
        )
    if not fields:
        raise ValidationError({"fields": _("A template needs at least one field.")})
    if len(fields) > MAX_FIELDS:
        raise ValidationError(
            {"fields": _("A template has at most %(limit)d fields.") % {"limit": MAX_FIELDS}}
        )
    return fields


def _code_for(title: str) -> str:
    base = (slugify(title, allow_unicode=False) or "form")[:30] or "form"
    code, n = base, 1
    while ApplicationTemplate.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def save_template(
    *,
    actor,
    template: ApplicationTemplate | None = None,
    title: str,
    description: str = "",
    preamble: str = "",
    fields,
    is_active: bool = True,
    position: int = 100,
) -> ApplicationTemplate:
    """Create or change a template. Applications already filed keep the fields and labels they
    were filed with (their content carries them)."""
    title = _text(title, field="title", limit=MAX_SUBJECT)
    description = _text(description, field="description", required=False, limit=1000)
    preamble = _text(preamble, field="preamble", required=False, limit=2000)
    fields = clean_fields(fields)
    created = template is None
    if created:
        template = ApplicationTemplate(code=_code_for(title))
    template.title = title
    template.description = description
    template.preamble = preamble
    template.fields = fields
    template.is_active = is_active
    template.position = position
    template.save()
    audit.record(
        "letters.template_created" if created else "letters.template_changed",
        actor=actor,
        target=template,
        details={"fields": len(fields), "active": is_active},
    )
    return template


# -- applications --------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{2}\.\d{2}\.\d{4}$")


def _parse_date(value: str) -> datetime.date | None:
    value = value.strip()
    if not _DATE.match(value):
        return None
    try:
        if "." in value:
            day, month, year = (int(x) for x in value.split("."))
            return datetime.date(year, month, day)
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def clean_values(template: ApplicationTemplate, values: dict) -> list[dict]:
    """The filled fields, checked against the template: ``[{"name", "label", "kind",
    "value"}]`` in the template's order. Refusals name the field (``f1``, ``f2``…)."""
    errors: dict[str, str] = {}
    content = []
    for field in template.fields:
        name, kind = field["name"], field["kind"]
        raw = values.get(name)
        if kind == FieldKind.CHECKBOX:
            value = raw in (True, "on", "true", "1", 1, "yes")
            if field.get("required") and not value:
                errors[name] = _("Tick this box to file the application.")
        else:
            text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
            limit = MAX_TEXT if kind == FieldKind.LONG_TEXT else MAX_LINE
            value = text
            if "\x00" in text:
                errors[name] = _("The text contains characters that cannot be kept.")
            elif field.get("required") and not text:
                errors[name] = _("Fill in this field.")
            elif len(text) > limit:
                errors[name] = _(
                    "The text is too long: at most %(limit)d characters, this one has %(length)d."
                ) % {"limit": limit, "length": len(text)}
            elif kind == FieldKind.DATE and text:
                day = _parse_date(text)
                if day is None:
                    errors[name] = _("Enter a date as 31.12.2026.")
                else:
                    value = day.isoformat()
        content.append({"name": name, "label": field["label"], "kind": kind, "value": value})
    unknown = set(values) - {field["name"] for field in template.fields}
    if unknown and not errors:
        errors["template"] = _("The application has fields its template does not know.")
    if errors:
        raise ValidationError(errors)
    return content


def _next_number(year: int) -> int:
    """The year's next number: the counter's row is raised and locked until the filing's
    transaction ends (concurrent filings wait; a rollback gives the number back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO letters_applicationcounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = letters_applicationcounter.last + 1 "
            "RETURNING last",
            [year],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def file_application(*, actor, account, template: ApplicationTemplate | None, values: dict):
    """A member files an application on a template: checked, registered under the year's next
    number and today's date, the board told (without the application's content)."""
    if template is None or not template.is_active:
        raise ValidationError({"template": _("There is no such kind of application.")})
    content = clean_values(template, values or {})
    holding_id = _holding_of(actor, account)
    now = timezone.now()
    today = selectors.association_today()
    number = _next_number(today.year)
    application = Application(
        template=template,
        title=template.title,
        account=account,
        holding_id=holding_id,
        author=actor,
        year=today.year,
        number=number,
        registered_at=now,
        registered_on=today,
        content=content,
    )
    application.save()
    audit.record(
        "letters.application_filed",
        actor=actor,
        target=application,
        details={"number": application.journal_number, "template": template.code},
    )
    notifications.notify(
        actor=actor,
        kind=APPLICATION_FILED,
        recipients=[pk for pk in selectors.board_user_ids() if pk != getattr(actor, "pk", None)],
        subject=_("Application № %(number)s registered: %(title)s")
        % {"number": application.journal_number, "title": template.title},
        path=reverse("letters:application", kwargs={"pk": application.pk}),
        holding_id=holding_id,
    )
    return application


@transaction.atomic
def answer_application(*, actor, application: Application, text: str) -> Application:
    """The board's written answer to an application (it may be corrected: the last one stands,
    the audit keeps when)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.erased_at is not None:
        raise ValidationError(_("This application's text was erased: it cannot be answered."))
    application.answer = _text(text, field="text")
    application.status = ApplicationStatus.ANSWERED
    application.answered_at = timezone.now()
    application.answered_by = actor
    application.save(update_fields=["answer", "status", "answered_at", "answered_by"])
    audit.record(
        "letters.application_answered",
        actor=actor,
        target=application,
        details={"number": application.journal_number},
    )
    if application.author_id:
        notifications.notify(
            actor=actor,
            kind=APPLICATION_ANSWERED,
            recipients=[application.author_id],
            subject=_("The board answered your application № %(number)s")
            % {"number": application.journal_number},
            path=reverse("letters:application", kwargs={"pk": application.pk}),
            holding_id=application.holding_id,
        )
    return application


# -- erasure -------------------------------------------------------------------------------------


def erase_holding(holding_id) -> dict[str, int]:
    """Clear the text of every letter written for the erased holding (its key is shredded
    too); numbers, dates, statuses and terms stay. Runs in the erasure's transaction."""
    now = timezone.now()
    questions = Question.objects.filter(holding_id=holding_id, erased_at__isnull=True)
    erased_questions = questions.update(subject=None, erased_at=now)
    messages = QuestionMessage.objects.filter(holding_id=holding_id, text__isnull=False)
    erased_messages = messages.update(text=None)
    applications = Application.objects.filter(holding_id=holding_id, erased_at__isnull=True)
    erased_applications = applications.update(content=None, answer=None, erased_at=now)
    return {
        "questions_erased": erased_questions,
        "question_messages_erased": erased_messages,
        "applications_erased": erased_applications,
    }
