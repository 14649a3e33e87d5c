"""Writing the ledger: posting entries, services and tariffs, benefits, periods, accrual runs.

Every write takes ``actor=`` (keyword-only; None for the system), is audited with
``core.audit`` in its transaction, and queues its tasks once that commits, with ids only.
A refusal is a ``ValidationError`` that says why; nothing is written then.

Posting keeps ``Balance`` equal to the sum of the journal: the balance row is locked
(``SELECT … FOR UPDATE``) before the entries are inserted, and updated in the same transaction.
The accrual run inserts its charges with ``COPY`` into a temporary table and one ``INSERT …
ON CONFLICT DO NOTHING`` (the constraint ``ledger_one_charge_per_month`` makes a second run of
the same month post nothing), under a transaction-level advisory lock per schema and month.
"""

from __future__ import annotations

import datetime
import json
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import relay
from core.audit.services import record
from tenants.ledger import calculation
from tenants.ledger.models import (
    AccrualRun,
    Balance,
    Benefit,
    BenefitKind,
    Entry,
    EntryKind,
    Method,
    Period,
    RunStatus,
    Service,
    Tariff,
)
from tenants.ledger.money import ZERO, kopecks, month_of, previous_month
from tenants.residents.models import Holding, PersonalAccount

logger = logging.getLogger(__name__)

#: Advisory lock class of the accrual run (the second key: the schema's and month's hash).
RUN_LOCK_CLASS = 71_12

#: Kinds refused in a closed month.
CHARGING_KINDS = (EntryKind.CHARGE, EntryKind.RECALCULATION, EntryKind.PENALTY)


def _month_name(month: datetime.date) -> str:
    return date_format(month, "F Y")


# -- periods ------------------------------------------------------------------------------------


def period_row(month: datetime.date) -> Period:
    row, _created = Period.objects.get_or_create(month=month_of(month))
    return row


def is_closed(month: datetime.date) -> bool:
    return Period.objects.filter(month=month_of(month), closed_at__isnull=False).exists()


def refuse_if_closed(month: datetime.date) -> None:
    if is_closed(month):
        raise ValidationError(
            _(
                "%(month)s is closed: nothing can be charged in it any more. Post a "
                "recalculation in an open month that names %(month)s."
            )
            % {"month": _month_name(month)}
        )


@transaction.atomic
def close_period(month: datetime.date, *, actor) -> Period:
    """The accountant closes a month: later charges for it are refused."""
    month = month_of(month)
    period = Period.objects.select_for_update().filter(
        month=month
    ).first() or Period.objects.create(month=month)
    if period.is_closed:
        raise ValidationError(_("%(month)s is already closed.") % {"month": _month_name(month)})
    if AccrualRun.objects.filter(period=month, status__in=_active()).exists():
        raise ValidationError(
            _("An accrual run for %(month)s is under way: post or discard it first.")
            % {"month": _month_name(month)}
        )
    period.closed_at = timezone.now()
    period.closed_by = actor
    period.save(update_fields=["closed_at", "closed_by"])
    record("ledger.period_closed", actor=actor, target=period, details={"month": str(month)})
    return period


def _active():
    from tenants.ledger.models import ACTIVE_RUN_STATUSES

    return list(ACTIVE_RUN_STATUSES)


# -- posting ------------------------------------------------------------------------------------


def _locked_balance(account_id) -> Balance:
    Balance.objects.get_or_create(account_id=account_id)
    return Balance.objects.select_for_update().get(account_id=account_id)


