"""Reads of meetings, registers, ballots and results, each scoped to the reader.

Who sees what (decided here; ``docs/voting.md``):

* the board (chairman, board members) sees every meeting, drafts included, the register, the
  live turnout, every decision and the chain;
* owners and residents see meetings once their notice is published (the notice is public to
  the association); a voter sees only their own decisions until the meeting closes, then the
  results (ЖК РФ ст. 143.1: protocols are open to members and owners);
* the accountant and the dispatcher see none of it (403 on the pages).

Someone else's meeting or register line is a 404 by construction: lookups go through
``meetings_visible_to`` and ``voters_of``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from core.access.roles import BOARD, MEMBER_ROLES, has_role
from core.crypto.fields import prefetch_keys
from core.legal_details import legal_details
from tenants.residents.models import Owner
from tenants.voting import chain, counting
from tenants.voting.models import (
    Ballot,
    ChainEntry,
    JointResolution,
    Meeting,
    MeetingStatus,
    Proxy,
    ProxyStatus,
    Question,
    Source,
    Voter,
    VoterKind,
)
from tenants.voting.shares import readable


def association_kind() -> str:
    """This association's legal form (``tszh``, ``snt``, ``zhsk``, ``tsn``, ``other``)."""
    return legal_details().kind


def runs_meetings(user) -> bool:
    return has_role(user, *BOARD)


def meetings_visible_to(user) -> QuerySet[Meeting]:
    if runs_meetings(user):
        return Meeting.objects.all()
    if has_role(user, *MEMBER_ROLES):
        return Meeting.objects.exclude(status=MeetingStatus.DRAFT)
    return Meeting.objects.none()


def meeting_for(user, pk) -> Meeting:
    return get_object_or_404(meetings_visible_to(user), pk=pk)


def owner_ids_of(user) -> list:
    """The registry's owner records linked to ``user`` (their holdings not erased). Kept on the
    user object for the rest of the request: a ballot asks several times."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_voting_owner_ids", None)
    if cached is None:
        cached = list(
            Owner.objects.filter(user=user, holding__erased_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        user._voting_owner_ids = cached
    return cached


def voters_of(user, meeting: Meeting) -> QuerySet[Voter]:
    """The register lines ``user`` votes for: their own (as an owner, member, gardener or board
    member) and those whose power of attorney naming them the board accepted."""
    if not user.is_authenticated:
        return Voter.objects.none()
    by_proxy = Proxy.objects.filter(
        meeting=meeting, representative=user, status=ProxyStatus.ACCEPTED
    ).values("voter_id")
    own = Q(user=user)
    owner_ids = owner_ids_of(user)
    if owner_ids:
        own |= Q(owner_ids__overlap=owner_ids)
    return (
        Voter.objects.filter(meeting=meeting)
        .filter(own | Q(pk__in=by_proxy))
        .select_related("premises__building")
        .order_by("position")
    )


def proxy_for(user, voter: Voter, owner_ids=None) -> Proxy | None:
    """The accepted power of attorney through which ``user`` votes for ``voter``, if any (None
    when the line is their own). ``owner_ids``: the user's owner records, when known."""
    own = owner_ids_of(user) if owner_ids is None else owner_ids
    if voter.user_id == user.pk or set(voter.owner_ids) & set(own):
        return None
    return Proxy.objects.filter(
        voter=voter, representative=user, status=ProxyStatus.ACCEPTED
    ).first()


def counted_sources(meeting: Meeting) -> set[str]:
    """The sources whose decisions are the meeting's votes: paper and the session always;
    online ones only where an online vote on the portal binds (else they are opinions)."""
    sources = {Source.PAPER, Source.IN_PERSON}
    if meeting.online_binds:
        sources.add(Source.ONLINE)
    return sources


def current_choices(meeting: Meeting, sources) -> list[tuple]:
    """``(voter id, question id, choice)``: each line's latest decision on each question among
    ``sources`` (the last one counts; a change appends a later one)."""
    return list(
        Ballot.objects.filter(meeting=meeting, source__in=sorted(sources))
        .order_by("voter_id", "question_id", "-seq")
        .distinct("voter_id", "question_id")
        .values_list(Cast("voter_id", TextField()), Cast("question_id", TextField()), "choice")
    )


