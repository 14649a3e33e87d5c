"""How long the board has to answer a member's written question: the law's term as dated data.

* A partnership or cooperative that manages its building (ТСЖ, ЖСК, ТСН and other housing
  forms) answers an owner's or user's written request (обращение, запрос) under the Rules of
  managing apartment buildings, Правила осуществления деятельности по управлению
  многоквартирными домами (ПП РФ от 15.05.2013 № 416), п. 36 (as amended by ПП РФ от 13.09.2018
  № 1090, in force from 01.03.2019): within **10 working days** from the day it was received.
  The same rules set shorter terms for a few kinds of request (the brief names 3 working days);
  their wording could not be checked from this machine, so they are not encoded: the table has a
  row per kind of association only, and adding a kind of question with its own term is a new
  row here plus a choice on the form (docs/letters.md).
* A gardening partnership (СНТ, 217-ФЗ) has no statutory term for answering its members'
  letters (ст. 11 gives access to documents, not a reply term; 59-ФЗ binds state bodies only).
  The portal's default is **30 calendar days**, the term members know from 59-ФЗ ст. 12, and
  the board can set less.

The association may always answer faster: its own term (``AnswerTermSetting``, valid from a
date) applies when it ends earlier than the law's. The term in force on the day the question is
received is written on the question with its basis, so a later change never moves a due date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tenants.letters import workdays
from tenants.profile.rules import GARDENING_KINDS, HOUSING_KINDS


@dataclass(frozen=True)
class AnswerTerm:
    key: str
    kinds: frozenset[str]
    valid_from: datetime.date
    days: int
    #: Working days (True) or calendar days (False).
    working: bool
    basis: str

    def due_on(self, received_on: datetime.date) -> datetime.date:
        if self.working:
            return workdays.add_working_days(received_on, self.days)
        return workdays.add_calendar_days(received_on, self.days)

    @property
    def label(self) -> str:
        return term_label(self.days, self.working)


def term_label(days: int, working: bool) -> str:
    if working:
        return ngettext("%(days)d working day", "%(days)d working days", days) % {"days": days}
    return ngettext("%(days)d calendar day", "%(days)d calendar days", days) % {"days": days}


ANSWER_TERMS = (
    AnswerTerm(
        "pp416-p36",
        HOUSING_KINDS,
        datetime.date(2019, 3, 1),
        10,
        True,
        _(
            "Правила № 416 (ПП РФ от 15.05.2013 № 416) п. 36: a written request is answered "
            "within 10 working days of its receipt"
        ),
    ),
    AnswerTerm(
        "snt-default",
        GARDENING_KINDS,
        datetime.date(2019, 1, 1),
        30,
        False,
        _(
            "217-ФЗ sets no term for answering members' letters; the portal's default is 30 "
            "days, as in 59-ФЗ ст. 12"
        ),
    ),
)

#: The shortest term an association may set (working days).
MIN_OWN_DAYS = 1


def legal_term(kind: str, on: datetime.date) -> AnswerTerm:
    """The law's term for an association of ``kind`` on the day ``on`` (the earliest row for a
    day before the table starts)."""
    family = GARDENING_KINDS if kind in GARDENING_KINDS else HOUSING_KINDS
    rows = sorted((t for t in ANSWER_TERMS if t.kinds == family), key=lambda t: t.valid_from)
    in_force = [t for t in rows if t.valid_from <= on]
    return in_force[-1] if in_force else rows[0]


@dataclass(frozen=True)
class Due:
    """A question's due date and why."""

    on: datetime.date
    days: int
    working: bool
    #: ``pp416-p36`` / ``snt-default`` (the law's row), or ``own`` (the association's term).
    rule: str


def due_date(received_on: datetime.date, *, kind: str, own_days: int | None) -> Due:
    """The due date of a question received on ``received_on``: the law's term, or the
    association's own working days when they end earlier."""
    law = legal_term(kind, received_on)
    due = Due(law.due_on(received_on), law.days, law.working, law.key)
    if own_days:
        own_on = workdays.add_working_days(received_on, own_days)
        if own_on < due.on:
            due = Due(own_on, own_days, True, "own")
    return due


def rule_basis(rule: str) -> str:
    """The words shown for a question's ``term_rule``."""
    if rule == "own":
        return str(_("the association's own term, shorter than the law's"))
    for term in ANSWER_TERMS:
        if term.key == rule:
            return str(term.basis)
    return ""
