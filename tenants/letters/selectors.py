"""Reads of letters, each scoped to the reader.

Who sees what (the same on pages and in the API):

* the board (chairman, board members: ``BOARD``) reads and answers every question and
  application, keeps the templates and the answer term, and publishes answers;
* an owner or resident (``MEMBER_ROLES``) sees the questions and applications they wrote
  themselves, and only those (a co-owner of the same flat does not see them: a letter is its
  writer's); someone else's letter is a 404;
* everyone signed in with a member's or the board's role reads the public Q&A;
* the accountant and the dispatcher see none of it (their roles do not open these pages).

Full-text search (``search_public``) runs over ``PublicEntry`` only: the anonymised versions
the chairman published. Questions and applications are encrypted and never indexed.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from core.access.roles import BOARD, MEMBER_ROLES, has_role
from core.crypto.fields import prefetch_keys
from tenants.letters import terms
from tenants.letters.models import (
    AnswerTermSetting,
    Application,
    ApplicationTemplate,
    PublicEntry,
    Question,
    QuestionMessage,
    QuestionStatus,
)
from tenants.residents import selectors as residents
from tenants.residents.models import PersonalAccount

#: How many published answers a suggestion shows.
SUGGESTIONS = 5
#: Words of a typed question used for suggestions (the first ones, 3 letters or more).
SUGGESTION_WORDS = 12
SEARCH_CONFIG = "russian"


def is_board(user) -> bool:
    return has_role(user, *BOARD)


def is_member(user) -> bool:
    return has_role(user, *MEMBER_ROLES)


# -- the association's day and kind -----------------------------------------------------------


def association_now(now: datetime.datetime | None = None) -> datetime.datetime:
    """``now`` in the association's time zone (a task has no request to activate it)."""
    now = now or timezone.now()
    name = getattr(getattr(connection, "tenant", None), "time_zone", None)
    try:
        zone = zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    return timezone.localtime(now, zone)


def association_today() -> datetime.date:
    return association_now().date()


def association_kind() -> str:
    kind = getattr(getattr(connection, "tenant", None), "kind", None)
    if kind:
        return kind
    from tenants.profile import selectors as profile

    return profile.legal().kind


def own_term_on(on: datetime.date) -> AnswerTermSetting | None:
    return AnswerTermSetting.objects.filter(valid_from__lte=on).order_by("-valid_from").first()


def term_history() -> list[AnswerTermSetting]:
    return list(AnswerTermSetting.objects.order_by("-valid_from")[:20])


def due_for(received_on: datetime.date) -> terms.Due:
    setting = own_term_on(received_on)
    return terms.due_date(
        received_on, kind=association_kind(), own_days=setting.days if setting else None
    )


# -- accounts a member writes for -----------------------------------------------------------------


def writing_accounts(user) -> QuerySet[PersonalAccount]:
    """The personal accounts a member may write for: those of their own homes (held or lived
    in today), with their premises."""
    if not is_member(user):
        return PersonalAccount.objects.none()
    return (
        residents.home_accounts(user)
        .select_related("premises__building")
        .order_by("premises__building__name", "premises__number", "number")
    )