def _weights(meeting: Meeting) -> list[counting.VoterWeight]:
    return [
        counting.VoterWeight(
            str(pk),
            Fraction(numerator, denominator),
            counts_for_quorum=quorum,
            gardener=kind == VoterKind.GARDENER,
            group=premises_id,
            generation=generation,
        )
        for pk, numerator, denominator, quorum, kind, premises_id, generation in (
            Voter.objects.filter(meeting=meeting).values_list(
                "pk",
                "weight_numerator",
                "weight_denominator",
                "counts_for_quorum",
                "kind",
                "premises_id",
                "generation",
            )
        )
    ]


def _specs(meeting: Meeting) -> list[counting.QuestionSpec]:
    return [
        counting.QuestionSpec(str(pk), threshold, gardeners)
        for pk, threshold, gardeners in meeting.questions.order_by("number").values_list(
            "pk", "threshold", "gardeners_vote"
        )
    ]


def tally(meeting: Meeting, *, opinions: bool = False) -> counting.Tally:
    """The meeting's count from its frozen register: its votes, or (``opinions``) the
    positions members stated online where an online vote does not bind."""
    sources = {Source.ONLINE} if opinions else counted_sources(meeting)
    return counting.tally(
        meeting.rule,
        total=meeting.total,
        voters=_weights(meeting),
        questions=_specs(meeting),
        choices=joint_adjusted(meeting, sources, current_choices(meeting, sources)),
    )


# -- what a member sees of others' decisions after the results (ЖК РФ ст. 143.1) ------------------


def reads_decisions(user, meeting: Meeting) -> bool:
    """Members and owners (ЖК РФ ст. 143.1 ч. 3 п. 7: the documents confirming the results of
    the voting) and the board, once the meeting closed; a resident who owns nothing does not."""
    if meeting.status != MeetingStatus.CLOSED:
        return False
    return runs_meetings(user) or has_role(user, "owner")


@dataclass
class DecisionRow:
    label: str
    votes: str
    source: str
    #: (question number, choice label) in the agenda's order; "—" where none counts
    choices: list


def decisions_list(meeting: Meeting) -> list[DecisionRow]:
    """Each register line that took part, with the decision counted on each question: the
    premises (or plots) and the votes, never a name (``docs/voting.md``)."""
    from tenants.voting.models import Choice

    sources = counted_sources(meeting)
    weights = {w.id: w for w in _weights(meeting)}
    current = counting.counted(
        weights, joint_adjusted(meeting, sources, current_choices(meeting, sources))
    )
    by_line: dict = defaultdict(dict)
    for (voter_id, question_id), choice in current.items():
        by_line[voter_id][question_id] = choice
    last_source = dict(
        ChainEntry.objects.filter(meeting=meeting, source__in=sorted(sources))
        .order_by("voter_id", "-seq")
        .distinct("voter_id")
        .values_list(Cast("voter_id", TextField()), "source")
    )
    questions = list(meeting.questions.order_by("number").values_list("pk", "number"))
    labels = {**dict(Choice.choices), counting.CONFLICT: _conflict_label()}
    rows = []
    for voter in meeting.voters.filter(pk__in=list(by_line)).order_by("position"):
        mine = by_line[str(voter.pk)]
        rows.append(
            DecisionRow(
                voter.label or voter.get_kind_display(),
                readable(voter.weight),
                Source(last_source.get(str(voter.pk), Source.PAPER)).label,
                [(number, labels.get(mine.get(str(pk)), "—")) for pk, number in questions],
            )
        )
    return rows


def _conflict_label() -> str:
    from django.utils.translation import gettext

    return gettext("not counted: the joint owners differ")


# -- joint owners without shares ----------------------------------------------------------------


@dataclass
class JointDecision:
    """One joint owner's decision on the line: their latest choice on each question."""

    entry_id: object
    seq: int
    source: str
    entered_by: object
    choices: dict  # question id (text) → choice


@dataclass
class JointState:
    voter_id: str
    decisions: list[JointDecision]
    last_seq: int
    #: question ids (text) on which the joint owners' decisions differ
    conflicts: set
    resolution: JointResolution | None = None

    @property
    def chosen(self) -> JointDecision | None:
        if self.resolution is None:
            return None
        return next(
            (d for d in self.decisions if str(d.entry_id) == str(self.resolution.chosen_id)),
            None,
        )

    @property
    def resolved(self) -> bool:
        return self.chosen is not None


