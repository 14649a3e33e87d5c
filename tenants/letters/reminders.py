"""Reminding the board of questions whose answer is due (``letters-reminders``, hourly).

* **due soon**: a waiting question whose due date is within ``NOTICE_WORKING_DAYS`` working
  days (today included) is announced to the board once per due date (``reminded_for``);
* **overdue**: a waiting question past its due date is announced once per due date
  (``overdue_warned_for``); the board's list shows overdue questions all the time.

The rows are claimed under ``SELECT … FOR UPDATE SKIP LOCKED`` and marked in the transaction
that writes the notification, so a duplicated or retried run sends nothing twice. The text names
counts and dates only: the questions' words stay on the portal.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenants.letters import selectors, workdays
from tenants.letters.models import Question, QuestionStatus
from tenants.notifications import services as notifications

QUESTION_DUE = "letters.question_due"
#: From how many working days before the due date the board is reminded.
NOTICE_WORKING_DAYS = 2


def _not_marked(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | ~Q(**{field: F("due_on")})


@transaction.atomic
def send_due_reminders(today=None) -> dict[str, int]:
    today = today or selectors.association_today()
    horizon = today
    for _step in range(NOTICE_WORKING_DAYS - 1):
        horizon = workdays.add_working_days(horizon, 1)
    waiting = Question.objects.filter(status=QuestionStatus.WAITING)
    due_soon = list(
        waiting.filter(due_on__gte=today, due_on__lte=horizon)
        .filter(_not_marked("reminded_for"))
        .select_for_update(skip_locked=True)
        .values_list("pk", "due_on")
    )
    overdue = list(
        waiting.filter(due_on__lt=today)
        .filter(_not_marked("overdue_warned_for"))
        .select_for_update(skip_locked=True)
        .values_list("pk", "due_on")
    )
    board = selectors.board_user_ids()
    path = reverse("letters:board")
    if due_soon:
        Question.objects.filter(pk__in=[pk for pk, _due in due_soon]).update(
            reminded_for=F("due_on")
        )
        first = min(due for _pk, due in due_soon)
        notifications.notify(
            actor=None,
            kind=QUESTION_DUE,
            recipients=board,
            subject=ngettext(
                "%(count)d question to the chairman is due by %(due)s",
                "%(count)d questions to the chairman are due, the first by %(due)s",
                len(due_soon),
            )
            % {"count": len(due_soon), "due": date_format(first, "j E")},
            path=path,
        )
    if overdue:
        Question.objects.filter(pk__in=[pk for pk, _due in overdue]).update(
            overdue_warned_for=F("due_on")
        )
        notifications.notify(
            actor=None,
            kind=QUESTION_DUE,
            recipients=board,
            subject=ngettext(
                "%(count)d question to the chairman is past its answer term",
                "%(count)d questions to the chairman are past their answer term",
                len(overdue),
            )
            % {"count": len(overdue)},
            body=_("The law's term has passed: answer in writing as soon as possible."),
            path=reverse("letters:board") + "?status=overdue",
        )
    return {"due_soon": len(due_soon), "overdue": len(overdue)}