def current_holding_id(account_id):
    return (
        Holding.objects.filter(account_id=account_id, ended_on__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def post_entry(
    *,
    actor,
    account,
    kind: str,
    period: datetime.date,
    amount: Decimal,
    service=None,
    holding_id=None,
    reason: str = "",
    source: str = "",
    source_id: str = "",
    booked_on: datetime.date | None = None,
    corrects_period: datetime.date | None = None,
    calculation_data: dict | None = None,
    audit: bool = True,
) -> tuple[Entry, bool]:
    """Append one entry to ``account``'s journal and move its balance, under the balance
    row's lock. Signs: positive raises the debt, negative (a payment) lowers it. An entry with
    a ``source_id`` already posted from ``source`` is not posted again: ``(entry, False)``.

    Refuses a charge, penalty or recalculation in a closed month, a recalculation that names
    no period, a zero amount."""
    account_id = getattr(account, "pk", account)
    period = month_of(period)
    amount = kopecks(amount)
    if kind in CHARGING_KINDS:
        refuse_if_closed(period)
    if kind == EntryKind.RECALCULATION and corrects_period is None:
        raise ValidationError(_("A recalculation names the month it corrects."))
    if kind == EntryKind.RECALCULATION and not reason:
        raise ValidationError({"reason": _("A recalculation says why.")})
    if amount == 0:
        raise ValidationError({"amount": _("The amount is zero.")})
    balance = _locked_balance(account_id)
    if source_id:
        existing = Entry.objects.filter(source=source, source_id=source_id).first()
        if existing is not None:
            return existing, False
    if holding_id is None:
        holding_id = current_holding_id(account_id)
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                account_id=account_id,
                holding_id=holding_id,
                kind=kind,
                period=period,
                corrects_period=month_of(corrects_period) if corrects_period else None,
                service=service,
                amount=amount,
                booked_on=booked_on or timezone.localdate(),
                reason=reason,
                author=actor,
                source=source,
                source_id=source_id,
                calculation=calculation_data or {},
            )
    except IntegrityError as error:
        if kind == EntryKind.CHARGE:
            raise ValidationError(
                _("This account is already charged for this service in %(month)s.")
                % {"month": _month_name(period)}
            ) from error
        raise
    Balance.objects.filter(pk=balance.pk).update(
        amount=balance.amount + amount, updated_at=timezone.now()
    )
    if audit:
        record(
            f"ledger.{kind}_posted",
            actor=actor,
            target=entry,
            details={"period": str(period), "amount": str(amount), "source": source},
        )
    return entry, True


def post_recalculation(
    *, actor, account, service, corrects_period, amount, reason: str, period=None
) -> Entry:
    """A correction of a (closed) month, posted in an open month (by default the current one)
    and naming the month it corrects."""
    period = month_of(period or timezone.localdate())
    entry, _created = post_entry(
        actor=actor,
        account=account,
        kind=EntryKind.RECALCULATION,
        period=period,
        amount=amount,
        service=service,
        reason=reason,
        corrects_period=corrects_period,
    )
    return entry


@transaction.atomic
def recompute_balance(account_id) -> Balance:
    """Set an account's running balance to the sum of its journal (the truth)."""
    balance = _locked_balance(account_id)
    total = Entry.objects.filter(account_id=account_id).aggregate(s=Sum("amount"))["s"] or ZERO
    Balance.objects.filter(pk=balance.pk).update(amount=total, updated_at=timezone.now())
    balance.amount = total
    return balance


# -- services, tariffs, benefits ----------------------------------------------------------------

SERVICE_FIELDS = (
    "code",
    "name",
    "method",
    "unit",
    "meter_kind",
    "is_capital_repair",
    "recipient",
    "is_active",
    "order",
)


def _check_service(service: Service) -> None:
    if service.method in (Method.METERED, Method.COMMON_HOUSE, Method.HEATING) and not (
        service.meter_kind
    ):
        raise ValidationError({"meter_kind": _("Name the resource its meters measure.")})
    if Service.objects.filter(code=service.code).exclude(pk=service.pk).exists():
        raise ValidationError({"code": _("A service with this code exists.")})


@transaction.atomic
def create_service(*, actor, **values) -> Service:
    service = Service(**{k: v for k, v in values.items() if k in SERVICE_FIELDS})
    _check_service(service)
    service.save()
    record("ledger.service_added", actor=actor, target=service, details={"code": service.code})
    return service


@transaction.atomic
def update_service(service: Service, *, actor, **values) -> Service:
    service = Service.objects.select_for_update().get(pk=service.pk)
    changed = []
    for name, value in values.items():
        if name in SERVICE_FIELDS and getattr(service, name) != value:
            if name == "method" and service.entries.exists():
                raise ValidationError(
                    {
                        "method": _(
                            "The service has been charged: its method stays. Add a new "
                            "service instead."
                        )
                    }
                )
            setattr(service, name, value)
            changed.append(name)
    if changed:
        _check_service(service)
        service.save()
        record("ledger.service_changed", actor=actor, target=service, details={"fields": changed})
    return service


@transaction.atomic
def add_tariff(
    *, actor, service: Service, valid_from: datetime.date, rate, norm=None, basis: str = ""
) -> Tariff:
    """A new tariff of ``service`` from ``valid_from``; earlier tariffs stay as they are.
    Refused: a missing or negative rate, a date in a closed or already charged month, a date
    another tariff of the service starts on."""
    if rate is None:
        raise ValidationError({"rate": _("Enter the rate.")})
    rate = Decimal(rate)
    if rate < 0:
        raise ValidationError({"rate": _("A rate cannot be negative.")})
    if norm is not None and Decimal(norm) < 0:
        raise ValidationError({"norm": _("A norm cannot be negative.")})
    month = month_of(valid_from)
    if (
        is_closed(month)
        or Entry.objects.filter(service=service, kind=EntryKind.CHARGE, period__gte=month).exists()
    ):
        raise ValidationError(
            {
                "valid_from": _(
                    "%(month)s is already charged or closed: a past tariff is never "
                    "rewritten. Start the new tariff in a month not charged yet, and "
                    "post recalculations for the past."
                )
                % {"month": _month_name(month)}
            }
        )
    if Tariff.objects.filter(service=service, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("A tariff of this service starts on this day.")})
    tariff = Tariff.objects.create(
        service=service,
        valid_from=valid_from,
        rate=rate,
        norm=norm,
        basis=basis,
        created_by=actor,
    )
    record(
        "ledger.tariff_added",
        actor=actor,
        target=tariff,
        details={"service": service.code, "valid_from": str(valid_from), "rate": str(rate)},
    )
    return tariff