def _author(source: str, entered_by, entry_id) -> tuple:
    """Whose decision it is: an online one is its login's (their latest counts); each paper
    decision or vote at the session is its own (the board enters them all)."""
    return ("login", str(entered_by)) if source == Source.ONLINE else ("entry", str(entry_id))


def joint_states(meeting: Meeting, sources) -> dict[str, JointState]:
    """The joint lines' decisions by author among ``sources``, their conflicts and the board's
    resolution that covers the line's latest decision (one query for the ballots, one for the
    resolutions; none when the register has no joint line)."""
    rows = list(
        Ballot.objects.filter(meeting=meeting, voter__joint=True, source__in=sorted(sources))
        .order_by("seq")
        .values_list(
            Cast("voter_id", TextField()),
            Cast("question_id", TextField()),
            "choice",
            "seq",
            "source",
            "entry_id",
            "entry__entered_by",
        )
    )
    if not rows:
        return {}
    authors: dict = defaultdict(dict)
    for voter_id, question_id, choice, seq, source, entry_id, entered_by in rows:
        key = _author(source, entered_by, entry_id)
        found = authors[voter_id].get(key)
        if found is None:
            found = authors[voter_id][key] = JointDecision(entry_id, seq, source, entered_by, {})
        found.entry_id, found.seq = entry_id, seq
        found.choices[question_id] = choice
    resolutions: dict = {}
    for resolution in JointResolution.objects.filter(meeting=meeting).order_by("up_to_seq"):
        resolutions[str(resolution.voter_id)] = resolution
    states = {}
    for voter_id, by_author in authors.items():
        decisions = sorted(by_author.values(), key=lambda d: d.seq)
        conflicts = {
            question_id
            for question_id in {q for d in decisions for q in d.choices}
            if len({d.choices[question_id] for d in decisions if question_id in d.choices}) > 1
        }
        last = max(d.seq for d in decisions)
        resolution = resolutions.get(voter_id)
        if resolution is not None and resolution.up_to_seq < last:
            resolution = None  # a later decision: the board's choice no longer covers it
        states[voter_id] = JointState(voter_id, decisions, last, conflicts, resolution)
    return states


def joint_adjusted(meeting: Meeting, sources, choices: list[tuple]) -> list[tuple]:
    """``choices`` with the joint lines' conflicts applied: where the board chose a decision,
    its author's choice counts; where it has not, the question counts for no option
    (``counting.CONFLICT``: the line still took part)."""
    states = {k: s for k, s in joint_states(meeting, sources).items() if s.conflicts}
    if not states:
        return choices
    adjusted = []
    for voter_id, question_id, choice in choices:
        state = states.get(voter_id)
        if state is not None and question_id in state.conflicts:
            chosen = state.chosen
            choice = (
                chosen.choices.get(question_id, counting.CONFLICT)
                if chosen is not None
                else counting.CONFLICT
            )
        adjusted.append((voter_id, question_id, choice))
    return adjusted


@dataclass
class ConflictRow:
    voter: Voter
    state: JointState
    questions: list
    authors: dict  # entry id → the login's name (online) or the source

    @property
    def options(self) -> list[dict]:
        """Each joint owner's decision on the questions in conflict, for choosing one."""
        from tenants.voting.models import Choice

        labels = dict(Choice.choices)
        chosen = self.state.chosen
        return [
            {
                "entry_id": decision.entry_id,
                "seq": decision.seq,
                "author": self.authors.get(str(decision.entry_id), ""),
                "source": Source(decision.source).label,
                "chosen": chosen is not None and chosen.entry_id == decision.entry_id,
                "choices": [
                    (question.number, labels.get(decision.choices.get(str(question.pk)), "—"))
                    for question in self.questions
                ],
            }
            for decision in self.state.decisions
        ]


def joint_conflicts(meeting: Meeting) -> list[ConflictRow]:
    """The joint lines whose owners decided differently (the counted sources), resolved or not,
    for the counting commission (the board's meeting page)."""
    states = {
        k: s for k, s in joint_states(meeting, counted_sources(meeting)).items() if s.conflicts
    }
    if not states:
        return []
    from django.contrib.auth import get_user_model

    voters = {
        str(v.pk): v
        for v in Voter.objects.filter(pk__in=list(states)).select_related("premises__building")
    }
    questions = {str(q.pk): q for q in meeting.questions.order_by("number")}
    logins = {
        str(u.pk): u
        for u in get_user_model().objects.filter(
            pk__in=[d.entered_by for s in states.values() for d in s.decisions if d.entered_by]
        )
    }
    prefetch_keys(list(logins.values()))
    rows = []
    for voter_id, state in sorted(states.items(), key=lambda item: voters[item[0]].position):
        authors = {}
        for decision in state.decisions:
            login = logins.get(str(decision.entered_by))
            authors[str(decision.entry_id)] = (
                login.full_name if decision.source == Source.ONLINE and login else ""
            )
        rows.append(
            ConflictRow(
                voters[voter_id],
                state,
                [questions[q] for q in questions if q in state.conflicts],
                authors,
            )
        )
    return rows


