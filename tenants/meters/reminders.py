"""Reminders about readings and verification, written through ``tenants.notifications``.

One periodic job (``meters-reminders``, hourly, fanned out to every ready association) calls
``send_due_reminders``; it acts from ``REMINDER_HOUR`` of the association's own local time:

* **the window opens** (``meters.window_opens``): from the window's first day until three days
  before it closes, to the members (owners and residents with a login) of premises with working
  meters, except those who have already sent every meter's reading for the period;
* **the window closes in two days** (``meters.window_closing``): from two days before the last
  day, only to those who have not sent every reading yet (Правила 354 п. 31 «е(1)»: readings
  are due by the association's day, late ones count in the next period);
* **verification expires within 30 days** (``meters.verification_due``), once per meter and due
  day; **verification expired** (``meters.verification_expired``), once a month while the meter
  stays expired (it counts as failed, п. 81(12), and is billed by the average, then by the norm
  with the increasing coefficient, п. 59, 60).

Each reminder stops as soon as the thing is done (readings sent, a new verification date, the
meter replaced or closed): the audience is computed afresh at every run. A retried or
duplicated task sends nothing twice: the ledger ``SentReminder`` is written first, with
``INSERT … ON CONFLICT DO NOTHING RETURNING``, under unique constraints per (kind, person,
period) and (kind, person, meter, period), and only the rows this run inserted are notified, in
the same transaction. A concurrent run waits on the first one's uncommitted rows and then finds
them taken. The number of queries does not depend on the number of members (the notification's
rows are written 1,000 at a time).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tenants.meters import periods
from tenants.meters.models import Meter, MeterKind, Reading
from tenants.notifications import services as notifications
from tenants.residents import selectors as residents
from tenants.residents.models import Ownership, Residency

WINDOW_OPENS = "meters.window_opens"
WINDOW_CLOSING = "meters.window_closing"
VERIFICATION_DUE = "meters.verification_due"
VERIFICATION_EXPIRED = "meters.verification_expired"

#: The local hour from which the day's reminders are sent (a missed hour is caught up later in
#: the day: the ledger keeps it to once).
REMINDER_HOUR = 10
#: Days before the window's last day the closing reminder starts.
CLOSING_DAYS = 2
#: How far ahead a verification's end is announced.
VERIFICATION_NOTICE_DAYS = 30


def association_now(now: datetime.datetime | None = None) -> datetime.datetime:
    """``now`` in the association's own time zone (its legal details, on the tenant of this
    connection: a task has no request to activate it)."""
    now = now or timezone.now()
    name = getattr(getattr(connection, "tenant", None), "time_zone", None)
    try:
        zone = zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    return timezone.localtime(now, zone)


# -- who -----------------------------------------------------------------------------------------


def _people_of_premises(premises_ids, on: datetime.date) -> dict:
    """Login id → the premises (of ``premises_ids``) they own or live in on ``on``: two queries."""
    people: dict = defaultdict(set)
    owned = Ownership.objects.filter(
        residents.current(on=on), premises_id__in=premises_ids, owner__user__isnull=False
    ).values_list("owner__user_id", "premises_id")
    lived = Residency.objects.filter(
        residents.current(on=on), premises_id__in=premises_ids
    ).values_list("user_id", "premises_id")
    for user_id, premises_id in (*owned, *lived):
        people[user_id].add(premises_id)
    return people


def _window_audience(period: datetime.date, on: datetime.date) -> tuple[dict, set]:
    """(login → their premises with working meters, the premises whose every working meter
    has a current reading in ``period``)."""
    meters = defaultdict(set)
    for meter_id, premises_id in Meter.objects.filter(
        premises__isnull=False, closed_on__isnull=True, installed_on__lte=on
    ).values_list("pk", "premises_id"):
        meters[premises_id].add(meter_id)
    sent = set(
        Reading.objects.filter(
            period=period, superseded_at__isnull=True, meter__closed_on__isnull=True
        ).values_list("meter_id", flat=True)
    )
    done = {premises for premises, ids in meters.items() if ids <= sent}
    return _people_of_premises(list(meters), on), done


# -- the ledger ----------------------------------------------------------------------------------


def _claim(kind: str, rows) -> list:
    """Insert the ledger rows (login, meter or None, period) of ``kind``; return the (login,
    meter) pairs this call inserted (a row already there, sent before or by a concurrent run,
    is left out). One statement."""
    rows = list(rows)
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO meters_sentreminder (kind, user_id, meter_id, period, sent_at) "
            "SELECT %s, u, m, p, now() FROM unnest(%s::uuid[], %s::uuid[], %s::date[]) "
            "AS t(u, m, p) ON CONFLICT DO NOTHING RETURNING user_id, meter_id",
            [
                kind,
                [str(user) for user, _meter, _period in rows],
                [str(meter) if meter else None for _user, meter, _period in rows],
                [period for _user, _meter, period in rows],
            ],
        )
        return cursor.fetchall()


# -- the texts (in the association's language) ---------------------------------------------------


def _send(kind: str, users, subject: str, body: str) -> int:
    users = list(users)
    if not users:
        return 0
    notifications.notify(
        actor=None,
        kind=kind,
        recipients=users,
        subject=subject,
        body=body,
        path=reverse("meters:submit"),
    )
    return len(users)


def _window_opens(window: periods.Window) -> int:
    people, done = _window_audience(window.period, window.today)
    waiting = [user for user, premises in people.items() if not premises <= done]
    claimed = _claim(WINDOW_OPENS, ((user, None, window.period) for user in waiting))
    subject = _("Meter readings for %(period)s are open") % {
        "period": date_format(window.period, "F Y")
    }
    body = _(
        "Send the readings of your meters for %(period)s on the portal by %(until)s. It takes "
        "a minute: the page shows last month's figures."
    ) % {"period": date_format(window.period, "F Y"), "until": date_format(window.closes_on, "j E")}
    return _send(WINDOW_OPENS, [user for user, _meter in claimed], subject, body)


def _window_closing(window: periods.Window) -> int:
    people, done = _window_audience(window.period, window.today)
    waiting = [user for user, premises in people.items() if not premises <= done]
    claimed = _claim(WINDOW_CLOSING, ((user, None, window.period) for user in waiting))
    subject = _("Readings are accepted until %(until)s") % {
        "until": date_format(window.closes_on, "j E")
    }
    body = _(
        "We have not received all the readings of your meters for %(period)s yet. Send them on "
        "the portal by %(until)s: readings sent later count in the next month, and a month "
        "without readings is billed by the average consumption."
    ) % {"period": date_format(window.period, "F Y"), "until": date_format(window.closes_on, "j E")}
    return _send(WINDOW_CLOSING, [user for user, _meter in claimed], subject, body)


def _verification(today: datetime.date) -> dict[str, int]:
    """Expiring within 30 days (once per meter and due day) and expired (once a month)."""
    ahead = today + datetime.timedelta(days=VERIFICATION_NOTICE_DAYS)
    candidates = list(
        Meter.objects.filter(
            premises__isnull=False,
            closed_on__isnull=True,
            verified_on__isnull=False,
            verification_interval_years__isnull=False,
        )
        .filter(Q(verified_on__lte=_years_before(ahead)))
        .only("pk", "premises_id", "kind", "verified_on", "verification_interval_years")
    )
    due, expired = [], []
    for meter in candidates:
        day = meter.verification_due_on
        if day is None or day > ahead:
            continue
        (expired if day <= today else due).append(meter)
    people = _people_of_premises(list({m.premises_id for m in due + expired}), today)
    by_premises: dict = defaultdict(list)
    for user, premises in people.items():
        for premises_id in premises:
            by_premises[premises_id].append(user)
    sent = {VERIFICATION_DUE: 0, VERIFICATION_EXPIRED: 0}
    # The ledger's period: the due day (expiring: once), the month (expired: once a month).
    month = periods.month_of(today)
    rows = {VERIFICATION_DUE: [], VERIFICATION_EXPIRED: []}
    meters = {}
    for kind, found in ((VERIFICATION_DUE, due), (VERIFICATION_EXPIRED, expired)):
        for meter in found:
            meters[meter.pk] = meter
            period = meter.verification_due_on if kind == VERIFICATION_DUE else month
            rows[kind].extend((user, meter.pk, period) for user in by_premises[meter.premises_id])
    # One notification per (kind of resource, due day): the text names no meter's serial.
    claims: dict = defaultdict(list)
    for kind, pending in rows.items():
        for user, meter_id in _claim(kind, pending):
            meter = meters[meter_id]
            day = meter.verification_due_on if kind == VERIFICATION_DUE else None
            claims[(kind, meter.kind, day)].append((user, meter_id))
    for (kind, resource, day), claimed in claims.items():
        users = sorted({user for user, _meter in claimed})
        resource_name = MeterKind(resource).label
        if kind == VERIFICATION_DUE:
            subject = _("A meter's verification ends on %(day)s") % {
                "day": date_format(day, "j E Y")
            }
            body = _(
                "The verification of your meter (%(resource)s) ends on %(day)s. Have it "
                "verified or replaced and tell the board the new date: after that day the "
                "meter counts as failed and the bill uses the average, then the norm with an "
                "increasing coefficient."
            ) % {"resource": resource_name, "day": date_format(day, "j E Y")}
        else:
            subject = _("A meter's verification has expired")
            body = _(
                "The verification of your meter (%(resource)s) has expired: its readings no "
                "longer count, and the bill uses the average, then the norm with an increasing "
                "coefficient. Have it verified or replaced and tell the board the new date."
            ) % {"resource": resource_name}
        sent[kind] += _send(kind, users, subject, body)
    return sent


def _years_before(day: datetime.date) -> datetime.date:
    """A bound for the query: verified no later than this could be due by ``day`` (the
    shortest interval is a year)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# -- the job -------------------------------------------------------------------------------------


def send_due_reminders(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """What is due at this hour of the association's local time; counts per kind (nothing
    before ``REMINDER_HOUR``). Safe to run any number of times."""
    local = association_now(now)
    if local.hour < REMINDER_HOUR:
        return {}
    today = local.date()
    window = periods.current_window(today)
    counts: dict[str, int] = {}
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        if window.is_open:
            closing_from = window.closes_on - datetime.timedelta(days=CLOSING_DAYS)
            if today >= closing_from:
                counts[WINDOW_CLOSING] = _window_closing(window)
            else:
                counts[WINDOW_OPENS] = _window_opens(window)
        counts.update(_verification(today))
    return counts