@transaction.atomic
def add_benefit(
    *, actor, account, service, kind: str, value, started_on, ended_on=None, basis: str = ""
) -> Benefit:
    value = Decimal(value)
    if kind not in BenefitKind.values:
        raise ValidationError({"kind": _("Choose percent or a fixed reduction.")})
    if value <= 0 or (kind == BenefitKind.PERCENT and value > 100):
        raise ValidationError(
            {"value": _("A percent is above 0 and at most 100; a reduction is above zero.")}
        )
    if ended_on is not None and ended_on <= started_on:
        raise ValidationError({"ended_on": _("The end is after the start.")})
    benefit = Benefit.objects.create(
        account=account,
        service=service,
        kind=kind,
        value=value,
        started_on=started_on,
        ended_on=ended_on,
        basis=basis,
        created_by=actor,
    )
    record("ledger.benefit_added", actor=actor, target=benefit, details={"kind": kind})
    return benefit


# -- capital repair arrears on a change of holder (ЖК РФ ст. 158 ч. 3) ---------------------------


def pass_capital_repair_arrears(period: datetime.date, *, actor=None, run=None) -> int:
    """Contributions for capital repairs a former holder did not pay pass to the new owner
    (ЖК РФ ст. 158 ч. 3); their other debts stay theirs. For every ended holding whose account
    has a later holding, its unpaid capital-repair balance per service moves by a pair of
    ``transfer`` entries (minus on the former holding, plus on the new), posted once a month
    (source ``holder_change``, the holding, service and month as its id; after it the former
    holding owes nothing for the service, so a later month passes only what was added since).
    Runs inside the caller's transaction (the accrual run's)."""
    capital = list(Service.objects.filter(is_capital_repair=True).values_list("pk", flat=True))
    if not capital:
        return 0
    owed = (
        Entry.objects.filter(service_id__in=capital, holding__ended_on__isnull=False)
        .values("account_id", "holding_id", "service_id", "holding__ended_on")
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
    )
    posted = 0
    for row in owed:
        successor = (
            Holding.objects.filter(
                account_id=row["account_id"], started_on__gte=row["holding__ended_on"]
            )
            .order_by("started_on")
            .values_list("pk", flat=True)
            .first()
        )
        if successor is None:
            continue
        key = f"{row['holding_id']}:{row['service_id']}:{period:%Y-%m}"
        reason = _("Capital repair arrears pass to the new owner (ЖК РФ ст. 158 ч. 3)")
        for sign, holding_id, suffix in ((-1, row["holding_id"], "out"), (1, successor, "in")):
            _entry, created = post_entry(
                actor=actor,
                account=row["account_id"],
                kind=EntryKind.TRANSFER,
                period=period,
                amount=sign * row["total"],
                service=Service(pk=row["service_id"]),
                holding_id=holding_id,
                reason=reason,
                source="holder_change",
                source_id=f"{key}:{suffix}",
                audit=False,
            )
            posted += int(created)
    return posted


