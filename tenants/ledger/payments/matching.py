"""Finding the personal account a bank payment is for (pure).

Banks pass the payer's words in the purpose of payment (``НазначениеПлатежа``): the portal
looks there for a personal account number it knows (preferring one written after «л/с»,
«лс», «лицевой счет»), and checks the money went to the association (its ИНН, or one of its
recipients' accounts: ``../shared/DOMAIN.md``, Receipts: banks match by the recipient's ИНН plus
the personal account). No account, an unknown one, two different ones, or another recipient:
the payment waits in the queue for a person (``reason``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection
from dataclasses import dataclass

NO_ACCOUNT = "no_account"
AMBIGUOUS = "ambiguous"
OTHER_RECIPIENT = "recipient"
MAYBE_ONLINE = "maybe_online"

_TOKEN = re.compile(r"[0-9A-Za-zА-Яа-я][0-9A-Za-zА-Яа-я\-/]*")
_KEYWORD = re.compile(
    r"(?:л\s*/\s*с|лс|лиц(?:евой|\.)?\s*сч(?:[её]т|\.)?|лицевой|account)\s*[:№#]?\s*"
    r"([0-9A-Za-zА-Яа-я][0-9A-Za-zА-Яа-я\-/]*)",
    re.IGNORECASE,
)

MONTHS = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
_MONTH_WORD = re.compile(
    r"\bза\s+(январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]\w*|июн\w*|июл\w*|август\w*|"
    r"сентябр\w*|октябр\w*|ноябр\w*|декабр\w*)\s*(\d{4})",
    re.IGNORECASE,
)
_MONTH_NUMBER = re.compile(r"\bза\s+(\d{1,2})[./](\d{4})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    account_number: str | None
    reason: str = ""
    named_period: datetime.date | None = None

    @property
    def matched(self) -> bool:
        return self.account_number is not None and not self.reason


def named_period(purpose: str) -> datetime.date | None:
    """The month the payer named («за февраль 2025», «за 02.2025»), if any."""
    found = _MONTH_WORD.search(purpose or "")
    if found:
        word, year = found.group(1).lower(), int(found.group(2))
        for stem, month in MONTHS.items():
            if word.startswith(stem) and (stem != "ма" or word[:3] in ("май", "мая")):
                return datetime.date(year, month, 1)
    found = _MONTH_NUMBER.search(purpose or "")
    if found and 1 <= int(found.group(1)) <= 12:
        return datetime.date(int(found.group(2)), int(found.group(1)), 1)
    return None


def match(
    *,
    purpose: str,
    recipient_inn: str,
    recipient_account: str,
    known_accounts: Collection[str],
    own_inn: str = "",
    own_accounts: Collection[str] = (),
) -> Match:
    """Which of ``known_accounts`` (personal account numbers) the payment names."""
    period = named_period(purpose)
    ours = (own_inn and recipient_inn == own_inn) or (recipient_account in own_accounts)
    if (own_inn or own_accounts) and (recipient_inn or recipient_account) and not ours:
        return Match(None, OTHER_RECIPIENT, period)
    text = purpose or ""
    after_keyword = {m.group(1).strip("-/") for m in _KEYWORD.finditer(text)}
    named = {n for n in after_keyword if n in known_accounts}
    if not named:
        named = {t.strip("-/") for t in _TOKEN.findall(text)} & set(known_accounts)
    if not named:
        return Match(None, NO_ACCOUNT, period)
    if len(named) > 1:
        return Match(None, AMBIGUOUS, period)
    return Match(next(iter(named)), "", period)
