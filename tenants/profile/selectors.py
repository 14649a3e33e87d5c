"""Reading the association's profile. Everything here is the association's own (no member's
data): the views decide who may read it (the board), and a recipient of another association
does not exist in this schema."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from core import legal_details, stamped
from core.access.roles import BOARD, has_role
from tenants.profile import rules
from tenants.profile.models import OperationalSettings, PaymentRecipient, Profile

#: The logo's file id in the shared cache (``core.stamped``, the association's entry): read ahead
#: with the session on every request (``ProfileConfig.ready``); ``services`` give it a new stamp
#: whenever the logo changes.
LOGO_KIND = "profile.logo"
#: Every operational settings row (a handful: one per change of the readings window or the due
#: day), newest first, in the shared cache (``core.stamped``): the account page and the
#: receipts ask for the rule in force on each page. A new stamp on every save or deletion of a
#: row (``ProfileConfig.ready``).
SETTINGS_KIND = "profile.settings"


def profile() -> Profile:
    """The profile row, or an empty one when nothing was saved yet (not saved by reading)."""
    return Profile.objects.select_related("logo").first() or Profile()


def legal() -> legal_details.LegalDetails:
    return legal_details.legal_details()


def recipients():
    return PaymentRecipient.objects.all()


def recipient_for(user, pk) -> PaymentRecipient:
    """A payment recipient the board may edit; 404 for anyone else or an unknown id."""
    found = PaymentRecipient.objects.filter(pk=pk).first() if has_role(user, *BOARD) else None
    if found is None:
        raise Http404
    return found


def main_recipient() -> PaymentRecipient | None:
    return PaymentRecipient.objects.filter(is_main=True).first()


@dataclass(frozen=True)
class InForce:
    """The operational settings on a day, with the law's part filled in."""

    on: datetime.date
    readings_from_day: int
    readings_until_day: int
    #: The day of the following month payments are due; None: the charter's (СНТ, not set).
    due_day: int | None
    due_day_rule: rules.DueDayRule
    #: The saved settings row in force, or None (defaults).
    row: OperationalSettings | None

    @property
    def due_day_chosen(self) -> bool:
        return self.due_day_rule.choosable and self.row is not None and self.row.due_day is not None


def settings_row_on(on: datetime.date) -> OperationalSettings | None:
    return OperationalSettings.objects.filter(valid_from__lte=on).order_by("-valid_from").first()


def _settings_rows() -> list[OperationalSettings]:
    return stamped.lookup(SETTINGS_KIND, stamped.ASSOCIATION).get(
        lambda: list(OperationalSettings.objects.order_by("-valid_from"))
    )


def forget_settings(**kwargs) -> None:
    stamped.invalidate(SETTINGS_KIND, [stamped.ASSOCIATION])


def settings_in_force(on: datetime.date | None = None, *, kind: str | None = None) -> InForce:
    """The settings in force on ``on``: the saved rows from the shared cache, the legal form
    from the routed association (``legal_details.routed_kind``)."""
    on = on or timezone.localdate()
    kind = kind or legal_details.routed_kind()
    row = next((found for found in _settings_rows() if found.valid_from <= on), None)
    rule = rules.due_day_rule(kind, on)
    due_day = rule.day
    if rule.choosable and row is not None and row.due_day is not None:
        due_day = row.due_day
    return InForce(
        on=on,
        readings_from_day=row.readings_from_day if row else rules.DEFAULT_READINGS_FROM_DAY,
        readings_until_day=row.readings_until_day if row else rules.DEFAULT_READINGS_UNTIL_DAY,
        due_day=due_day,
        due_day_rule=rule,
        row=row,
    )


def settings_history():
    return OperationalSettings.objects.order_by("-valid_from")


def logo_id() -> str:
    """The logo's file id ("" when none): from the shared cache, since the header of every page
    asks (Redis unreachable: from the database)."""
    return stamped.lookup(LOGO_KIND, stamped.ASSOCIATION).get(
        lambda: str(
            Profile.objects.filter(logo__isnull=False).values_list("logo_id", flat=True).first()
            or ""
        )
    )