# -- accrual runs -------------------------------------------------------------------------------


def _log(run: AccrualRun, message: str) -> None:
    run.log = [*run.log, {"at": timezone.now().isoformat(), "message": message}]


def _locked_run(run_id) -> AccrualRun:
    return AccrualRun.objects.select_for_update().get(pk=run_id)


@transaction.atomic
def start_run(period: datetime.date, *, actor, queue: bool = True) -> AccrualRun:
    """Start the accrual run of a month: its preview is calculated in the background. Refused
    for a closed month, or while another run of the month is under way (one at a time, by the
    constraint ``ledger_one_active_run_per_period``)."""
    period = month_of(period)
    refuse_if_closed(period)
    try:
        with transaction.atomic():
            run = AccrualRun.objects.create(period=period, started_by=actor)
    except IntegrityError as error:
        raise ValidationError(
            _("An accrual run for %(month)s is already under way.") % {"month": _month_name(period)}
        ) from error
    _log(run, "queued")
    run.save(update_fields=["log"])
    record("ledger.run_started", actor=actor, target=run, details={"period": str(period)})
    if queue:
        from tenants.ledger.tasks import preview_run as task

        transaction.on_commit(lambda: _queue(task, run.pk))
    return run


def _queue(task, run_id) -> None:
    """A broker that is down keeps the job for the relay (core.relay): the run stays queued and
    goes on once Redis is back."""
    relay.send(task, run_id)


def _set_progress(run_id, done: int, total: int) -> None:
    AccrualRun.objects.filter(pk=run_id).update(done=done, total=total)