def current_holding_id(account_id):
    from tenants.residents.models import Holding

    return (
        Holding.objects.filter(account_id=account_id, ended_on__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )


# -- questions -------------------------------------------------------------------------------------


def questions_visible_to(user) -> QuerySet[Question]:
    if is_board(user):
        return Question.objects.all()
    if is_member(user):
        return Question.objects.filter(author=user)
    return Question.objects.none()


def question_for(user, pk) -> Question:
    question = (
        questions_visible_to(user)
        .select_related("account__premises__building", "author")
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404
    return question


def thread(question: Question) -> list[QuestionMessage]:
    """The question's messages, oldest first, keys fetched in one wave with the question's."""
    messages = list(question.messages.select_related("author").order_by("created_at"))
    prefetch_keys([question, *messages])
    return messages


def my_questions(user) -> list[Question]:
    found = list(
        Question.objects.filter(author=user)
        .select_related("account__premises__building")
        .order_by("-last_message_at")
    )
    prefetch_keys(found)
    return found


@dataclass(frozen=True)
class BoardFilter:
    key: str
    label: str


def board_questions(status: str = "", today: datetime.date | None = None) -> QuerySet[Question]:
    """The board's list: ``waiting``, ``overdue`` (waiting past its due date), ``answered``,
    ``closed`` or everything; the waiting ones by due date first."""
    today = today or association_today()
    found = Question.objects.select_related("account__premises__building", "author")
    if status == "overdue":
        found = found.filter(status=QuestionStatus.WAITING, due_on__lt=today)
    elif status in QuestionStatus.values:
        found = found.filter(status=status)
    waiting_first = Case(When(status=QuestionStatus.WAITING, then=0), default=1)
    return found.order_by(waiting_first, "due_on", "-last_message_at")


def overdue_count(today: datetime.date | None = None) -> int:
    today = today or association_today()
    return Question.objects.filter(status=QuestionStatus.WAITING, due_on__lt=today).count()


def waiting_count() -> int:
    return Question.objects.filter(status=QuestionStatus.WAITING).count()


# -- the public Q&A ----------------------------------------------------------------------------


def public_visible_to(user) -> QuerySet[PublicEntry]:
    if is_board(user) or is_member(user):
        return PublicEntry.objects.all()
    return PublicEntry.objects.none()


def public_entry_for(user, pk) -> PublicEntry:
    entry = public_visible_to(user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


_WORD = re.compile(r"[0-9A-Za-zА-Яа-яЁё]{3,}")


def words_of(text: str, limit: int = SUGGESTION_WORDS) -> list[str]:
    """The words a search uses: letters and digits only (no query syntax gets through), at least
    three characters, the first ``limit`` distinct ones."""
    seen: list[str] = []
    for word in _WORD.findall(text or ""):
        lowered = word.lower()
        if lowered not in seen:
            seen.append(lowered)
        if len(seen) >= limit:
            break
    return seen


#: How much of a word's stem a search keeps: the stem without its last two letters, at least
#: ``MIN_PREFIX`` (the whole stem when shorter). The ``russian`` snowball stemmer leaves forms of
#: one word on different stems («подвал» → подва, «подвале» → подвал; «батарея» → батаре,
#: «батареи» → батар; «протекает» → протека, «протечка» → протечк); matching the shortened stem
#: as a prefix brings them together, at the price of a few neighbours («проте» also opens
#: «протест»), ranked lower. docs/letters.md, "Search".
MIN_PREFIX = 5
_LEXEME = re.compile(r"^[0-9a-zа-яё]+$")


def stems(words: list[str]) -> list[str]:
    """The ``russian`` configuration's lexemes of ``words`` (stop words give none): one query."""
    if not words:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT lexeme FROM unnest(%s::text[]) AS w, "
            "unnest(to_tsvector('russian', w)) AS v",
            [words],
        )
        found = [row[0] for row in cursor.fetchall()]
    return sorted(lexeme for lexeme in found if _LEXEME.match(lexeme))


def prefix_of(stem: str) -> str:
    return stem if len(stem) <= MIN_PREFIX else stem[: max(MIN_PREFIX, len(stem) - 2)]


def search_query(text: str, *, every_word: bool) -> SearchQuery | None:
    """A tsquery of the stems' prefixes of ``text``'s words, all (``&``) or any (``|``) of them;
    None when nothing searchable is left. Only letters and digits reach the query's syntax."""
    prefixes = sorted({prefix_of(stem) for stem in stems(words_of(text))})
    if not prefixes:
        return None
    joined = (" & " if every_word else " | ").join(f"{prefix}:*" for prefix in prefixes)
    return SearchQuery(joined, config="simple", search_type="raw")


def search_public(user, text: str, *, limit: int | None = None, every_word: bool = True):
    """Published answers matching ``text`` (``russian`` stems, as prefixes), best first.

    ``every_word``: all words must match (the Q&A page's search); otherwise any word may (the
    suggestions while a question is typed, where a whole sentence is the query)."""
    query = search_query(text, every_word=every_word)
    if query is None:
        return PublicEntry.objects.none()
    found = (
        public_visible_to(user)
        .filter(search=query)
        .annotate(rank=SearchRank(F("search"), query))
        .order_by("-rank", "-published_at")
    )
    return found[:limit] if limit else found


def suggestions(user, text: str) -> list[PublicEntry]:
    return list(search_public(user, text, limit=SUGGESTIONS, every_word=False))


# -- applications ---------------------------------------------------------------------------------


def templates_for_members() -> QuerySet[ApplicationTemplate]:
    return ApplicationTemplate.objects.filter(is_active=True).order_by("position", "title")


def template_for_member(code: str) -> ApplicationTemplate:
    template = templates_for_members().filter(code=code).first()
    if template is None:
        raise Http404
    return template


def template_for(user, pk) -> ApplicationTemplate:
    template = ApplicationTemplate.objects.filter(pk=pk).first() if is_board(user) else None
    if template is None:
        raise Http404
    return template


def applications_visible_to(user) -> QuerySet[Application]:
    if is_board(user):
        return Application.objects.all()
    if is_member(user):
        return Application.objects.filter(author=user)
    return Application.objects.none()


def application_for(user, pk) -> Application:
    application = (
        applications_visible_to(user)
        .select_related("account__premises__building", "author", "template")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def my_applications(user) -> list[Application]:
    found = list(
        Application.objects.filter(author=user)
        .select_related("account__premises__building")
        .order_by("-registered_at")
    )
    prefetch_keys(found)
    return found


def journal(year: int | None = None) -> QuerySet[Application]:
    found = Application.objects.select_related("account__premises__building")
    if year:
        found = found.filter(year=year)
    return found.order_by("-year", "-number")


def journal_years() -> list[int]:
    return list(Application.objects.order_by("-year").values_list("year", flat=True).distinct())


def board_user_ids() -> list:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(is_active=True, roles__overlap=sorted(BOARD))
        .values_list("pk", flat=True)
    )


def waiting_between(start: datetime.date, end: datetime.date) -> Q:
    return Q(status=QuestionStatus.WAITING, due_on__gte=start, due_on__lte=end)