def unresolved_conflicts(meeting: Meeting) -> int:
    return sum(1 for row in joint_conflicts(meeting) if not row.state.resolved)


@dataclass
class QuestionRow:
    question: Question
    result: counting.QuestionResult


def result_rows(meeting: Meeting, result: counting.Tally) -> list[QuestionRow]:
    questions = {str(q.pk): q for q in meeting.questions.all()}
    return [QuestionRow(questions[r.question_id], r) for r in result.questions]


def results_visible_to(user, meeting: Meeting) -> bool:
    """Results: the board at any time (live turnout), everyone else once the meeting closed."""
    return runs_meetings(user) or meeting.status == MeetingStatus.CLOSED


# -- a voter's own decisions --------------------------------------------------------------------


@dataclass
class MyLine:
    voter: Voter
    #: question id → the current choice (counted or not) and its entry
    choices: dict
    proxy: Proxy | None = None


def my_lines(user, meeting: Meeting) -> list[MyLine]:
    """``user``'s register lines with their latest decision on each question (any source)."""
    voters = list(voters_of(user, meeting))
    latest: dict = defaultdict(dict)
    for ballot in (
        Ballot.objects.filter(voter__in=voters)
        .select_related("entry")
        .order_by("voter_id", "question_id", "-seq")
        .distinct("voter_id", "question_id")
    ):
        latest[ballot.voter_id][ballot.question_id] = ballot
    own = owner_ids_of(user)
    return [MyLine(v, latest.get(v.pk, {}), proxy_for(user, v, own)) for v in voters]


def entries_of(user, meeting: Meeting) -> QuerySet[ChainEntry]:
    """The chain entries of ``user``'s lines (their history, changes included)."""
    return (
        ChainEntry.objects.filter(meeting=meeting, voter__in=voters_of(user, meeting))
        .select_related("voter")
        .order_by("-seq")
    )


def vote_receipt(entry: ChainEntry) -> chain.VoteReceipt:
    """The voter's proof of ``entry``: its hash, salt and content (only the voter's own entries
    and the board's pages call this)."""
    ballots = list(entry.ballots.all())
    return chain.VoteReceipt(
        meeting_id=str(entry.meeting_id),
        seq=entry.seq,
        entry_hash=entry.entry_hash,
        salt=entry.salt,
        content=chain.entry_content(entry, ballots),
    )


def entry_for(user, meeting: Meeting, seq: int) -> ChainEntry:
    """One of ``user``'s own entries by its number in the chain (404 otherwise)."""
    return get_object_or_404(entries_of(user, meeting), seq=seq)


# -- the board: register and chain --------------------------------------------------------------


@dataclass
class RegisterRow:
    voter: Voter
    names: list[str]
    voted: bool
    #: "name (basis)" of each representative whose document the board accepted
    representatives: list[str] = None

    @property
    def weight_text(self) -> str:
        return readable(self.voter.weight)


def register_rows(meeting: Meeting) -> list[RegisterRow]:
    """The frozen register with the owners' names (one key wave) and who has voted."""
    voters = list(meeting.voters.select_related("premises__building", "user").order_by("position"))
    owners = {
        o.pk: o
        for o in Owner.objects.filter(pk__in=[pk for v in voters for pk in v.owner_ids]).order_by(
            "pk"
        )
    }
    prefetch_keys(list(owners.values()) + [v.user for v in voters if v.user is not None])
    voted = set(
        Ballot.objects.filter(meeting=meeting).values_list("voter_id", flat=True).distinct()
    )
    accepted = list(
        Proxy.objects.filter(meeting=meeting, status=ProxyStatus.ACCEPTED)
        .exclude(representative=None)
        .select_related("representative")
        .order_by("decided_at")
    )
    prefetch_keys([p.representative for p in accepted])
    representatives: dict = defaultdict(list)
    for proxy in accepted:
        representatives[proxy.voter_id].append(
            f"{proxy.representative.full_name or '—'} ({proxy.get_basis_display()})"
        )
    rows = []
    for voter in voters:
        if voter.user is not None:
            names = [voter.user.full_name]
        else:
            # An erased former owner has no name left (crypto-shredded): shown as a dash.
            names = sorted(
                {owners[pk].display_name for pk in voter.owner_ids if pk in owners} - {""}
            )
        rows.append(RegisterRow(voter, names, voter.pk in voted, representatives.get(voter.pk, [])))
    return rows