def _summary(period: datetime.date, charges: list[calculation.Charge]) -> dict:
    """Totals per service and the accounts whose charges differ from last month's."""
    names = dict(Service.objects.values_list("pk", "name"))
    by_service: dict = {}
    by_account: dict = {}
    for charge in charges:
        row = by_service.setdefault(charge.service_id, {"amount": ZERO, "accounts": set()})
        row["amount"] += charge.amount
        row["accounts"].add(charge.account_id)
        by_account[charge.account_id] = by_account.get(charge.account_id, ZERO) + charge.amount
    before = dict(
        Entry.objects.filter(period=previous_month(period), kind=EntryKind.CHARGE)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    numbers = dict(PersonalAccount.objects.values_list("pk", "number"))
    changed = [
        {
            "account": str(pk),
            "number": numbers.get(pk, ""),
            "before": str(before.get(pk, ZERO)),
            "after": str(total),
        }
        for pk, total in by_account.items()
        if before.get(pk, ZERO) != total
    ]
    changed.sort(key=lambda row: row["number"])
    return {
        "services": [
            {
                "service": str(pk),
                "name": names.get(pk, ""),
                "amount": str(row["amount"]),
                "accounts": len(row["accounts"]),
            }
            for pk, row in by_service.items()
        ],
        "amount": str(sum((c.amount for c in charges), ZERO)),
        "accounts": len(by_account),
        "charges": len(charges),
        "changed_count": len(changed),
        "changed": changed[:200],
    }


def preview_run(run_id) -> AccrualRun:
    """Calculate a run's preview (the task's body): totals, changes against last month.

    A run left ``previewing`` is calculated again: its worker died mid-way (the task came back
    from the broker, docs/operations.md "Retries and idempotency"). The preview writes nothing
    but the run's own summary, so a second calculation changes nothing else."""
    with transaction.atomic():
        run = _locked_run(run_id)
        if run.status not in (RunStatus.QUEUED, RunStatus.PREVIEWING):
            return run
        run.status = RunStatus.PREVIEWING
        run.save(update_fields=["status"])
    try:
        charges = calculation.calculate(
            run.period, progress=lambda done, total: _set_progress(run.pk, done, total)
        )
        summary = _summary(run.period, charges)
    except Exception:
        with transaction.atomic():
            run = _locked_run(run_id)
            run.status = RunStatus.FAILED
            _log(run, "preview failed")
            run.save(update_fields=["status", "log"])
        logger.exception("ledger run %s: the preview failed", run_id)
        raise
    with transaction.atomic():
        run = _locked_run(run_id)
        run.status = RunStatus.PREVIEW
        run.summary = summary
        _log(
            run,
            f"preview: {summary['charges']} charges, {summary['accounts']} accounts, "
            f"{summary['changed_count']} changed",
        )
        run.save(update_fields=["status", "summary", "log"])
    return run


@transaction.atomic
def confirm_run(run_id, *, actor, queue: bool = True) -> AccrualRun:
    """The accountant posts a previewed run (in the background)."""
    run = _locked_run(run_id)
    if run.status != RunStatus.PREVIEW:
        raise ValidationError(_("Only a run whose preview is ready can be posted."))
    refuse_if_closed(run.period)
    run.status = RunStatus.POSTING
    run.done = 0
    _log(run, "posting")
    run.save(update_fields=["status", "done", "log"])
    record("ledger.run_confirmed", actor=actor, target=run, details={"period": str(run.period)})
    if queue:
        from tenants.ledger.tasks import post_run as task

        transaction.on_commit(lambda: _queue(task, run.pk))
    return run


@transaction.atomic
def discard_run(run_id, *, actor) -> AccrualRun:
    run = _locked_run(run_id)
    if run.status not in (RunStatus.PREVIEW, RunStatus.QUEUED, RunStatus.FAILED):
        raise ValidationError(_("Only a preview or a failed run can be discarded."))
    run.status = RunStatus.DISCARDED
    _log(run, "discarded")
    run.save(update_fields=["status", "log"])
    record("ledger.run_discarded", actor=actor, target=run, details={"period": str(run.period)})
    return run


def post_run(run_id, *, booked_on: datetime.date | None = None) -> AccrualRun:
    """Post a confirmed run (the task's body): calculate again from fresh data, then insert the
    charges in one transaction under the month's advisory lock. Charges already posted for the
    month (an earlier run) are skipped by ``ON CONFLICT DO NOTHING``: posting twice changes
    nothing. The charges are booked today (``booked_on`` for the demo's past year: a credit
    pays a charge from the day it is booked, which the penalty rule reads)."""
    run = AccrualRun.objects.get(pk=run_id)
    if run.status != RunStatus.POSTING:
        return run
    try:
        charges = calculation.calculate(
            run.period, progress=lambda done, total: _set_progress(run.pk, done, total)
        )
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema() || %s))",
                    [RUN_LOCK_CLASS, str(run.period)],
                )
            run = _locked_run(run_id)
            refuse_if_closed(run.period)
            period_row(run.period)
            inserted = insert_charges(run, charges, booked_on=booked_on)
            transferred = pass_capital_repair_arrears(run.period, actor=run.started_by, run=run)
            run.status = RunStatus.POSTED
            run.posted_entries = inserted
            run.finished_at = timezone.now()
            run.done = run.total
            _log(
                run,
                f"posted {inserted} charges ({len(charges) - inserted} already posted), "
                f"{transferred} capital-repair transfers",
            )
            run.save()
            record(
                "ledger.run_posted",
                actor=run.started_by,
                target=run,
                details={"period": str(run.period), "entries": inserted},
            )
    except ValidationError as error:
        with transaction.atomic():
            run = _locked_run(run_id)
            run.status = RunStatus.FAILED
            _log(run, " ".join(error.messages))
            run.save(update_fields=["status", "log"])
        return run
    return run


