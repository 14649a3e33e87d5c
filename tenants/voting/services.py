"""Writing meetings, agendas, registers and decisions. Every change is audited in its
transaction; refusals are ``ValidationError``s naming the field, in the reader's language.

The life of a meeting: **draft** (the board sets it up: kind, form, dates, agenda) → **notice
published** (the dates checked against the rule in force that day, which the meeting then
keeps; everyone entitled is told) → **voting** (from its start: the register is frozen from
the registry; decisions are appended to the chain) → **closed** (the chain's final hash is kept
and published with the results).

Decisions (``cast``): online by the voter (or their accepted proxy) between the start and the
end; on paper or at the session, entered by the board with the scan, until the board closes
the meeting. Each submission is one link of the meeting's hash chain: the meeting's row is
locked (``SELECT … FOR UPDATE``) while the link is appended, so concurrent voters are put in
one order and none is lost. A change is a new link; the last one counts.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import extensions, relay
from core.access.roles import BOARD, has_role
from core.audit import services as audit
from core.crypto.fields import blind_index_for
from tenants.files import services as files
from tenants.notifications.services import notify
from tenants.voting import chain, register, rules, selectors
from tenants.voting.models import (
    Ballot,
    ChainEntry,
    Choice,
    Meeting,
    MeetingStatus,
    Proxy,
    ProxyStatus,
    Question,
    Source,
    Voter,
    VoterKind,
)
from tenants.voting.purposes import PAPER_DECISION, PROXY_DOCUMENT
from tenants.voting.rules import MeetingForm, MeetingKind

#: The advisory lock class that hands out meeting numbers, one association at a time.
NUMBER_LOCK = 0x766F7465  # "vote"
MAX_QUESTIONS = 50
NOTICE_KIND = "voting.notice"

logger = logging.getLogger(__name__)


def _now(now=None) -> datetime.datetime:
    return now or timezone.now()


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _day_text(day: datetime.date) -> str:
    return date_format(day, "j E Y")


# -- the rule and the dates ---------------------------------------------------------------------


def rule_for(kind: str, *, on: datetime.date) -> rules.MeetingRule:
    try:
        return rules.rule_for(selectors.association_kind(), kind, on)
    except rules.NoRule:
        raise ValidationError(
            {"kind": _("This partnership does not hold meetings of this kind.")}
        ) from None


def check_dates(
    rule: rules.MeetingRule,
    *,
    form: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    notice_on: datetime.date,
    place: str = "",
    online_basis: str = "",
) -> None:
    """Refuse dates and a form the rule does not allow (``notice_on``: the day the notice is,
    or would be, published)."""
    errors: dict[str, str] = {}
    if form not in rule.forms():
        if form == MeetingForm.ONLINE:
            errors["form"] = _(
                "An online vote on the portal does not bind this meeting: since 1 March 2025 an "
                "electronic owners' meeting is valid only in ГИС ЖКХ or a regional system (ЖК РФ "
                "ст. 47.1, 463-ФЗ). Choose in person, absentee or mixed: members may still state "
                "their position here, shown as an opinion poll."
            )
        else:
            errors["form"] = _("This form is not available for this meeting.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The voting must end after it starts.")
    earliest = notice_on + datetime.timedelta(days=rule.notice_days)
    if _local_day(starts_at) < earliest:
        errors["starts_at"] = _(
            "The notice must be published at least %(days)d days before the voting starts "
            "(%(basis)s): the earliest start is %(date)s."
        ) % {"days": rule.notice_days, "basis": rule.basis, "date": _day_text(earliest)}
    if form == MeetingForm.ONLINE and rule.online_days and "ends_at" not in errors:
        shortest, longest = rule.online_days
        length = ends_at - starts_at
        if not datetime.timedelta(days=shortest) <= length <= datetime.timedelta(days=longest):
            errors["ends_at"] = _(
                "Online voting lasts from %(shortest)d to %(longest)d days (ЖК РФ ст. 47.1)."
            ) % {"shortest": shortest, "longest": longest}
    if form in (MeetingForm.IN_PERSON, MeetingForm.MIXED) and not place.strip():
        errors["place"] = _("Say where the session takes place.")
    if (
        form == MeetingForm.ONLINE
        and rule.online == rules.OnlineBinding.CHARTER
        and not online_basis.strip()
    ):
        errors["online_basis"] = _(
            "An online vote binds only when the charter names the portal (and, for СНТ, the "
            "general meeting decided it: 217-ФЗ ст. 17.1). Name the charter's clause."
        )
    if errors:
        raise ValidationError(errors)


def _check_building(kind: str, building) -> None:
    if kind != MeetingKind.OWNERS or building is not None:
        return
    from tenants.residents.models import Building

    if Building.objects.count() > 1:
        raise ValidationError(
            {"building": _("An owners' meeting is held for one building: choose it.")}
        )


def _next_number() -> int:
    """The next meeting number of this association, under a transaction-level lock keyed by
    the schema (another association's meetings never wait for it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [NUMBER_LOCK]
        )
    return (Meeting.objects.aggregate(last=Max("number"))["last"] or 0) + 1


# -- setting a meeting up -----------------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *,
    actor,
    kind: str,
    form: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    building=None,
    place: str = "",
    online_basis: str = "",
    now=None,
) -> Meeting:
    """A draft meeting; the dates are checked as if the notice went out today."""
    today = _local_day(_now(now))
    rule = rule_for(kind, on=today)
    check_dates(
        rule,
        form=form,
        starts_at=starts_at,
        ends_at=ends_at,
        notice_on=today,
        place=place,
        online_basis=online_basis,
    )
    _check_building(kind, building)
    meeting = Meeting.objects.create(
        number=_next_number(),
        kind=kind,
        form=form,
        rule_version=rule.version,
        title=title.strip(),
        building=building,
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        online_basis=online_basis.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "voting.meeting_created",
        actor=actor,
        target=meeting,
        details={"kind": kind, "form": form, "rule": rule.version},
    )
    return meeting