@dataclass(frozen=True)
class _LineFacts:
    premises_id: object
    share_numerator: int
    share_denominator: int


#: A register line that is gone: its entries cannot match their commitments.
MISSING_LINE = _LineFacts(None, 0, 1)


@dataclass(frozen=True)
class _EntryRow:
    pk: object
    meeting_id: object
    seq: int
    voter_id: object
    voter: _LineFacts
    cast_at: object
    source: str
    salt: str
    commitment: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class _BallotRow:
    meeting_id: object
    voter_id: object
    question_id: object
    choice: str
    seq: int
    source: str


def verify(meeting: Meeting) -> chain.Verification:
    """Recompute the meeting's chain from the stored rows (``chain.verify_entries``), read as
    plain tuples (a large meeting's 100,000 ballots are not built into model objects)."""
    lines = {
        pk: _LineFacts(premises_id, numerator, denominator)
        for pk, premises_id, numerator, denominator in Voter.objects.filter(
            meeting=meeting
        ).values_list("pk", "premises_id", "share_numerator", "share_denominator")
    }
    entries = [
        _EntryRow(pk, meeting.pk, seq, voter_id, lines.get(voter_id, MISSING_LINE), *rest)
        for pk, seq, voter_id, *rest in meeting.chain.order_by("seq").values_list(
            "pk",
            "seq",
            "voter_id",
            "cast_at",
            "source",
            "salt",
            "commitment",
            "prev_hash",
            "entry_hash",
        )
    ]
    by_entry: dict = defaultdict(list)
    for entry_id, *rest in Ballot.objects.filter(meeting=meeting).values_list(
        "entry_id", "meeting_id", "voter_id", "question_id", "choice", "seq", "source"
    ):
        by_entry[entry_id].append(_BallotRow(*rest))
    return chain.verify_entries(meeting, entries, by_entry)


def proxies_of(meeting: Meeting) -> list[Proxy]:
    found = list(
        meeting.proxies.select_related("voter", "document", "representative").order_by(
            "-submitted_at"
        )
    )
    prefetch_keys([p.representative for p in found if p.representative is not None])
    return found


# -- quick polls --------------------------------------------------------------------------------


def premises_owned_by(user) -> list:
    """Ids of the premises ``user`` owns a share of today."""
    from tenants.residents.models import Ownership
    from tenants.residents.selectors import current

    if not user.is_authenticated:
        return []
    return list(
        Ownership.objects.filter(
            current(), owner__user=user, owner__holding__erased_at__isnull=True
        )
        .values_list("premises_id", flat=True)
        .distinct()
    )


def polls_visible_to(user):
    from tenants.voting.models import Poll

    if runs_meetings(user) or has_role(user, *MEMBER_ROLES):
        return Poll.objects.all()
    return Poll.objects.none()


@dataclass
class PollOptionRow:
    option: object
    votes: int
    percent: object


def poll_rows(poll) -> list[PollOptionRow]:
    from django.db.models import Count

    from tenants.voting.shares import percent

    options = list(poll.options.annotate(count=Count("votes")).order_by("number"))
    total = sum(o.count for o in options)
    return [PollOptionRow(o, o.count, percent(o.count, total)) for o in options]


def my_poll_votes(user, poll) -> dict:
    """``{premises id or None: option id}`` of the answers ``user`` gave."""
    return dict(poll.votes.filter(user=user).values_list("premises_id", "option_id"))


# -- demands for an extraordinary meeting --------------------------------------------------------


def demands_visible_to(user):
    """Demands are read by everyone who might sign them and by the board."""
    from tenants.voting.models import Demand

    if runs_meetings(user) or has_role(user, *MEMBER_ROLES):
        return Demand.objects.select_related("building", "meeting")
    return Demand.objects.none()