def insert_charges(
    run: AccrualRun, charges: list[calculation.Charge], *, booked_on: datetime.date | None = None
) -> int:
    """``COPY`` the charges into a temporary table, then insert the ones not posted yet and
    move the balances of their accounts (rows locked in account order) in one statement."""
    if not charges:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE ledger_incoming (account_id uuid, holding_id uuid, "
            "service_id uuid, amount numeric(14, 2), calculation jsonb) ON COMMIT DROP"
        )
        raw = cursor.cursor
        with raw.copy(
            "COPY ledger_incoming (account_id, holding_id, service_id, amount, calculation) "
            "FROM STDIN"
        ) as copy:
            dumps = json.dumps
            for c in charges:
                copy.write_row(
                    (
                        c.account_id,
                        c.holding_id,
                        c.service_id,
                        c.amount,
                        dumps(c.calculation, ensure_ascii=False),
                    )
                )
        cursor.execute(
            "INSERT INTO ledger_balance (account_id, amount, updated_at) "
            "SELECT DISTINCT account_id, 0, now() FROM ledger_incoming ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "SELECT 1 FROM ledger_balance WHERE account_id IN "
            "(SELECT account_id FROM ledger_incoming) ORDER BY account_id FOR UPDATE"
        )
        cursor.execute(
            """
            WITH inserted AS (
                INSERT INTO ledger_entry (account_id, holding_id, kind, period, corrects_period,
                    service_id, amount, booked_on, reason, author_id, run_id, source, source_id,
                    calculation, created_at)
                SELECT account_id, holding_id, 'charge', %(period)s, NULL, service_id, amount,
                    %(today)s, '', %(author)s, %(run)s, 'accrual', '', calculation, now()
                FROM ledger_incoming
                ON CONFLICT DO NOTHING
                RETURNING account_id, amount
            ), sums AS (
                SELECT account_id, sum(amount) AS total, count(*) AS n
                FROM inserted GROUP BY account_id
            ), moved AS (
                UPDATE ledger_balance b SET amount = b.amount + sums.total, updated_at = now()
                FROM sums WHERE b.account_id = sums.account_id
                RETURNING sums.n
            )
            SELECT coalesce(sum(n), 0) FROM moved
            """,
            {
                "period": run.period,
                "today": booked_on or timezone.localdate(),
                "author": run.started_by_id,
                "run": run.pk,
            },
        )
        (inserted,) = cursor.fetchone()
        cursor.execute("DROP TABLE ledger_incoming")
    return int(inserted)


def accrue(period: datetime.date, *, actor, booked_on: datetime.date | None = None) -> AccrualRun:
    """Start, preview and post a month's run in this process (tests, the demo, the benchmark;
    the page goes through the tasks)."""
    run = start_run(period, actor=actor, queue=False)
    preview_run(run.pk)
    confirm_run(run.pk, actor=actor, queue=False)
    return post_run(run.pk, booked_on=booked_on)
