"""The monthly posting of penalties for every account in debt (the job ``ledger-penalties``).

Runs daily so a missed day cannot skip a month: it posts when no penalty was posted yet this
month (``penalty_posting.post_penalties`` adds only the difference, once per day). Each account
is posted in its own transaction, so one account's refusal does not undo the others."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from tenants.ledger import penalty_posting
from tenants.ledger.models import Entry
from tenants.ledger.money import month_of
from tenants.residents.models import PersonalAccount

logger = logging.getLogger(__name__)


def posted_this_month(on) -> bool:
    return Entry.objects.filter(
        source=penalty_posting.PENALTY_SOURCE, booked_on__gte=month_of(on), booked_on__lte=on
    ).exists()


def post_monthly(*, on=None, force: bool = False) -> int:
    """Post penalties for every account with a balance owed; the number of entries posted."""
    on = on or timezone.localdate()
    if not force and posted_this_month(on):
        return 0
    made = 0
    for account in PersonalAccount.objects.filter(ledger_balance__amount__gt=0).order_by("pk"):
        try:
            made += len(penalty_posting.post_penalties(actor=None, account=account, on=on))
        except ValidationError as refused:  # a closed month, say: logged without personal data
            logger.warning("penalties not posted for an account: %s", refused.messages)
    return made
