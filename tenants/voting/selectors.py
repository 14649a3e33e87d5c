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
        choices=current_choices(meeting, sources),
    )


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
    rows = []
    for voter in voters:
        if voter.user is not None:
            names = [voter.user.full_name]
        else:
            # An erased former owner has no name left (crypto-shredded): shown as a dash.
            names = sorted(
                {owners[pk].display_name for pk in voter.owner_ids if pk in owners} - {""}
            )
        rows.append(RegisterRow(voter, names, voter.pk in voted))
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


def proxies_of(meeting: Meeting) -> QuerySet[Proxy]:
    return meeting.proxies.select_related("voter", "document").order_by("-submitted_at")


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
