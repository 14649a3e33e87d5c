"""Writes of the budget: estimates and their lines, the lifecycle (publish, revise, put to a
meeting, the meeting's decision, the tariffs), expenditures. Keyword-only ``actor=``, audited in
the same transaction; a refusal is a ``ValidationError`` and leaves nothing written.

The seam for the voting app is ``record_decision``: whoever learns the meeting's outcome (the
board entering a protocol, or the voting engine closing its question) calls it; nothing else
in this app needs to know how the meeting was held.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.budget import arithmetic
from tenants.budget.declaration import APPROVED, PUBLISHED
from tenants.budget.models import (
    EDITABLE_STATUSES,
    Article,
    Basis,
    Decision,
    DecisionForm,
    DecisionSource,
    Estimate,
    Expenditure,
    Line,
    Status,
    Version,
    VersionKind,
)

LINE_FIELDS = ("article", "name", "planned", "comment", "basis", "order")
SOTKA = Decimal(100)
#: Association kinds that may approve the estimate online (217-ФЗ ст. 17.1).
ONLINE_KINDS = frozenset({"snt"})

#: Ledger services the rates become, by (basis, capital repair).
SERVICE_METHODS = {
    "area": "area",
    "premises": "fixed",
    "sotka": "membership",
    "member": "fixed",
}


def association_kind() -> str:
    return getattr(connection.tenant, "kind", "") or ""


def registry_bases(on: datetime.date | None = None) -> arithmetic.Bases:
    """The registry's totals: the area and number of premises (plots excluded), the сотки of
    plots (area / 100) and the members of the partnership on ``on``."""
    from tenants.residents.member_selectors import members_as_of
    from tenants.residents.models import Premises, PremisesKind

    totals = _premises_totals(Premises)
    area = sotki = Decimal(0)
    premises = 0
    for kind, total, count in totals:
        if kind == PremisesKind.PLOT:
            sotki += total / SOTKA
        else:
            area += total
            premises += count
    if not premises:
        # An association of plots only (an СНТ): its plots are what "per premises" counts.
        premises = sum(count for _kind, _total, count in totals)
    return arithmetic.Bases(
        area=area.quantize(arithmetic.KOPECK),
        premises=premises,
        sotki=sotki.quantize(arithmetic.KOPECK),
        members=len(members_as_of(on)),
    )


def _premises_totals(premises_model):
    from django.db.models import Count

    return [
        (row["kind"], row["area"] or Decimal(0), row["count"])
        for row in premises_model.objects.values("kind").annotate(
            area=Sum("area"), count=Count("id")
        )
    ]


def _locked(estimate: Estimate) -> Estimate:
    return Estimate.objects.select_for_update().get(pk=estimate.pk)


def _refuse_unless_editable(estimate: Estimate) -> None:
    if estimate.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _(
                "The estimate is %(status)s: its lines cannot be changed. An approved estimate "
                "is frozen; a change needs a new decision of the general meeting."
            )
            % {"status": estimate.get_status_display().lower()}
        )


# -- estimates and lines ------------------------------------------------------------------------


@transaction.atomic
def create_estimate(*, actor, year: int, title: str = "", copy_from: Estimate | None = None):
    """A draft estimate of ``year`` with the registry's totals of today; with ``copy_from``, its
    lines copied (last year's estimate as a start)."""
    if not year or year < 2000 or year > 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    if Estimate.objects.filter(year=year).exists():
        raise ValidationError({"year": _("An estimate for %(year)s exists.") % {"year": year}})
    bases = registry_bases()
    estimate = Estimate.objects.create(
        year=year,
        title=title or "",
        total_area=bases.area,
        premises_count=bases.premises,
        sotki=bases.sotki,
        members_count=bases.members,
        created_by=actor,
    )
    if copy_from is not None:
        Line.objects.bulk_create(
            Line(
                estimate=estimate,
                **{name: getattr(line, name) for name in LINE_FIELDS},
            )
            for line in copy_from.lines.all()
        )
    record("budget.estimate_created", actor=actor, target=estimate, details={"year": year})
    return estimate


@transaction.atomic
def refresh_bases(estimate: Estimate, *, actor) -> Estimate:
    """Take the registry's totals again (while the estimate is still edited)."""
    estimate = _locked(estimate)
    _refuse_unless_editable(estimate)
    bases = registry_bases()
    estimate.total_area = bases.area
    estimate.premises_count = bases.premises
    estimate.sotki = bases.sotki
    estimate.members_count = bases.members
    estimate.save(update_fields=["total_area", "premises_count", "sotki", "members_count"])
    record("budget.bases_refreshed", actor=actor, target=estimate)
    return estimate


def _clean_line(values: dict) -> dict:
    cleaned = {name: values[name] for name in LINE_FIELDS if name in values}
    if "planned" in cleaned:
        try:
            planned = Decimal(str(cleaned["planned"]))
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError({"planned": _("Enter the amount as a number.")}) from None
        if not planned.is_finite():
            raise ValidationError({"planned": _("Enter the amount as a number.")})
        if planned < 0:
            raise ValidationError({"planned": _("A planned amount cannot be negative.")})
        if planned != planned.quantize(arithmetic.KOPECK):
            raise ValidationError({"planned": _("Enter the amount in roubles and kopecks.")})
        if planned >= Decimal("1e12"):
            raise ValidationError({"planned": _("The amount is too large.")})
        cleaned["planned"] = planned
    if "article" in cleaned and cleaned["article"] not in Article.values:
        raise ValidationError({"article": _("Choose an article.")})
    if "basis" in cleaned and cleaned["basis"] not in Basis.values:
        raise ValidationError({"basis": _("Choose how the line is shared.")})
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise ValidationError({"name": _("Name the line.")})
    return cleaned


def _check_basis(basis: str) -> None:
    if basis in (Basis.SOTKA, Basis.MEMBER) and association_kind() not in ONLINE_KINDS:
        raise ValidationError(
            {"basis": _("Per сотка and per member are for gardening partnerships (СНТ).")}
        )


@transaction.atomic
def add_line(estimate: Estimate, *, actor, **values) -> Line:
    estimate = _locked(estimate)
    _refuse_unless_editable(estimate)
    cleaned = _clean_line(values)
    for name in ("article", "name", "planned"):
        if name not in cleaned:
            raise ValidationError({name: _("This field is required.")})
    cleaned.setdefault("basis", Basis.AREA)
    _check_basis(cleaned["basis"])
    line = Line.objects.create(estimate=estimate, **cleaned)
    record(
        "budget.line_added",
        actor=actor,
        target=line,
        details={"year": estimate.year, "planned": str(line.planned)},
    )
    return line


@transaction.atomic
def update_line(line: Line, *, actor, **values) -> Line:
    estimate = _locked(line.estimate)
    _refuse_unless_editable(estimate)
    line = Line.objects.select_for_update().get(pk=line.pk)
    cleaned = _clean_line(values)
    if "basis" in cleaned:
        _check_basis(cleaned["basis"])
    changed = [name for name, value in cleaned.items() if getattr(line, name) != value]
    for name in changed:
        setattr(line, name, cleaned[name])
    if changed:
        line.save(update_fields=changed)
        record("budget.line_changed", actor=actor, target=line, details={"fields": changed})
    return line


@transaction.atomic
def delete_line(line: Line, *, actor) -> None:
    estimate = _locked(line.estimate)
    _refuse_unless_editable(estimate)
    if line.expenditures.exists():
        raise ValidationError(_("Expenditures are posted against this line: it stays."))
    record("budget.line_deleted", actor=actor, target=line, details={"year": estimate.year})
    line.delete()


# -- lifecycle ----------------------------------------------------------------------------------


def current_content(estimate: Estimate) -> dict:
    return arithmetic.content(estimate, list(estimate.lines.all()))


def _snapshot(estimate: Estimate, *, kind: str, actor, reason: str = "") -> Version:
    data = current_content(estimate)
    number = (estimate.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    return Version.objects.create(
        estimate=estimate,
        number=number + 1,
        kind=kind,
        reason=reason,
        content=data,
        digest=arithmetic.digest(data),
        created_by=actor,
    )


def _tell_members(estimate: Estimate, *, actor, kind: str, subject: str) -> None:
    """Tell the members (``declaration.PUBLISHED`` / ``APPROVED``), in the same transaction."""
    from django.urls import reverse

    from tenants.notifications.services import notify_members

    notify_members(
        actor=actor,
        kind=kind,
        subject=subject,
        path=reverse("budget:estimate", args=[estimate.pk]),
    )


def _last_version(estimate: Estimate) -> Version | None:
    return estimate.versions.order_by("-number").first()


@transaction.atomic
def publish(estimate: Estimate, *, actor) -> Version:
    """The board publishes a draft for the members' discussion: version 1."""
    estimate = _locked(estimate)
    if estimate.status != Status.DRAFT:
        raise ValidationError(_("Only a draft is published for discussion."))
    if not estimate.lines.exists():
        raise ValidationError(_("Add the estimate's lines before publishing it."))
    version = _snapshot(estimate, kind=VersionKind.PUBLISHED, actor=actor)
    estimate.status = Status.DISCUSSION
    estimate.save(update_fields=["status"])
    record("budget.published", actor=actor, target=estimate, details={"version": version.number})
    _tell_members(
        estimate,
        actor=actor,
        kind=PUBLISHED,
        subject=_("The estimate for %(year)s is published for discussion")
        % {"year": estimate.year},
    )
    return version


@transaction.atomic
def revise(estimate: Estimate, *, actor, reason: str) -> Version:
    """The board publishes its changes made during the discussion as a new version, saying
    why (the members read the differences line by line)."""
    estimate = _locked(estimate)
    if estimate.status != Status.DISCUSSION:
        raise ValidationError(_("Only an estimate under discussion is revised."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the estimate is revised.")})
    last = _last_version(estimate)
    if last is not None and last.digest == arithmetic.digest(current_content(estimate)):
        raise ValidationError(_("Nothing has changed since version %(n)s.") % {"n": last.number})
    version = _snapshot(estimate, kind=VersionKind.REVISED, actor=actor, reason=reason[:500])
    record("budget.revised", actor=actor, target=estimate, details={"version": version.number})
    _tell_members(
        estimate,
        actor=actor,
        kind=PUBLISHED,
        subject=_("The estimate for %(year)s is revised: version %(n)s")
        % {"year": estimate.year, "n": version.number},
    )
    return version


@transaction.atomic
def put_to_meeting(estimate: Estimate, *, actor) -> Version:
    """The final version goes to the general meeting; its lines stay as they are until the
    meeting decides (a decision not adopted returns it to the discussion)."""
    estimate = _locked(estimate)
    if estimate.status != Status.DISCUSSION:
        raise ValidationError(_("Only an estimate under discussion is put to a meeting."))
    last = _last_version(estimate)
    if last is not None and last.digest != arithmetic.digest(current_content(estimate)):
        raise ValidationError(
            _("The lines changed since the last version: publish a revision first, saying why.")
        )
    version = _snapshot(estimate, kind=VersionKind.PUT_TO_MEETING, actor=actor)
    estimate.status = Status.MEETING
    estimate.save(update_fields=["status"])
    record(
        "budget.put_to_meeting", actor=actor, target=estimate, details={"version": version.number}
    )
    return version


@transaction.atomic
def record_decision(
    estimate: Estimate,
    *,
    actor,
    adopted: bool,
    decided_on: datetime.date,
    source: str = DecisionSource.PROTOCOL,
    form: str = DecisionForm.IN_PERSON,
    protocol_number: str = "",
    protocol_file=None,
    reference: str = "",
    rates_from: datetime.date | None = None,
) -> Decision:
    """The general meeting's decision on the estimate put to it.

    ``source``: ``protocol`` (the board enters a meeting's protocol, ``protocol_file`` an upload
    or a ``StoredFile``) or ``voting`` (the voting app, naming its question in ``reference``).
    A ТСЖ approves its estimate at a members' meeting (ЖК РФ ст. 145 ч. 2 п. 8.1) held in
    person, absentee or mixed; only an СНТ may hold it online (217-ФЗ ст. 17.1). Adopted: the
    estimate is frozen (a snapshot, its SHA-256 kept) and its rates apply from ``rates_from``
    (the decision's date by default). Not adopted: the estimate returns to the discussion.
    An opinion poll is not a decision: the voting app never calls this for one.
    """
    from tenants.budget.purposes import PROTOCOL
    from tenants.files import services as files

    estimate = _locked(estimate)
    if estimate.status != Status.MEETING:
        raise ValidationError(_("The estimate has not been put to a meeting."))
    if source not in DecisionSource.values:
        raise ValidationError({"source": _("Unknown source of the decision.")})
    if form not in DecisionForm.values:
        raise ValidationError({"form": _("Choose how the meeting was held.")})
    if form == DecisionForm.ONLINE and association_kind() not in ONLINE_KINDS:
        raise ValidationError(
            {
                "form": _(
                    "A homeowners' association approves its estimate at a general meeting of "
                    "members (ЖК РФ ст. 145 ч. 2), in person, absentee or mixed, not online."
                )
            }
        )
    if decided_on is None:
        raise ValidationError({"decided_on": _("Enter the date of the decision.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("A decision cannot be dated in the future.")})
    if source == DecisionSource.PROTOCOL and not (protocol_number or "").strip():
        raise ValidationError({"protocol_number": _("Enter the protocol's number.")})
    stored = protocol_file
    if protocol_file is not None and not hasattr(protocol_file, "purpose"):
        stored = files.store(protocol_file, purpose=PROTOCOL, actor=actor)
    version = _last_version(estimate)
    decision = Decision.objects.create(
        estimate=estimate,
        version=version,
        adopted=bool(adopted),
        decided_on=decided_on,
        protocol_number=(protocol_number or "").strip()[:40],
        form=form,
        source=source,
        reference=(reference or "")[:100],
        protocol_file=stored,
        created_by=actor,
    )
    if adopted:
        frozen = _snapshot(estimate, kind=VersionKind.APPROVED, actor=actor)
        estimate.status = Status.APPROVED
        estimate.approved_hash = frozen.digest
        estimate.approved_at = timezone.now()
        estimate.rates_from = rates_from or decided_on
        estimate.save(update_fields=["status", "approved_hash", "approved_at", "rates_from"])
        _tell_members(
            estimate,
            actor=actor,
            kind=APPROVED,
            subject=_("The general meeting approved the estimate for %(year)s")
            % {"year": estimate.year},
        )
    else:
        estimate.status = Status.DISCUSSION
        estimate.save(update_fields=["status"])
    record(
        "budget.decision_recorded",
        actor=actor,
        target=estimate,
        details={"adopted": bool(adopted), "decided_on": str(decided_on), "source": source},
    )
    return decision


# -- the voting engine --------------------------------------------------------------------------


def vote_threshold(rule) -> str:
    """The majority the estimate is decided by at a members' meeting under ``rule``: an СНТ's
    by two thirds of those present (217-ФЗ ст. 17 ч. 1 п. 17, ч. 2), elsewhere a majority of
    those present (ЖК РФ ст. 146 ч. 4: п. 8.1 of ст. 145 ч. 2 is not among the two-thirds
    questions); the rule's first threshold if it allows neither."""
    wanted = "two_thirds_present" if association_kind() in ONLINE_KINDS else "majority_present"
    return wanted if rule.allows(wanted) else rule.default_threshold


@transaction.atomic
def put_to_vote(
    estimate: Estimate,
    *,
    actor,
    meeting=None,
    new_meeting: dict | None = None,
    threshold: str = "",
    takes_effect_on: datetime.date | None = None,
):
    """Hand the estimate's final version to the voting engine: a question on the agenda of
    ``meeting`` (a draft members' meeting) or of a new one set up from ``new_meeting`` (form,
    dates, place, the charter's basis for online voting), carrying the version as its
    material (``agenda.ESTIMATE``). An estimate under discussion is put to a meeting first
    (``put_to_meeting``); one already put to a meeting (its decision awaited from a protocol)
    goes on the agenda as it is. The voting app checks the meeting's kind and form against the
    law (through ``agenda.accepts_version``); its outcome comes back to ``meeting_outcome``."""
    from tenants.budget.agenda import ESTIMATE, MEETING_KIND
    from tenants.voting import services as voting

    estimate = _locked(estimate)
    if estimate.status == Status.DISCUSSION:
        version = put_to_meeting(estimate, actor=actor)
        estimate.refresh_from_db()
    elif estimate.status == Status.MEETING:
        version = _last_version(estimate)
    else:
        raise ValidationError(_("Only an estimate under discussion is put to a meeting."))
    if meeting is None:
        if not new_meeting:
            raise ValidationError({"meeting": _("Choose a draft meeting or set up a new one.")})
        meeting = voting.create_meeting(
            actor=actor,
            kind=MEETING_KIND,
            title=str(
                _("General meeting of members: the estimate for %(year)s") % {"year": estimate.year}
            ),
            **new_meeting,
        )
    rule = meeting.rule
    question = voting.add_question(
        meeting,
        actor=actor,
        text=str(
            _(
                "To approve the estimate of income and expenditure for %(year)s (version %(n)s, "
                "SHA-256 %(digest)s) and the contributions it sets."
            )
            % {"year": estimate.year, "n": version.number, "digest": version.digest[:16] + "…"}
        ),
        threshold=threshold or vote_threshold(rule),
        gardeners_vote=rule.gardeners,
        material_kind=ESTIMATE,
        material_id=str(version.pk),
        takes_effect_on=takes_effect_on,
    )
    record(
        "budget.put_to_vote",
        actor=actor,
        target=estimate,
        details={"version": version.number, "meeting": str(meeting.pk)},
    )
    return question


@transaction.atomic
def meeting_outcome(outcome) -> Decision | None:
    """The voting engine's outcome of a question that carried an estimate's version
    (``core.extensions.AgendaOutcome``), recorded through ``record_decision``: adopted → the
    estimate is approved and frozen; not adopted → back to the discussion.

    Idempotent: a decision already recorded for that question is returned as it is. Nothing
    changes for an outcome that is not binding (an opinion poll), for a version that is no
    longer the one put to the meeting, or once the board has entered the meeting's decision
    from a protocol."""
    from tenants.budget.agenda import ESTIMATE

    if outcome.kind != ESTIMATE:
        return None
    existing = Decision.objects.filter(
        source=DecisionSource.VOTING, reference=str(outcome.question_id)
    ).first()
    if existing is not None or not outcome.binding:
        return existing
    version = Version.objects.filter(pk=outcome.material_id).first()
    if version is None:
        return None
    estimate = _locked(Estimate(pk=version.estimate_id))
    existing = Decision.objects.filter(
        source=DecisionSource.VOTING, reference=str(outcome.question_id)
    ).first()
    last = _last_version(estimate)
    if existing is not None or estimate.status != Status.MEETING or last is None:
        return existing
    if last.pk != version.pk:
        return None
    form = outcome.meeting_form if outcome.meeting_form in DecisionForm.values else "mixed"
    return record_decision(
        estimate,
        actor=None,
        adopted=outcome.adopted,
        decided_on=outcome.decided_on,
        source=DecisionSource.VOTING,
        form=form,
        protocol_number=str(outcome.meeting_number),
        reference=str(outcome.question_id),
        rates_from=outcome.takes_effect_on if outcome.adopted else None,
    )


def adopted_decision(estimate: Estimate) -> Decision | None:
    return estimate.decisions.filter(adopted=True).order_by("-decided_on").first()


@transaction.atomic
def apply_rates(estimate: Estimate, *, actor) -> list:
    """The approved rates become the ledger's tariffs from the decision's date, one service per
    basis (capital repair its own), made when missing. Only from an adopted decision."""
    from tenants.ledger import services as ledger
    from tenants.ledger.models import Service

    estimate = _locked(estimate)
    decision = adopted_decision(estimate)
    if estimate.status == Status.APPLIED:
        raise ValidationError(_("The tariffs of this estimate are set already."))
    if estimate.status != Status.APPROVED or decision is None:
        raise ValidationError(
            _(
                "Tariffs follow only from an estimate the general meeting adopted: record the "
                "adopted decision first."
            )
        )
    check = verify(estimate)
    if not check.intact:
        raise ValidationError(
            _("The approved estimate was altered in the database: the tariffs are not set.")
        )
    tariffs = []
    basis_text = _("Estimate %(year)s, decision of %(date)s No. %(number)s") % {
        "year": estimate.year,
        "date": date_format(decision.decided_on, "d.m.Y"),
        "number": decision.protocol_number or decision.reference or "—",
    }
    for rate in arithmetic.rates(list(estimate.lines.all()), arithmetic.bases_of(estimate)):
        if rate.rate is None:
            raise ValidationError(
                _("The registry has no %(basis)s to share the lines over.")
                % {"basis": Basis(rate.basis).label}
            )
        code = f"budget-{rate.basis}" + ("-capital" if rate.capital else "")
        service = Service.objects.filter(code=code).first()
        if service is None:
            service = ledger.create_service(
                actor=actor,
                code=code,
                name=service_name(rate.basis, rate.capital),
                method=SERVICE_METHODS[rate.basis],
                unit=arithmetic.UNITS[rate.basis],
                is_capital_repair=rate.capital,
            )
        tariffs.append(
            ledger.add_tariff(
                actor=actor,
                service=service,
                valid_from=estimate.rates_from,
                rate=rate.rate,
                basis=basis_text[:200],
            )
        )
    estimate.status = Status.APPLIED
    estimate.applied_at = timezone.now()
    estimate.applied_by = actor
    estimate.save(update_fields=["status", "applied_at", "applied_by"])
    record(
        "budget.rates_applied",
        actor=actor,
        target=estimate,
        details={"tariffs": len(tariffs), "from": str(estimate.rates_from)},
    )
    return tariffs


def service_name(basis: str, capital: bool) -> str:
    if capital:
        return str(_("Capital repair contribution (%(basis)s)") % {"basis": Basis(basis).label})
    return str(_("Contribution by the estimate (%(basis)s)") % {"basis": Basis(basis).label})


class Check:
    """The approved hash recomputed from the rows as they are now."""

    def __init__(self, stored: str, recomputed: str, altered: list[str]):
        self.stored = stored
        self.recomputed = recomputed
        self.altered = altered

    @property
    def intact(self) -> bool:
        return not self.stored or self.stored == self.recomputed


def verify(estimate: Estimate) -> Check:
    """Recompute the approved estimate's hash from its rows; name the lines that differ from
    the frozen snapshot (altered, added or removed behind the portal's back)."""
    now = current_content(estimate)
    recomputed = arithmetic.digest(now)
    altered: list[str] = []
    if estimate.approved_hash and recomputed != estimate.approved_hash:
        frozen = estimate.versions.filter(kind=VersionKind.APPROVED).order_by("-number").first()
        if frozen is not None:
            altered = [change.name for change in arithmetic.diff(frozen.content, now)]
            if frozen.content.get("bases") != now["bases"]:
                altered.append(str(_("the registry's totals")))
    return Check(estimate.approved_hash, recomputed, altered)


# -- execution ----------------------------------------------------------------------------------


@transaction.atomic
def post_expenditure(
    line: Line,
    *,
    actor,
    supplier: str,
    spent_on: datetime.date,
    amount,
    document: str = "",
    work_order=None,
) -> Expenditure:
    """An actual expenditure against a line of an approved estimate, in its year and in a month
    the ledger has not closed (``work_order``: the dispatch request it posts, see
    ``post_work_order``)."""
    from tenants.ledger import services as ledger

    estimate = Estimate.objects.get(pk=line.estimate_id)
    if not estimate.is_frozen:
        raise ValidationError(_("Expenditures are posted against an approved estimate only."))
    try:
        amount = Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": _("Enter the amount as a number.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount != amount.quantize(arithmetic.KOPECK) or amount >= Decimal("1e12"):
        raise ValidationError({"amount": _("Enter the amount in roubles and kopecks.")})
    supplier = (supplier or "").strip()
    if not supplier:
        raise ValidationError({"supplier": _("Name the supplier.")})
    if spent_on is None:
        raise ValidationError({"spent_on": _("Enter the date.")})
    if spent_on.year != estimate.year:
        raise ValidationError(
            {"spent_on": _("The date is outside the estimate's year %(year)s.")
             % {"year": estimate.year}}
        )  # fmt: skip
    if ledger.is_closed(spent_on):
        raise ValidationError(
            {
                "spent_on": _(
                    "%(month)s is closed in the ledger: nothing can be posted in it any more."
                )
                % {"month": date_format(spent_on.replace(day=1), "F Y")}
            }
        )
    expenditure = Expenditure.objects.create(
        line=line,
        supplier=supplier[:200],
        document=(document or "").strip()[:200],
        spent_on=spent_on,
        amount=amount,
        work_order=work_order,
        created_by=actor,
    )
    record(
        "budget.expenditure_posted",
        actor=actor,
        target=expenditure,
        details={"amount": str(amount), "spent_on": str(spent_on)},
    )
    return expenditure


@transaction.atomic
def post_work_order(line: Line, *, actor, work_order_id) -> Expenditure:
    """A closed dispatch work order with a cost posted as an expenditure against ``line``: its
    supplier, its number as the document, the day it was closed and its cost. A work order is
    posted once (a unique constraint backs the check against two accountants at once)."""
    from tenants.dispatch.models import Request, Supplier
    from tenants.dispatch.models import Status as RequestStatus
    from tenants.dispatch.selectors import without_text

    order = without_text(Request.objects.select_for_update()).filter(pk=work_order_id).first()
    if (
        order is None
        or order.status != RequestStatus.CLOSED
        or not order.cost
        or order.supplier_id is None
    ):
        raise ValidationError(
            {"work_order": _("Only a closed work order with a supplier and a cost is posted.")}
        )
    if Expenditure.objects.filter(work_order=order).exists():
        raise ValidationError(
            {
                "work_order": _("Work order No. %(number)s is posted already.")
                % {"number": order.number}
            }
        )
    try:
        with transaction.atomic():
            return post_expenditure(
                line,
                actor=actor,
                supplier=Supplier.objects.filter(pk=order.supplier_id)
                .values_list("name", flat=True)
                .get(),
                spent_on=timezone.localtime(order.closed_at).date(),
                amount=order.cost,
                document=str(_("Work order No. %(number)s") % {"number": order.number}),
                work_order=order,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "work_order": _("Work order No. %(number)s is posted already.")
                % {"number": order.number}
            }
        ) from None


@transaction.atomic
def publish_report(estimate: Estimate, *, actor):
    """The execution report (PDF) published to the members and owners through the documents
    app, in its section of reports on the estimates' execution (ЖК РФ ст. 143.1 ч. 3: members
    and owners who are not members may read it). Published again: a new version of the same
    document, the earlier ones kept."""
    from django.core.files.base import ContentFile

    from tenants.budget import report
    from tenants.documents import services as documents
    from tenants.documents.sections import ReaderGroup, Section

    estimate = _locked(estimate)
    if not estimate.is_frozen:
        raise ValidationError(_("The execution report is published for an approved estimate."))
    today = timezone.localdate()
    pdf = report.render_pdf(report.build(estimate))
    upload = ContentFile(pdf, name=f"ispolnenie-smety-{estimate.year}.pdf")
    note = str(_("As of %(date)s") % {"date": date_format(today, "d.m.Y")})
    if estimate.report_document is not None:
        documents.add_version(
            actor=actor, document=estimate.report_document, upload=upload, note=note
        )
        document = estimate.report_document
    else:
        document = documents.publish_document(
            actor=actor,
            section=Section.ESTIMATE_REPORT,
            title=str(
                _("Report on the execution of the estimate for %(year)s") % {"year": estimate.year}
            ),
            readers=ReaderGroup.OWNERS,
            upload=upload,
            description=str(
                _("Plan and fact by line, quarter and month; income charged and collected.")
            ),
            dated=today,
            note=note,
        )
        estimate.report_document = document
        estimate.save(update_fields=["report_document"])
    record(
        "budget.report_published",
        actor=actor,
        target=estimate,
        details={"document": str(document.pk)},
    )
    return document


@transaction.atomic
def cancel_expenditure(expenditure: Expenditure, *, actor) -> None:
    """The accountant takes back an expenditure posted by mistake, while its month is open in
    the ledger (a closed month keeps its figures: post a correction in an open month)."""
    from tenants.ledger import services as ledger

    expenditure = Expenditure.objects.select_for_update().get(pk=expenditure.pk)
    if ledger.is_closed(expenditure.spent_on):
        raise ValidationError(
            _("%(month)s is closed in the ledger: its expenditures stay.")
            % {"month": date_format(expenditure.spent_on.replace(day=1), "F Y")}
        )
    record(
        "budget.expenditure_cancelled",
        actor=actor,
        target=expenditure,
        details={"amount": str(expenditure.amount), "spent_on": str(expenditure.spent_on)},
    )
    expenditure.delete()