def _draft(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.DRAFT:
        raise ValidationError(_("The notice is published: the meeting can no longer change."))
    return meeting


EDITABLE = ("title", "form", "starts_at", "ends_at", "building", "place", "online_basis")


@transaction.atomic
def update_meeting(meeting: Meeting, *, actor, now=None, **values) -> Meeting:
    meeting = _draft(meeting)
    for name, value in values.items():
        if name not in EDITABLE:
            raise TypeError(f"{name} cannot be changed")
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    today = _local_day(_now(now))
    rule = rule_for(meeting.kind, on=today)
    check_dates(
        rule,
        form=meeting.form,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        notice_on=today,
        place=meeting.place,
        online_basis=meeting.online_basis,
    )
    _check_building(meeting.kind, meeting.building)
    meeting.rule_version = rule.version
    meeting.save()
    audit.record(
        "voting.meeting_changed", actor=actor, target=meeting, details={"fields": sorted(values)}
    )
    return meeting


def _check_question(meeting: Meeting, *, text: str, threshold: str, gardeners_vote: bool):
    rule = meeting.rule
    errors = {}
    if not text.strip():
        errors["text"] = _("Write the question.")
    if not threshold:
        errors["threshold"] = _(
            "Choose the majority this question is decided by: the law sets it by question."
        )
    elif not rule.allows(threshold):
        errors["threshold"] = _("This meeting cannot decide a question by that majority.")
    if gardeners_vote and not rule.gardeners:
        errors["gardeners_vote"] = _("Only a gardening partnership's meeting has such questions.")
    if errors:
        raise ValidationError(errors)


def agenda_meeting(meeting: Meeting) -> extensions.AgendaMeeting:
    """The meeting as an app offering a material sees it (``core.extensions``)."""
    return extensions.AgendaMeeting(
        id=str(meeting.pk),
        number=meeting.number,
        kind=meeting.kind,
        form=meeting.form,
        online_binds=meeting.online_binds,
    )


def _check_material(meeting: Meeting, kind: str, material_id) -> str:
    """The material's current digest, once its app accepts it for this meeting."""
    material = extensions.agenda_material(kind)
    found = material.resolve(str(material_id)) if material is not None else None
    if found is None:
        raise ValidationError(_("The material to put to the meeting is not found."))
    reason = material.accepts(found, agenda_meeting(meeting))
    if reason:
        raise ValidationError(reason)
    if (
        Question.objects.filter(material_kind=kind, material_id=str(material_id))
        .exclude(meeting__status=MeetingStatus.CLOSED)
        .exists()
    ):
        raise ValidationError(_("This material is on the agenda of another meeting already."))
    return material.describe(found).digest


@transaction.atomic
def add_question(
    meeting: Meeting,
    *,
    actor,
    text: str,
    threshold: str,
    gardeners_vote: bool = False,
    material_kind: str = "",
    material_id: str = "",
    takes_effect_on: datetime.date | None = None,
) -> Question:
    """A question on a draft's agenda; with ``material_kind``/``material_id``, carrying another
    app's material (``core.extensions.AgendaMaterial``), which that app must accept for this
    meeting; its outcome goes back to that app when the meeting closes."""
    meeting = _draft(meeting)
    _check_question(meeting, text=text, threshold=threshold, gardeners_vote=gardeners_vote)
    digest = _check_material(meeting, material_kind, material_id) if material_kind else ""
    count = meeting.questions.count()
    if count >= MAX_QUESTIONS:
        raise ValidationError(_("An agenda holds at most %(count)d questions.") % {"count": count})
    question = Question.objects.create(
        meeting=meeting,
        number=count + 1,
        text=text.strip(),
        threshold=threshold,
        gardeners_vote=gardeners_vote,
        material_kind=material_kind if material_kind else "",
        material_id=str(material_id) if material_kind else "",
        material_digest=digest,
        takes_effect_on=takes_effect_on,
    )
    audit.record(
        "voting.question_added",
        actor=actor,
        target=meeting,
        details={
            "question": str(question.pk),
            "threshold": threshold,
            **({"material": material_kind} if material_kind else {}),
        },
    )
    return question


@transaction.atomic
def update_question(
    question: Question, *, actor, text: str, threshold: str, gardeners_vote: bool = False
) -> Question:
    meeting = _draft(question.meeting)
    _check_question(meeting, text=text, threshold=threshold, gardeners_vote=gardeners_vote)
    question.text, question.threshold = text.strip(), threshold
    question.gardeners_vote = gardeners_vote
    question.save()
    audit.record(
        "voting.question_changed",
        actor=actor,
        target=meeting,
        details={"question": str(question.pk), "threshold": threshold},
    )
    return question


@transaction.atomic
def remove_question(question: Question, *, actor) -> None:
    meeting = _draft(question.meeting)
    number = question.number
    question.delete()
    for later in meeting.questions.filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    audit.record("voting.question_removed", actor=actor, target=meeting, details={"number": number})


# -- notice, start, close -----------------------------------------------------------------------


def entitled_logins(meeting: Meeting, on: datetime.date) -> list:
    """The logins of everyone on the register the meeting would freeze on ``on``."""
    found = register.register_on(meeting.rule, on, building=meeting.building)
    owner_ids = {pk for line in found.lines for pk in line.owner_ids}
    from tenants.residents.models import Owner

    users = set(
        Owner.objects.filter(pk__in=owner_ids, user__isnull=False).values_list("user_id", flat=True)
    )
    users |= {line.user_id for line in found.lines if line.user_id}
    return sorted(users, key=str)


@transaction.atomic
def publish_notice(meeting: Meeting, *, actor, now=None) -> Meeting:
    """Publish the notice: the dates are checked against the rule in force today, which the
    meeting keeps from now on; everyone entitled to vote is told (a notice the law requires:
    it cannot be switched off)."""
    meeting = _draft(meeting)
    moment = _now(now)
    today = _local_day(moment)
    rule = rule_for(meeting.kind, on=today)
    check_dates(
        rule,
        form=meeting.form,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        notice_on=today,
        place=meeting.place,
        online_basis=meeting.online_basis,
    )
    questions = list(meeting.questions.all())
    if not questions:
        raise ValidationError(_("Put at least one question on the agenda."))
    for question in questions:
        if not rule.allows(question.threshold):
            raise ValidationError(
                _("Question %(number)d needs a majority this meeting can decide by.")
                % {"number": question.number}
            )
    meeting.rule_version = rule.version
    meeting.status = MeetingStatus.NOTICE
    meeting.notice_published_at = moment
    meeting.save()
    audit.record(
        "voting.notice_published", actor=actor, target=meeting, details={"rule": rule.version}
    )
    start = timezone.localtime(meeting.starts_at)
    notify(
        actor=actor,
        kind=NOTICE_KIND,
        recipients=entitled_logins(meeting, today),
        subject=_("Notice of a meeting: %(title)s") % {"title": meeting.title},
        body=_(
            "%(kind)s, %(form)s. Voting from %(start)s to %(end)s. The agenda and the "
            "materials are on the portal."
        )
        % {
            "kind": meeting.get_kind_display(),
            "form": meeting.get_form_display().lower(),
            "start": date_format(start, "j E Y H:i"),
            "end": date_format(timezone.localtime(meeting.ends_at), "j E Y H:i"),
        },
        path=reverse("voting:meeting", kwargs={"pk": meeting.pk}),
    )
    return meeting


def _weight_parts(weight: Fraction) -> tuple[int, int]:
    return weight.numerator, weight.denominator


@transaction.atomic
def open_voting(meeting: Meeting, *, actor, now=None) -> Meeting:
    """Start the voting: freeze the register from the registry as it stands today."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    moment = _now(now)
    if meeting.status != MeetingStatus.NOTICE:
        raise ValidationError(_("Only a meeting whose notice is published can start voting."))
    if moment < meeting.starts_at:
        raise ValidationError(
            _("The voting starts on %(date)s, as the notice says.")
            % {"date": date_format(timezone.localtime(meeting.starts_at), "j E Y H:i")}
        )
    today = _local_day(moment)
    found = register.register_on(meeting.rule, today, building=meeting.building)
    Voter.objects.bulk_create(
        [
            register.voter_row(meeting, line, position=index)
            for index, line in enumerate(found.lines)
        ],
        batch_size=1000,
    )
    meeting.total_votes = str(found.total)
    meeting.register_date = today
    meeting.status = MeetingStatus.VOTING
    meeting.opened_at = moment
    meeting.save()
    audit.record(
        "voting.voting_opened",
        actor=actor,
        target=meeting,
        details={"voters": len(found.lines), "total": meeting.total_votes},
    )
    return meeting


@transaction.atomic
def close_meeting(meeting: Meeting, *, actor, now=None) -> Meeting:
    """Close the voting once its end has passed: no decision is taken after this; the chain's
    last hash is kept and published with the results."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    moment = _now(now)
    if meeting.status != MeetingStatus.VOTING:
        raise ValidationError(_("Only a meeting that is voting can be closed."))
    if moment < meeting.ends_at:
        raise ValidationError(
            _("The voting lasts until %(date)s, as the notice says.")
            % {"date": date_format(timezone.localtime(meeting.ends_at), "j E Y H:i")}
        )
    last = meeting.chain.order_by("-seq").first()
    meeting.final_hash = last.entry_hash if last else chain.genesis_hash(meeting.pk)
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = moment
    meeting.save()
    audit.record(
        "voting.meeting_closed",
        actor=actor,
        target=meeting,
        details={"entries": last.seq if last else 0, "final_hash": meeting.final_hash},
    )
    if meeting.questions.exclude(material_kind="").exists():
        meeting_id = meeting.pk
        transaction.on_commit(lambda: queue_outcomes(meeting_id))
    return meeting


# -- outcomes offered to the apps whose material the agenda carried --------------------------------


def queue_outcomes(meeting_id) -> None:
    """Queue ``tasks.offer_outcomes`` (ids only). A broker that is down keeps the job for the
    relay (core.relay), which sends it once Redis is back (``offer_outcomes`` offers each
    question once, however often it runs)."""
    from tenants.voting.tasks import offer_outcomes as task

    relay.send(task, meeting_id)


def offer_outcomes(meeting_id) -> int:
    """Hand each question of a closed meeting that carried a material its outcome (adopted or
    not, by the meeting's votes: opinions never count), once: a question already offered is
    skipped, and the receiving app is idempotent too. Each question in its own transaction;
    returns how many were offered now."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=MeetingStatus.CLOSED).first()
    if meeting is None:
        return 0
    pending = list(
        meeting.questions.exclude(material_kind="").filter(outcome_offered_at__isnull=True)
    )
    if not pending:
        return 0
    results = {row.question_id: row for row in selectors.tally(meeting).questions}
    zone = _association_zone()
    decided_on = timezone.localtime(meeting.closed_at, zone).date()
    binding = meeting.kind != MeetingKind.BOARD and (
        meeting.form != MeetingForm.ONLINE or meeting.online_binds
    )
    offered = 0
    for question in pending:
        material = extensions.agenda_material(question.material_kind)
        if material is None:
            continue
        result = results.get(str(question.pk))
        outcome = extensions.AgendaOutcome(
            kind=question.material_kind,
            material_id=question.material_id,
            meeting_id=str(meeting.pk),
            question_id=str(question.pk),
            meeting_number=meeting.number,
            meeting_kind=meeting.kind,
            meeting_form=meeting.form,
            adopted=bool(result is not None and result.adopted and binding),
            binding=binding,
            decided_on=decided_on,
            takes_effect_on=question.takes_effect_on,
        )
        with transaction.atomic(), timezone.override(zone):
            locked = Question.objects.select_for_update().get(pk=question.pk)
            if locked.outcome_offered_at is not None:
                continue
            material.decided(outcome)
            locked.outcome_offered_at = timezone.now()
            locked.save(update_fields=["outcome_offered_at"])
            audit.record(
                "voting.outcome_offered",
                actor=None,
                target=meeting,
                details={
                    "question": str(question.pk),
                    "material": question.material_kind,
                    "adopted": outcome.adopted,
                },
            )
        offered += 1
    return offered


# -- changes of ownership during the voting ------------------------------------------------------


def _line_key(owner_ids, share) -> tuple:
    return (tuple(sorted(str(pk) for pk in owner_ids)), Fraction(share))


@transaction.atomic
def update_register(meeting: Meeting, *, actor, now=None) -> dict:
    """Bring a voting meeting's register up to the registry for premises that changed hands.

    The owner on the day they decide votes: for each premises whose owners (or shares) in the
    registry today differ from its current lines, those lines end on the day of the transfer
    (the new ownership's start, or today) and keep the decisions given before it; the new
    owners' lines start that day, one generation later (``counting``). Only registers of
    premises lines (owners' meetings, members by area); a meeting counted one vote per member
    follows changes of membership instead (``_update_members``). Returns counts.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    rule = meeting.rule
    if meeting.status != MeetingStatus.VOTING or rule.electorate == rules.Electorate.BOARD:
        return {"ended": 0, "added": 0}
    if rule.weighting != rules.Weighting.AREA_SHARE:
        return _update_members(meeting, actor=actor, moment=_now(now))
    moment = _now(now)
    today = _local_day(moment)
    fresh = register.register_on(rule, today, building=meeting.building)
    new_by_premises: dict = {}
    for line in fresh.lines:
        new_by_premises.setdefault(line.premises.pk, []).append(line)
    lines = list(meeting.voters.filter(ends_on__isnull=True).exclude(premises=None))
    old_by_premises: dict = {}
    for voter in lines:
        old_by_premises.setdefault(voter.premises_id, []).append(voter)
    from tenants.residents.models import Ownership

    ended = added = 0
    position = (meeting.voters.aggregate(last=Max("position"))["last"] or 0) + 1
    for premises_id in sorted(set(old_by_premises) | set(new_by_premises), key=str):
        old = old_by_premises.get(premises_id, [])
        new = new_by_premises.get(premises_id, [])
        if {_line_key(v.owner_ids, v.share) for v in old} == {
            _line_key(n.owner_ids, n.share) for n in new
        }:
            continue
        started = [
            d
            for d in Ownership.objects.filter(
                premises_id=premises_id,
                owner_id__in=[pk for n in new for pk in n.owner_ids],
            ).values_list("started_on", flat=True)
            if d <= today
        ]
        day = max(started) if started else today
        day = max(day, meeting.register_date or day)
        generation = max((v.generation for v in old), default=0) + 1
        for voter in old:
            voter.ends_on = day
            voter.save(update_fields=["ends_on"])
            ended += 1
        for line in new:
            register.voter_row(
                meeting, line, position=position, starts_on=day, generation=generation
            ).save(force_insert=True)
            position += 1
            added += 1
    if ended or added:
        audit.record(
            "voting.register_updated",
            actor=actor,
            target=meeting,
            details={"ended": ended, "added": added},
        )
    return {"ended": ended, "added": added}


def _update_members(meeting: Meeting, *, actor, moment) -> dict:
    """A change of membership during a meeting counted one vote per member (ЖСК: ЖК РФ
    ст. 117; СНТ: 217-ФЗ ст. 17 ч. 19): the member on the day they decide votes.

    * Someone admitted during the voting gets a line from that day, and all votes grow by one.
    * A member who left: their line ends that day. A decision they gave before it stands (as
      a former owner's does) and they stay in all votes; if they gave none, they leave all
      votes too (the quorum is of the members, and they no longer are one).
    * СНТ: a member who left but still owns a plot becomes an individual gardener (a new line,
      not counted in all votes nor for the quorum); a gardener admitted becomes a member.

    Lines are matched by the registry's owner records of one person (a member buying another
    plot keeps their line)."""
    today = _local_day(moment)
    fresh = register.register_on(meeting.rule, today).lines
    current = list(
        meeting.voters.filter(ends_on__isnull=True, kind__in=[VoterKind.MEMBER, VoterKind.GARDENER])
    )
    decided = set(
        Ballot.objects.filter(meeting=meeting, voter__in=current)
        .values_list("voter_id", flat=True)
        .distinct()
    )

    def same(voter: Voter, line) -> bool:
        return voter.kind == line.kind and bool(set(voter.owner_ids) & set(line.owner_ids))

    total = meeting.total
    ended = added = 0
    matched_lines = set()
    for voter in current:
        match = next((i for i, line in enumerate(fresh) if same(voter, line)), None)
        if match is not None:
            matched_lines.add(match)
            continue
        voter.ends_on = max(today, meeting.register_date or today)
        voter.save(update_fields=["ends_on"])
        ended += 1
        if voter.counts_for_quorum and voter.pk not in decided:
            total -= voter.weight
    position = (meeting.voters.aggregate(last=Max("position"))["last"] or 0) + 1
    for index, line in enumerate(fresh):
        if index in matched_lines:
            continue
        register.voter_row(meeting, line, position=position, starts_on=today).save(
            force_insert=True
        )
        position += 1
        added += 1
        if line.counts_for_quorum:
            total += line.weight
    if ended or added:
        meeting.total_votes = str(total)
        meeting.save(update_fields=["total_votes"])
        audit.record(
            "voting.register_updated",
            actor=actor,
            target=meeting,
            details={"ended": ended, "added": added, "total": meeting.total_votes},
        )
    return {"ended": ended, "added": added}


# -- decisions ----------------------------------------------------------------------------------


def _choices(questions: dict, voter: Voter, choices: dict) -> dict:
    """``{question id: choice}`` checked against the agenda (``questions`` by id as text) and
    the line."""
    if not choices:
        raise ValidationError(_("Choose for, against or abstain on at least one question."))
    checked = {}
    for key, choice in choices.items():
        question = questions.get(str(getattr(key, "pk", key)))
        if question is None:
            raise ValidationError(_("That question is not on this meeting's agenda."))
        if choice not in Choice.values:
            raise ValidationError({f"q-{question.pk}": _("Choose for, against or abstain.")})
        if voter.kind == VoterKind.GARDENER and not question.gardeners_vote:
            raise ValidationError(
                {
                    f"q-{question.pk}": _(
                        "Individual gardeners vote only on the estimate, the contributions and "
                        "their justification (217-ФЗ ст. 17 ч. 3)."
                    )
                }
            )
        checked[question.pk] = choice
    return checked


def _check_voter_may(actor, voter: Voter, source: str, proxy: Proxy | None) -> None:
    if source != Source.ONLINE:
        if not has_role(actor, *BOARD):
            raise ValidationError(_("Only the board enters paper decisions."))
        return
    if proxy is not None:
        if not (
            proxy.voter_id == voter.pk
            and proxy.representative_id == getattr(actor, "pk", None)
            and proxy.status == ProxyStatus.ACCEPTED
        ):
            raise ValidationError(_("This power of attorney does not let you vote here."))
        return
    if voter.user_id and voter.user_id == getattr(actor, "pk", None):
        return
    if not set(voter.owner_ids) & set(selectors.owner_ids_of(actor)):
        raise ValidationError(_("You do not vote for these premises."))


@dataclass(frozen=True)
class Submission:
    """One register line's decisions within a request (a voter may hold several lines)."""

    voter: Voter
    choices: dict
    proxy: Proxy | None = None


@transaction.atomic
def cast(
    *,
    actor,
    voter: Voter,
    choices: dict,
    source: str = Source.ONLINE,
    scan=None,
    proxy: Proxy | None = None,
    now=None,
) -> ChainEntry:
    """Append one submission of decisions for ``voter`` to its meeting's chain.

    Online: by the line's own login (or an accepted proxy), between the start and the end.
    Paper or at the session: by the board, while the meeting is voting (decisions received
    before the end are entered before the board closes it), with the signed form's scan for a
    paper decision.
    """
    return cast_many(
        actor=actor,
        submissions=[Submission(voter, choices, proxy)],
        source=source,
        scan=scan,
        now=now,
    )[0]


@transaction.atomic
def cast_many(
    *, actor, submissions: list[Submission], source: str = Source.ONLINE, scan=None, now=None
) -> list[ChainEntry]:
    """Append the submissions (lines of one meeting) to its chain, one link each, in order.

    Everything that needs no lock is checked first; the meeting's row lock, which puts
    concurrent decisions in one order, is held only to append the links, and the time is read
    under it so that the chain's times follow its order. All or nothing.
    """
    if not submissions:
        raise ValidationError(_("Choose for, against or abstain on at least one question."))
    voters = {
        v.pk: v
        for v in Voter.objects.select_related("meeting").filter(
            pk__in=[s.voter.pk for s in submissions]
        )
    }
    meetings = {v.meeting_id for v in voters.values()}
    if len(voters) != len({s.voter.pk for s in submissions}) or len(meetings) != 1:
        raise ValidationError(_("You do not vote for these premises."))
    first = next(iter(voters.values()))
    questions = {str(q.pk): q for q in first.meeting.questions.all()}
    today = _local_day(_now(now))
    checked = []
    for submission in submissions:
        voter = voters[submission.voter.pk]
        _check_voter_may(actor, voter, source, submission.proxy)
        if voter.ends_on is not None and today >= voter.ends_on:
            if voter.premises_id is None:
                raise ValidationError(
                    _("This membership ended on %(date)s: only members decide now.")
                    % {"date": _day_text(voter.ends_on)}
                )
            raise ValidationError(
                _("These premises changed hands on %(date)s: their new owner decides now.")
                % {"date": _day_text(voter.ends_on)}
            )
        checked.append((voter, submission.proxy, _choices(questions, voter, submission.choices)))
    meeting = Meeting.objects.select_for_update().get(pk=first.meeting_id)
    moment = _now(now)  # read under the lock: the chain's times follow its order
    if meeting.status != MeetingStatus.VOTING:
        if meeting.status == MeetingStatus.CLOSED:
            raise ValidationError(_("The voting has closed: decisions are no longer accepted."))
        raise ValidationError(_("The voting has not started yet."))
    if source == Source.ONLINE and not meeting.starts_at <= moment <= meeting.ends_at:
        raise ValidationError(_("The voting has closed: decisions are no longer accepted."))
    if source == Source.PAPER and scan is None:
        raise ValidationError({"scan": _("Attach the scan of the signed decision.")})
    last = meeting.chain.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = last if last else (0, chain.genesis_hash(meeting.pk))
    entries, ballots = [], []
    for voter, proxy, choices in checked:
        seq += 1
        salt = chain.new_salt()
        text = chain.content(
            meeting_id=meeting.pk,
            voter_id=voter.pk,
            premises_id=voter.premises_id,
            share=f"{voter.share_numerator}/{voter.share_denominator}",
            source=source,
            cast_at=moment,
            choices=choices,
        )
        commitment = chain.commit(salt, text)
        entry = ChainEntry(
            meeting=meeting,
            seq=seq,
            voter=voter,
            cast_at=moment,
            source=source,
            entered_by=getattr(actor, "pk", None),
            proxy=proxy,
            scan=scan,
            salt=salt,
            commitment=commitment,
            prev_hash=prev_hash,
            entry_hash=chain.link(prev_hash, commitment),
        )
        prev_hash = entry.entry_hash
        entries.append(entry)
        ballots += [
            Ballot(
                entry=entry,
                meeting=meeting,
                voter=voter,
                question_id=question_id,
                choice=choice,
                seq=seq,
                source=source,
            )
            for question_id, choice in choices.items()
        ]
    ChainEntry.objects.bulk_create(entries)
    Ballot.objects.bulk_create(ballots)
    audit.record_many(
        (
            (
                "voting.decision_recorded",
                meeting,
                {"seq": e.seq, "source": source, "questions": len(c)},
            )
            for e, (_v, _p, c) in zip(entries, checked, strict=True)
        ),
        actor=actor,
    )
    return entries


@transaction.atomic
def enter_paper(
    *, actor, voter: Voter, choices: dict, scan_upload, source: str = Source.PAPER, now=None
) -> ChainEntry:
    """The board enters a signed written decision (with its scan) or a vote at the session."""
    scan = None
    if scan_upload is not None:
        scan = files.store(scan_upload, purpose=PAPER_DECISION, actor=actor)
    return cast(actor=actor, voter=voter, choices=choices, source=source, scan=scan, now=now)


# -- powers of attorney -------------------------------------------------------------------------


def _representative(email: str):
    email = (email or "").strip()
    if not email:
        return None
    user_model = get_user_model()
    found = user_model.objects.filter(
        email_index=blind_index_for(user_model, "email", email), is_active=True
    ).first()
    if found is None:
        raise ValidationError(
            {
                "representative_email": _(
                    "Nobody signs in to this portal with that email. The representative needs a "
                    "login to vote online; a paper decision by proxy is entered by the board."
                )
            }
        )
    return found


@transaction.atomic
def submit_proxy(*, actor, voter: Voter, document_upload, representative_email: str = "") -> Proxy:
    """A power of attorney for ``voter``, uploaded by the line's owner or the board, naming the
    representative's login when they are to vote online. The board accepts or refuses it."""
    meeting = Meeting.objects.select_for_update().get(pk=voter.meeting_id)
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(_("The voting has closed: decisions are no longer accepted."))
    if not has_role(actor, *BOARD) and not (
        set(voter.owner_ids) & set(selectors.owner_ids_of(actor))
    ):
        raise ValidationError(_("You do not vote for these premises."))
    representative = _representative(representative_email)
    document = files.store(document_upload, purpose=PROXY_DOCUMENT, actor=actor)
    proxy = Proxy.objects.create(
        meeting=meeting,
        voter=voter,
        representative=representative,
        document=document,
        submitted_by=getattr(actor, "pk", None),
    )
    audit.record("voting.proxy_submitted", actor=actor, target=proxy, details={})
    return proxy


def organisation_lines(meeting: Meeting):
    """The register lines an organisation owns (it votes through a representative)."""
    from tenants.residents.models import Owner, OwnerKind

    organisations = Owner.objects.filter(kind=OwnerKind.ORGANISATION).values_list("pk", flat=True)
    return meeting.voters.filter(owner_ids__overlap=list(organisations), ends_on__isnull=True)


@transaction.atomic
def submit_representation(*, actor, voter: Voter, basis: str, document_upload) -> Proxy:
    """A login asks to represent an organisation that owns ``voter``'s premises: its head by
    the document that appoints them (ГК РФ ст. 53 ч. 1), or anyone by the organisation's
    power of attorney (ЖК РФ ст. 48 ч. 2). The board accepts or refuses (``decide_proxy``);
    once accepted the representative votes for the line online, and the register and the
    protocol name them."""
    from tenants.voting.models import ProxyBasis

    meeting = Meeting.objects.select_for_update().get(pk=voter.meeting_id)
    if meeting.status not in (MeetingStatus.NOTICE, MeetingStatus.VOTING):
        raise ValidationError(_("The voting has closed: decisions are no longer accepted."))
    if not organisation_lines(meeting).filter(pk=voter.pk).exists():
        raise ValidationError(
            {
                "voter": _(
                    "These premises are not owned by an organisation: a person votes in "
                    "person or by a power of attorney."
                )
            }
        )
    if basis not in ProxyBasis.values:
        raise ValidationError({"basis": _("Choose on what basis you represent the organisation.")})
    if Proxy.objects.filter(
        voter=voter, representative=actor, status__in=[ProxyStatus.PENDING, ProxyStatus.ACCEPTED]
    ).exists():
        raise ValidationError(_("You have already sent a document for this organisation."))
    document = files.store(document_upload, purpose=PROXY_DOCUMENT, actor=actor)
    proxy = Proxy.objects.create(
        meeting=meeting,
        voter=voter,
        representative=actor,
        document=document,
        basis=basis,
        submitted_by=getattr(actor, "pk", None),
    )
    audit.record(
        "voting.representation_submitted", actor=actor, target=proxy, details={"basis": basis}
    )
    return proxy


@transaction.atomic
def decide_proxy(proxy: Proxy, *, actor, accept: bool, reason: str = "", now=None) -> Proxy:
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if proxy.status != ProxyStatus.PENDING:
        raise ValidationError(_("The board has already decided on this power of attorney."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the power of attorney is refused.")})
    proxy.status = ProxyStatus.ACCEPTED if accept else ProxyStatus.REFUSED
    proxy.refusal_reason = "" if accept else reason.strip()
    proxy.decided_by = getattr(actor, "pk", None)
    proxy.decided_at = _now(now)
    proxy.save()
    audit.record(
        "voting.proxy_decided", actor=actor, target=proxy, details={"status": proxy.status}
    )
    return proxy


# -- publishing the results ----------------------------------------------------------------------

#: ЖК РФ ст. 46 ч. 3: the decisions and the results are made known to the owners within ten
#: days of the decision (the meeting's close).
RESULTS_DAYS = 10


def results_due(meeting: Meeting) -> datetime.date | None:
    """The last day to publish the results (ЖК РФ ст. 46 ч. 3), once the meeting closed."""
    if meeting.closed_at is None:
        return None
    return _local_day(meeting.closed_at) + datetime.timedelta(days=RESULTS_DAYS)


@transaction.atomic
def publish_results(meeting: Meeting, *, actor, now=None):
    """The board publishes the protocol with the results (the members' version: no names;
    the chain's final hash in it) through the documents, read by members and all owners (ЖК РФ
    ст. 46 ч. 3, ст. 143.1 ч. 3 п. 6). One click by the board, not automatic on close: the
    paper decisions received before the end are entered and joint owners' conflicts resolved
    first. Refused while a conflict is open, and once published."""
    from tenants.documents.sections import ReaderGroup, Section
    from tenants.documents.services import publish_generated_document
    from tenants.voting import protocol

    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CLOSED:
        raise ValidationError(_("The results are published once the voting has closed."))
    if meeting.results_document_id is not None:
        raise ValidationError(_("The results of this meeting are already published."))
    open_conflicts = selectors.unresolved_conflicts(meeting)
    if open_conflicts:
        raise ValidationError(
            _(
                "Joint owners gave different decisions for %(count)d premises: choose the "
                "decision that counts first."
            )
            % {"count": open_conflicts}
        )
    from django.utils import translation

    with translation.override("ru"):
        title = _("Protocol No. %(number)d: %(title)s") % {
            "number": meeting.number,
            "title": meeting.title,
        }
        description = _(
            "%(kind)s, %(form)s. The decisions and the results of the voting (ЖК РФ ст. 46 ч. 3); "
            "final hash of the chain of decisions: %(hash)s."
        ) % {
            "kind": meeting.get_kind_display(),
            "form": meeting.get_form_display(),
            "hash": meeting.final_hash,
        }
    document = publish_generated_document(
        actor=actor,
        section=Section.BOARD_MEETING
        if meeting.kind == MeetingKind.BOARD
        else Section.GENERAL_MEETING,
        title=title[:300],
        readers=ReaderGroup.OWNERS,
        content=protocol.protocol_pdf(meeting, with_participants=False),
        filename=f"protocol-{meeting.number}.pdf",
        description=description,
        dated=_local_day(meeting.closed_at),
    )
    meeting.results_document = document
    meeting.results_published_at = _now(now)
    meeting.save(update_fields=["results_document", "results_published_at"])
    audit.record(
        "voting.results_published",
        actor=actor,
        target=meeting,
        details={"document": str(document.pk)},
    )
    return document


# -- joint owners without shares ----------------------------------------------------------------


@transaction.atomic
def resolve_joint_conflict(meeting: Meeting, *, actor, voter: Voter, entry_id, now=None):
    """The counting commission (the board) chooses which of the joint owners' different
    decisions counts for the line (ГК РФ ст. 253; ЖК РФ ст. 48 ч. 3); audited. It covers the
    line's decisions so far: a later disagreeing decision opens a new conflict."""
    from tenants.voting.models import JointResolution

    if not has_role(actor, *BOARD):
        raise ValidationError(_("Only the board resolves joint owners' conflicts."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status not in (MeetingStatus.VOTING, MeetingStatus.CLOSED):
        raise ValidationError(_("There are no decisions to resolve yet."))
    if getattr(meeting, "results_document_id", None):
        raise ValidationError(_("The results are published: the count can no longer change."))
    state = selectors.joint_states(meeting, selectors.counted_sources(meeting)).get(str(voter.pk))
    if state is None or voter.meeting_id != meeting.pk or not state.conflicts:
        raise ValidationError(_("The joint owners of these premises gave no different decisions."))
    chosen = next((d for d in state.decisions if str(d.entry_id) == str(entry_id)), None)
    if chosen is None:
        raise ValidationError({"entry": _("Choose one of the joint owners' decisions.")})
    resolution = JointResolution.objects.create(
        meeting=meeting,
        voter=voter,
        chosen_id=chosen.entry_id,
        up_to_seq=state.last_seq,
        resolved_by=getattr(actor, "pk", None),
        resolved_at=_now(now),
    )
    audit.record(
        "voting.joint_resolved",
        actor=actor,
        target=meeting,
        details={"line": str(voter.pk), "chosen_seq": chosen.seq, "up_to_seq": state.last_seq},
    )
    return resolution


def advance_meetings(now=None) -> dict:
    """Open the meetings whose voting has started and close the online ones that ended (the
    periodic job's body); each in its own transaction, a refusal leaves that one as it was."""
    with timezone.override(_association_zone()):
        return _advance(_now(now))


def _association_zone():
    """The association's own time zone (a task has no request to activate it): the register's
    day and the transfer dates are its local dates."""
    import zoneinfo

    name = getattr(getattr(connection, "tenant", None), "time_zone", None)
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _advance(moment) -> dict:
    opened = closed = 0
    due = Meeting.objects.filter(status=MeetingStatus.NOTICE, starts_at__lte=moment)
    for meeting in due.order_by("starts_at"):
        try:
            open_voting(meeting, actor=None, now=moment)
            opened += 1
        except ValidationError:
            continue
    changed = 0
    for meeting in Meeting.objects.filter(status=MeetingStatus.VOTING, ends_at__gt=moment):
        found = update_register(meeting, actor=None, now=moment)
        changed += found["added"]
    ended = Meeting.objects.filter(
        status=MeetingStatus.VOTING, form=MeetingForm.ONLINE, ends_at__lte=moment
    )
    for meeting in ended.order_by("ends_at"):
        try:
            close_meeting(meeting, actor=None, now=moment)
            closed += 1
        except ValidationError:
            continue
    return {"opened": opened, "closed": closed, "new_lines": changed}


# -- quick polls --------------------------------------------------------------------------------

POLL_KIND = "voting.poll"
MAX_OPTIONS = 10


@transaction.atomic
def create_poll(
    *, actor, question: str, options: list[str], closes_at, basis: str = "login", now=None
):
    """A quick poll: an everyday question with 2 to 10 answers, never a decision."""
    from tenants.voting.models import Poll, PollBasis, PollOption

    moment = _now(now)
    texts = [text.strip() for text in options if text and text.strip()]
    errors = {}
    if not question.strip():
        errors["question"] = _("Write the question.")
    if not 2 <= len(texts) <= MAX_OPTIONS or len(set(texts)) != len(texts):
        errors["options"] = _("Give from 2 to %(count)d different answers, one per line.") % {
            "count": MAX_OPTIONS
        }
    if closes_at <= moment:
        errors["closes_at"] = _("The poll must close in the future.")
    if basis not in PollBasis.values:
        errors["basis"] = _("Choose who votes.")
    if errors:
        raise ValidationError(errors)
    poll = Poll.objects.create(
        question=question.strip(),
        basis=basis,
        closes_at=closes_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    PollOption.objects.bulk_create(
        PollOption(poll=poll, number=n, text=text) for n, text in enumerate(texts, start=1)
    )
    audit.record("voting.poll_created", actor=actor, target=poll, details={"options": len(texts)})
    notify(
        actor=actor,
        kind=POLL_KIND,
        recipients=get_user_model().objects.filter(roles__overlap=["owner", "resident"]),
        subject=_("A quick poll: %(question)s") % {"question": poll.question[:120]},
        body=_("Answer on the portal until %(date)s. A poll decides nothing: it asks opinions.")
        % {"date": date_format(timezone.localtime(closes_at), "j E Y H:i")},
        path=reverse("voting:poll", kwargs={"pk": poll.pk}),
    )
    return poll


@transaction.atomic
def answer_poll(*, actor, poll, option_id, premises_id=None, now=None):
    """Record (or change) ``actor``'s answer: per login, or per premises they own now."""
    from tenants.voting.models import Poll, PollBasis, PollVote

    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.closed_at is not None or _now(now) >= poll.closes_at:
        raise ValidationError(_("The poll is closed."))
    option = poll.options.filter(pk=option_id).first()
    if option is None:
        raise ValidationError({"option": _("Choose one of the answers.")})
    if poll.basis == PollBasis.PREMISES:
        owned = set(selectors.premises_owned_by(actor))
        if premises_id is None and len(owned) == 1:
            premises_id = next(iter(owned))
        if premises_id not in owned:
            raise ValidationError(
                {"premises": _("Choose premises you own: this poll counts one vote per premises.")}
            )
        vote, _created = PollVote.objects.update_or_create(
            poll=poll, premises_id=premises_id, defaults={"option": option, "user": actor}
        )
    else:
        vote, _created = PollVote.objects.update_or_create(
            poll=poll, user=actor, premises=None, defaults={"option": option}
        )
    audit.record("voting.poll_answered", actor=actor, target=poll, details={})
    return vote


@transaction.atomic
def close_poll(poll, *, actor, now=None):
    from tenants.voting.models import Poll

    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.closed_at is not None:
        raise ValidationError(_("The poll is closed."))
    poll.closed_at = _now(now)
    poll.save(update_fields=["closed_at"])
    audit.record("voting.poll_closed", actor=actor, target=poll, details={})
    return poll


# -- demands for an extraordinary meeting ----------------------------------------------------------

DEMAND_KIND = "voting.demand"


@dataclass(frozen=True)
class DemandThreshold:
    """What a demand of one kind needs on a day: from the law's rule, or from the charter as
    the board recorded it (``DemandSetting``) where the law leaves it to the charter
    (``basis``: then the charter's clause)."""

    rule: rules.MeetingRule
    share: Fraction
    strict: bool
    days: int | None
    basis: str


def _demand_rule(kind: str, today: datetime.date) -> DemandThreshold:
    from tenants.voting.models import DemandSetting

    rule = rule_for(kind, on=today)
    if rule.demand_share is not None:
        return DemandThreshold(
            rule, rule.demand_share, rule.demand_strict, rule.demand_days, rule.demand_basis
        )
    setting = DemandSetting.objects.filter(kind=kind).first()
    if setting is None:
        raise ValidationError(
            {
                "kind": _(
                    "Who may demand this kind of meeting is set by the charter: ask the board "
                    "in writing."
                )
            }
        )
    return DemandThreshold(rule, setting.share, setting.strict, setting.days, setting.clause)


def charter_demand_kinds() -> list[str]:
    """The kinds of meeting of this association whose demand threshold the charter sets."""
    today = timezone.localdate()
    kind = selectors.association_kind()
    return [
        k
        for k in rules.meeting_kinds(kind)
        if k != MeetingKind.BOARD and rules.rule_for(kind, k, today).demand_share is None
    ]


@transaction.atomic
def set_demand_threshold(
    *, actor, kind: str, share: Fraction, strict: bool, days: int, clause: str
):
    """The board records the charter's threshold for demanding a meeting of ``kind`` (only
    where the law leaves it to the charter); audited. Demands already started keep theirs."""
    from tenants.voting.models import DemandSetting

    if not has_role(actor, *BOARD):
        raise ValidationError(_("Only the board records the charter's rules."))
    errors = {}
    if kind not in charter_demand_kinds():
        errors["kind"] = _("The law sets the threshold for this kind of meeting, not the charter.")
    if not 0 < Fraction(share) <= 1:
        errors["share"] = _("A share must be more than 0 and at most 1.")
    if not 1 <= int(days) <= 365:
        errors["days"] = _("Give from 1 to 365 days.")
    if not (clause or "").strip():
        errors["clause"] = _("Name the charter's clause.")
    if errors:
        raise ValidationError(errors)
    share = Fraction(share)
    setting, _created = DemandSetting.objects.update_or_create(
        kind=kind,
        defaults={
            "share_numerator": share.numerator,
            "share_denominator": share.denominator,
            "strict": bool(strict),
            "days": int(days),
            "clause": clause.strip()[:300],
            "updated_by": getattr(actor, "pk", None),
        },
    )
    audit.record(
        "voting.demand_threshold_set",
        actor=actor,
        target=setting,
        details={"kind": kind, "share": f"{share.numerator}/{share.denominator}", "days": days},
    )
    return setting


def signer_votes(rule: rules.MeetingRule, user, *, on: datetime.date, building=None):
    """(the votes ``user`` holds at such a meeting today, all votes): area × share of what
    they own (owners' meetings), or 1 as a member (gardeners do not count)."""
    found = register.register_on(rule, on, building=building)
    owner_ids = set(selectors.owner_ids_of(user))
    mine = [
        line for line in found.lines if line.counts_for_quorum and set(line.owner_ids) & owner_ids
    ]
    return sum((line.weight for line in mine), Fraction(0)), found.total, mine


def demand_progress(demand) -> dict:
    """Signed votes against all votes today, the share needed and whether it is reached."""
    total = register.register_on(demand.rule, timezone.localdate(), building=demand.building).total
    signed = sum((s.weight for s in demand.signatures.all()), Fraction(0))
    return {
        "signed": signed,
        "total": total,
        "needed": total * demand.share if demand.share is not None else None,
        "met": demand.met(signed, total),
    }


def _check_met(demand, *, actor, moment) -> None:
    from tenants.voting.models import DemandStatus

    if demand.status != DemandStatus.OPEN or not demand_progress(demand)["met"]:
        return
    demand.status = DemandStatus.MET
    demand.met_at = moment
    demand.save(update_fields=["status", "met_at"])
    audit.record("voting.demand_met", actor=actor, target=demand, details={})
    due = timezone.localtime(moment) + datetime.timedelta(days=demand.due_days or 0)
    notify(
        actor=actor,
        kind=DEMAND_KIND,
        recipients=get_user_model().objects.filter(roles__overlap=sorted(BOARD)),
        subject=_("Owners demand an extraordinary meeting"),
        body=_("The demand has enough signatures (%(basis)s). Call the meeting by %(date)s.")
        % {"basis": demand.basis_text, "date": date_format(due, "j E Y")},
        path=reverse("voting:demand", kwargs={"pk": demand.pk}),
    )


@transaction.atomic
def create_demand(*, actor, kind: str, agenda: str, building=None, now=None):
    """An owner (member) demands an extraordinary meeting and signs first."""
    from tenants.residents.models import Owner
    from tenants.voting.models import Demand, DemandSignature

    moment = _now(now)
    today = _local_day(moment)
    threshold = _demand_rule(kind, today)
    rule = threshold.rule
    _check_building(kind, building)
    if not agenda.strip():
        raise ValidationError({"agenda": _("Write the questions you want the meeting to decide.")})
    votes, _total, lines = signer_votes(rule, actor, on=today, building=building)
    if not votes:
        raise ValidationError(_("Only those who vote at such a meeting may demand it."))
    first = Owner.objects.filter(pk__in=lines[0].owner_ids).order_by("pk").first()
    demand = Demand(
        kind=kind,
        rule_version=rule.version,
        building=building,
        holding_id=first.holding_id,
        agenda=agenda.strip(),
        created_by=actor,
        share_numerator=threshold.share.numerator,
        share_denominator=threshold.share.denominator,
        strict=threshold.strict,
        days=threshold.days,
        basis=threshold.basis[:500] if rule.demand_share is None else "",
    )
    demand.save()
    DemandSignature.objects.create(
        demand=demand,
        user=actor,
        weight_numerator=votes.numerator,
        weight_denominator=votes.denominator,
    )
    audit.record("voting.demand_created", actor=actor, target=demand, details={"kind": kind})
    _check_met(demand, actor=actor, moment=moment)
    return demand


@transaction.atomic
def sign_demand(demand, *, actor, now=None):
    from tenants.voting.models import Demand, DemandSignature, DemandStatus

    moment = _now(now)
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status == DemandStatus.CONVENED:
        raise ValidationError(_("The meeting has been called already."))
    if demand.signatures.filter(user=actor).exists():
        raise ValidationError(_("You have signed this demand already."))
    votes, _total, _lines = signer_votes(
        demand.rule, actor, on=_local_day(moment), building=demand.building
    )
    if not votes:
        raise ValidationError(_("Only those who vote at such a meeting may demand it."))
    signature = DemandSignature.objects.create(
        demand=demand,
        user=actor,
        weight_numerator=votes.numerator,
        weight_denominator=votes.denominator,
    )
    audit.record("voting.demand_signed", actor=actor, target=demand, details={})
    _check_met(demand, actor=actor, moment=moment)
    return signature


@transaction.atomic
def convene(demand, meeting: Meeting, *, actor):
    """Record that ``meeting`` answers the demand."""
    from tenants.voting.models import Demand, DemandStatus

    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status == DemandStatus.CONVENED:
        raise ValidationError(_("The meeting has been called already."))
    demand.status = DemandStatus.CONVENED
    demand.meeting = meeting
    demand.save(update_fields=["status", "meeting"])
    audit.record(
        "voting.demand_convened", actor=actor, target=demand, details={"meeting": str(meeting.pk)}
    )
    return demand
