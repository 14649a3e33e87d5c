"""The law's rules for the association's operational settings, kept as dated data.

Payment due day, ЖК РФ ст. 155 ч. 1:

* until 28 February 2026: by the 10th of the month following the one billed, unless the
  management contract or a decision of the members (owners) set another day;
* from 1 March 2026 (the article as amended with effect from that day): by the 15th of
  the following month, and neither a contract nor a meeting can move it; February 2026's
  charge is the first due on the 15th.

It binds housing (ТСЖ, ЖСК, ТСН, and other forms managing housing). A gardening partnership
(СНТ, 217-ФЗ ст. 14) pays its contributions when its charter says: the partnership keeps the
day itself.

Meter readings (Правила 354, п. 31 «е(1)», 33): accepted by the 25th unless the contract or a
meeting set another window; late readings count in the next period.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

HOUSING_KINDS = frozenset({"tszh", "zhsk", "tsn", "other"})
GARDENING_KINDS = frozenset({"snt"})

#: The readings window when the association has not decided otherwise.
DEFAULT_READINGS_FROM_DAY = 1
DEFAULT_READINGS_UNTIL_DAY = 25


@dataclass(frozen=True)
class DueDayRule:
    kinds: frozenset[str]
    valid_from: datetime.date
    #: The day of the following month the law sets (None: the charter's, no default).
    day: int | None
    #: Whether the association may set another day.
    choosable: bool
    basis: str


DUE_DAY_RULES = (
    DueDayRule(
        HOUSING_KINDS,
        datetime.date.min,
        10,
        True,
        _(
            "ЖК РФ ст. 155 ч. 1: by the 10th of the following month, unless a contract or a "
            "decision of the meeting set another day"
        ),
    ),
    DueDayRule(
        HOUSING_KINDS,
        datetime.date(2026, 3, 1),
        15,
        False,
        _(
            "ЖК РФ ст. 155 ч. 1 (from 1 March 2026): by the 15th of the following month; a "
            "contract or a meeting can no longer move it"
        ),
    ),
    DueDayRule(
        GARDENING_KINDS,
        datetime.date.min,
        None,
        True,
        _("217-ФЗ ст. 14: contributions are paid when the partnership's charter says"),
    ),
)


def due_day_rule(kind: str, on: datetime.date) -> DueDayRule:
    """The rule in force for an association of ``kind`` on the date ``on``."""
    kinds = kind if kind in GARDENING_KINDS else "tszh"
    rules = [r for r in DUE_DAY_RULES if kinds in r.kinds and r.valid_from <= on]
    return max(rules, key=lambda rule: rule.valid_from)


def rule_changes_after(kind: str, on: datetime.date) -> list[DueDayRule]:
    """Rules for ``kind`` that come into force after ``on`` (a chosen day ends there)."""
    kinds = kind if kind in GARDENING_KINDS else "tszh"
    return sorted(
        (r for r in DUE_DAY_RULES if kinds in r.kinds and r.valid_from > on),
        key=lambda rule: rule.valid_from,
    )
