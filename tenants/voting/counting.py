"""Counting votes with exact arithmetic (``fractions.Fraction``, never floats).

One weighted sum answers the quorum and every threshold (``../shared/DOMAIN.md``: never mix
head-count and weight within one rule): a voter's weight is area × share, or 1 per member.

* **A change of ownership** during the meeting: the former owners' lines end on the day of
  the transfer and keep the decisions they gave before it; the new owners' lines are one
  generation later. Per premises, the latest generation that decided anything is counted.
* **Taking part**: a register line takes part when it has at least one current decision
  counted in this meeting (its latest decision on some question from a counted source).
  Abstentions and unanswered questions of a participant count as taking part.
* **Quorum**: the weight of the lines taking part that count for the quorum, compared with all
  votes (``rules.QUORUM_BARS``): more than half for general meetings (exactly half is *not* a
  quorum, ЖК РФ ст. 45 ч. 3), at least half for the board.
* **A question** is adopted when the meeting has a quorum and its votes *for* meet the
  question's threshold (``rules.BARS``) against all votes or against the votes taking part.
  On the questions open to individual gardeners (217-ФЗ ст. 17 ч. 3) the gardeners who took
  part join the votes taking part; they never count for the quorum (ст. 17 ч. 19).

``tally`` is pure (no database), so worked cases test it directly; ``selectors.results`` feeds
it a meeting's frozen register and its current decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from tenants.voting.rules import BARS, QUORUM_BARS, MeetingRule
from tenants.voting.shares import percent, readable

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
#: Joint owners gave different decisions on the question and the board has not resolved it:
#: the line took part, its votes on that question count for no option (ЖК РФ ст. 48 ч. 6).
CONFLICT = "conflict"


@dataclass(frozen=True)
class VoterWeight:
    id: object
    weight: Fraction
    counts_for_quorum: bool = True
    gardener: bool = False
    #: Lines of one premises across a change of ownership share a group (its id); the latest
    #: generation that decided anything is counted, the earlier owners' decisions are not.
    group: object = None
    generation: int = 0

    @property
    def key(self):
        return self.group if self.group is not None else self.id


@dataclass(frozen=True)
class QuestionSpec:
    id: object
    threshold: str
    gardeners_vote: bool = False


@dataclass
class QuestionResult:
    question_id: object
    threshold: str
    votes_for: Fraction = Fraction(0)
    against: Fraction = Fraction(0)
    abstain: Fraction = Fraction(0)
    #: The votes taking part on this question's base (gardeners included where they vote).
    present: Fraction = Fraction(0)
    total: Fraction = Fraction(0)
    adopted: bool = False

    def of_all(self, value: Fraction) -> Decimal:
        return percent(value, self.total)

    def of_present(self, value: Fraction) -> Decimal:
        return percent(value, self.present)

    @property
    def figures(self) -> list[dict]:
        """For, against and abstain as weights and as per cent of all and of those taking part
        (rounded only here, for reading)."""
        return [
            {
                "choice": choice,
                "weight": value,
                "weight_text": readable(value),
                "of_all": self.of_all(value),
                "of_present": self.of_present(value),
            }
            for choice, value in (
                (FOR, self.votes_for),
                (AGAINST, self.against),
                (ABSTAIN, self.abstain),
            )
        ]


@dataclass
class Tally:
    total: Fraction
    present: Fraction
    quorum_met: bool
    participants: int
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def turnout(self) -> Decimal:
        return percent(self.present, self.total)

    @property
    def turnout_css(self) -> str:
        """The turnout as a CSS width (a dot, never the reader's decimal comma)."""
        return format(min(self.turnout, Decimal(100)), "f")

    @property
    def present_text(self) -> str:
        return readable(self.present)

    @property
    def total_text(self) -> str:
        return readable(self.total)

    def question(self, question_id) -> QuestionResult:
        return next(q for q in self.questions if str(q.question_id) == str(question_id))


class ExactSum:
    """A sum of fractions kept as integer numerators per denominator (exact, and far cheaper
    than adding ``Fraction`` objects one by one: weights share few denominators)."""

    __slots__ = ("parts",)

    def __init__(self):
        self.parts: dict[int, int] = {}

    def add(self, weight: Fraction) -> None:
        parts = self.parts
        parts[weight.denominator] = parts.get(weight.denominator, 0) + weight.numerator

    @property
    def value(self) -> Fraction:
        return sum(
            (Fraction(numerator, denominator) for denominator, numerator in self.parts.items()),
            Fraction(0),
        )


def counted(weights: dict, choices: Iterable[tuple[object, object, str]]) -> dict[tuple, str]:
    """``{(voter id, question id): choice}`` that count: per premises across a change of
    ownership, only the latest generation that decided anything (``weights``: by voter id)."""
    current: dict[tuple, str] = {}
    for voter_id, question_id, choice in choices:
        current[(voter_id, question_id)] = choice
    if any(v.generation for v in weights.values()):
        latest: dict = {}
        for voter_id, _question in current:
            voter = weights[voter_id]
            latest[voter.key] = max(latest.get(voter.key, 0), voter.generation)
        current = {
            (voter_id, question_id): choice
            for (voter_id, question_id), choice in current.items()
            if weights[voter_id].generation == latest[weights[voter_id].key]
        }
    return current


def tally(
    rule: MeetingRule,
    *,
    total: Fraction,
    voters: Iterable[VoterWeight],
    questions: Iterable[QuestionSpec],
    choices: Iterable[tuple[object, object, str]],
) -> Tally:
    """Count ``choices`` — the current ``(voter id, question id, choice)`` of each line on each
    question, from the counted sources only — under ``rule``."""
    weights = {v.id: v for v in voters}
    questions = list(questions)
    current = counted(weights, choices)
    taking_part = {voter_id for voter_id, _question in current}
    quorum_sum, gardeners_sum = ExactSum(), ExactSum()
    for voter_id in taking_part:
        voter = weights[voter_id]
        if voter.counts_for_quorum:
            quorum_sum.add(voter.weight)
        if voter.gardener:
            gardeners_sum.add(voter.weight)
    present_quorum, present_gardeners = quorum_sum.value, gardeners_sum.value
    quorum_met = QUORUM_BARS[rule.quorum].met(present_quorum, present_quorum, total)
    result = Tally(
        total=total, present=present_quorum, quorum_met=quorum_met, participants=len(taking_part)
    )
    sums: dict = {
        spec.id: {FOR: ExactSum(), AGAINST: ExactSum(), ABSTAIN: ExactSum()} for spec in questions
    }
    open_to_gardeners = {spec.id for spec in questions if spec.gardeners_vote}
    for (voter_id, question_id), choice in current.items():
        voter = weights[voter_id]
        found = sums.get(question_id)
        if (
            found is None
            or choice == CONFLICT
            or (voter.gardener and question_id not in open_to_gardeners)
        ):
            continue
        found[choice if choice in (FOR, AGAINST) else ABSTAIN].add(voter.weight)
    for spec in questions:
        found = sums[spec.id]
        row = QuestionResult(
            spec.id,
            spec.threshold,
            votes_for=found[FOR].value,
            against=found[AGAINST].value,
            abstain=found[ABSTAIN].value,
            total=total,
            present=present_quorum + (present_gardeners if spec.gardeners_vote else 0),
        )
        row.adopted = quorum_met and BARS[spec.threshold].met(row.votes_for, row.present, total)
        result.questions.append(row)
    return result
