"""The meeting's hash chain: how an entry is committed, hashed and verified.

Each submission of decisions is one link::

    content    = canonical JSON of (meeting, register line, premises, share, source, time,
                 the choice on each question)            -- ids, figures and choices only
    commitment = SHA-256(salt ‖ content)                 -- salt: 16 random bytes
    entry_hash = SHA-256(prev_hash ‖ commitment)         -- prev_hash of the first link: the
                                                            meeting's genesis hash

The content holds what the law keeps of a decision (premises, share, question, choice, time)
and register ids, never a name, so erasing a former owner's personal data never breaks
verification. The salt makes the published hashes say nothing of the choices, though a choice
is one of three. A voter keeps a ``VoteReceipt`` (their entry's hash and salt, and what they
chose) and can check it against the chain whose final hash is published with the results.

``verify(meeting)`` recomputes every link from the stored rows and reports where the chain
breaks: an edited choice, share, time or salt changes the commitment; an edited or removed
link breaks the next link's ``prev_hash``; a removed last link no longer matches the final
hash published at closing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

CONTENT_VERSION = 1


def genesis_hash(meeting_id) -> str:
    """The ``prev_hash`` of a meeting's first link: binds the chain to its meeting."""
    return hashlib.sha256(f"tszh-voting-genesis:{meeting_id}".encode()).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def timestamp(moment: datetime.datetime) -> str:
    """The time as committed: UTC, microseconds (what PostgreSQL keeps)."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def content(
    *,
    meeting_id,
    voter_id,
    premises_id,
    share: str,
    source: str,
    cast_at: datetime.datetime,
    choices: dict,
) -> str:
    """The canonical text of a link's content (sorted keys, no spaces, ASCII)."""
    data = {
        "v": CONTENT_VERSION,
        "meeting": str(meeting_id),
        "voter": str(voter_id),
        "premises": str(premises_id) if premises_id else "",
        "share": share,
        "source": source,
        "time": timestamp(cast_at),
        "choices": sorted([str(question), str(choice)] for question, choice in choices.items()),
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def commit(salt: str, text: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + text.encode("ascii")).hexdigest()


def link(prev_hash: str, commitment: str) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + bytes.fromhex(commitment)).hexdigest()


def entry_content(entry, ballots) -> str:
    """The content of a stored entry, from its rows (``ballots``: the entry's ballots)."""
    voter = entry.voter
    return content(
        meeting_id=entry.meeting_id,
        voter_id=entry.voter_id,
        premises_id=voter.premises_id,
        share=f"{voter.share_numerator}/{voter.share_denominator}",
        source=entry.source,
        cast_at=entry.cast_at,
        choices={ballot.question_id: ballot.choice for ballot in ballots},
    )


@dataclass(frozen=True)
class VoteReceipt:
    """What a voter keeps of their submission: enough to find it in the published chain and to
    check that it holds what they chose. Not a ledger receipt (квитанция): a vote receipt."""

    meeting_id: str
    seq: int
    entry_hash: str
    salt: str
    content: str

    def as_dict(self) -> dict:
        return {
            "meeting": self.meeting_id,
            "seq": self.seq,
            "entry_hash": self.entry_hash,
            "salt": self.salt,
            "content": self.content,
        }


@dataclass
class Break:
    """Where and why the chain does not verify."""

    seq: int | None
    code: str

    @property
    def message(self) -> str:
        messages = {
            "content": _("the stored decision does not match its commitment (edited)"),
            "link": _("the link's hash does not follow from the previous one"),
            "gap": _("a link is missing or out of order"),
            "ballots": _("the link's ballots were changed or removed"),
            "final": _("the chain does not end at the hash published at closing"),
        }
        return messages.get(self.code, self.code)


@dataclass
class Verification:
    entries: int = 0
    last_hash: str = ""
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def verify_entries(meeting, entries, ballots_by_entry: dict) -> Verification:
    """Recompute the chain of ``meeting`` from its stored ``entries`` (in ``seq`` order)."""
    result = Verification()
    prev = genesis_hash(meeting.pk)
    expected_seq = 1
    for entry in entries:
        result.entries += 1
        if entry.seq != expected_seq:
            result.breaks.append(Break(entry.seq, "gap"))
        expected_seq = entry.seq + 1
        ballots = ballots_by_entry.get(entry.pk, [])
        if not ballots or any(
            (b.seq, b.voter_id, b.meeting_id, b.source)
            != (entry.seq, entry.voter_id, entry.meeting_id, entry.source)
            for b in ballots
        ):
            result.breaks.append(Break(entry.seq, "ballots"))
        if commit(entry.salt, entry_content(entry, ballots)) != entry.commitment:
            result.breaks.append(Break(entry.seq, "content"))
        if entry.prev_hash != prev or link(entry.prev_hash, entry.commitment) != entry.entry_hash:
            result.breaks.append(Break(entry.seq, "link"))
        prev = entry.entry_hash
    result.last_hash = prev if result.entries else ""
    if meeting.final_hash and meeting.final_hash != result.last_hash:
        result.breaks.append(Break(None, "final"))
    return result


def check_receipt(receipt: VoteReceipt, entry) -> bool:
    """Whether the stored link ``entry`` is the one the receipt names and holds its content."""
    return (
        entry is not None
        and entry.entry_hash == receipt.entry_hash
        and commit(receipt.salt, receipt.content) == entry.commitment
        and link(entry.prev_hash, entry.commitment) == receipt.entry_hash
    )
