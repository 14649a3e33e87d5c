"""Meetings, their agenda, the frozen register of voters and the ballots in a hash chain.

* A ``Meeting`` runs under one rule of ``tenants.voting.rules`` (``rule_version``, recorded when
  it is set up and never changed): who votes, how votes weigh, the quorum, the notice and which
  thresholds its questions may take.
* ``Question``: one item of the agenda, with the threshold it is decided by (required).
* ``Voter``: one line of the register frozen when voting opens: a share of premises (owners'
  meetings, ТСЖ members) or one member (ЖСК, СНТ: one person, one vote, whatever they own), an
  individual gardener (СНТ, on the questions marked for them) or a board member. It holds ids,
  areas, shares and weights, nothing personal: names stay in the registry under the holders'
  keys, so erasing a former owner never touches the register or the chain.
* ``ChainEntry``: one submission of decisions (online by the voter, or a paper decision or the
  session's vote entered by the board), appended to the meeting's hash chain;
  ``Ballot``: its choice on one question. A change is a new entry: the last one counts, the
  earlier ones stay. Both tables are append-only in the database (a trigger refuses UPDATE and
  DELETE), and any edit that slips past it breaks the chain's verification (``chain``).
* ``Proxy``: a power of attorney the board accepts or refuses.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import keyring
from core.crypto.fields import EncryptedModel, EncryptedTextField
from tenants.voting import rules
from tenants.voting.rules import MeetingForm, MeetingKind, Threshold


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOTICE = "notice", _("Notice published")
    VOTING = "voting", _("Voting")
    CLOSED = "closed", _("Closed")


class Meeting(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    #: The protocol's number (per association, in order of setting up).
    number = models.PositiveIntegerField(_("number"), unique=True)
    kind = models.CharField(_("kind of meeting"), max_length=10, choices=MeetingKind.choices)
    form = models.CharField(_("form"), max_length=10, choices=MeetingForm.choices)
    rule_version = models.CharField(_("rule"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    #: The building of an owners' general meeting (ЖК: one meeting per apartment building).
    building = models.ForeignKey(
        "residents.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("building"),
    )
    place = models.CharField(_("place of the session"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("voting starts"))
    ends_at = models.DateTimeField(_("voting ends"))
    #: Where the charter (and the meeting's decision) name the portal for online voting.
    online_basis = models.TextField(_("charter basis for online voting"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    notice_published_at = models.DateTimeField(_("notice published"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: The day the register was frozen (the ownership and membership read then).
    register_date = models.DateField(_("register date"), null=True, blank=True)
    #: All votes of the frozen register (the base of the quorum), an exact fraction "n/d".
    total_votes = models.CharField(max_length=100, blank=True)
    #: The chain's last hash when the meeting closed: published with the results.
    final_hash = models.CharField(max_length=64, blank=True)
    #: The protocol with the results, published to members and owners through the documents
    #: (ЖК РФ ст. 46 ч. 3, ст. 143.1): the document made and when.
    results_document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="voting_meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Meeting {self.number}"

    @property
    def rule(self) -> rules.MeetingRule:
        return rules.by_version(self.rule_version)

    @property
    def total(self) -> Fraction:
        return Fraction(self.total_votes) if self.total_votes else Fraction(0)

    @property
    def online_binds(self) -> bool:
        """Whether a decision a voter sends online on the portal counts (else: an opinion)."""
        return self.rule.online_binds(charter_basis=self.online_basis)


class Question(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="questions", db_index=False
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"), max_length=2000)
    threshold = models.CharField(_("threshold"), max_length=24, choices=Threshold.choices)
    #: СНТ: individual gardeners vote on it too (217-ФЗ ст. 17 ч. 3: estimate, contributions,
    #: their financial and economic justification).
    gardeners_vote = models.BooleanField(_("individual gardeners vote"), default=False)
    #: The material another app put to the meeting with this question
    #: (``core.extensions.AgendaMaterial``): its kind, its id and the hash of its content as it
    #: was put (an estimate's version), shown beside the question.
    material_kind = models.CharField(max_length=60, blank=True)
    material_id = models.CharField(max_length=64, blank=True)
    material_digest = models.CharField(max_length=64, blank=True)
    #: The day the decision takes effect, as the agenda says (None: the day it is taken).
    takes_effect_on = models.DateField(_("takes effect on"), null=True, blank=True)
    #: When the outcome was handed to the material's app (once: ``services.offer_outcomes``).
    outcome_offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="voting_question_number")
        ]

    def __str__(self) -> str:
        return f"Question {self.number}"


class VoterKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")
    GARDENER = "gardener", _("Individual gardener")
    BOARD = "board", _("Board member")


class Voter(models.Model):
    """One line of the frozen register, with the exact weight of its votes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="voters", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=VoterKind.choices)
    #: The premises this line votes for (owners' meetings and ТСЖ members); none for a member
    #: who votes once whatever they own (ЖСК, СНТ) and for board members.
    premises = models.ForeignKey(
        "residents.Premises", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    share_numerator = models.PositiveIntegerField(default=1)
    share_denominator = models.PositiveIntegerField(default=1)
    area = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    weight_numerator = models.BigIntegerField()
    weight_denominator = models.BigIntegerField(default=1)
    #: The registry's owner records whose logins vote for this line (one person's records).
    owner_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    #: A board member's login (board meetings).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Gardeners vote on their questions but are not counted for the quorum (ст. 17 ч. 19).
    counts_for_quorum = models.BooleanField(default=True)
    #: Shown in the register and on the ballot (premises, share): no personal data.
    label = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    #: A change of ownership recorded during the meeting: the former owners' lines end on the
    #: day of the transfer (their decisions before it stand), the new owners' lines start then
    #: one generation later; the latest generation of a premises that decided is counted.
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    generation = models.PositiveSmallIntegerField(default=0)
    #: Joint owners without shares (ГК РФ ст. 253): any of them gives the line's one decision;
    #: different decisions of two of them are a conflict the board resolves (``JointResolution``).
    joint = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        ordering = ["meeting", "position"]
        indexes = [models.Index(fields=["meeting", "premises"], name="voting_voter_premises")]

    def __str__(self) -> str:
        return f"Voter {self.pk}"

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator)

    @property
    def weight(self) -> Fraction:
        return Fraction(self.weight_numerator, self.weight_denominator)

    @property
    def area_share(self) -> Decimal | None:
        if self.area is None:
            return None
        return self.area * self.share_numerator / self.share_denominator


class Source(models.TextChoices):
    ONLINE = "online", _("online on the portal")
    PAPER = "paper", _("written decision entered by the board")
    IN_PERSON = "in_person", _("vote at the session entered by the board")


class Choice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class ProxyStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the board")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class ProxyBasis(models.TextChoices):
    """What lets the representative act: a power of attorney (ЖК РФ ст. 48 ч. 2; ГК РФ
    ст. 185), or being the head of the owning organisation, who acts for it without one (ГК РФ
    ст. 53 ч. 1: the extract from ЕГРЮЛ or the decision appointing them)."""

    POWER_OF_ATTORNEY = "attorney", _("power of attorney")
    HEAD = "head", _("head of the organisation, by document")


class Proxy(models.Model):
    """A power of attorney for one line of the register (ЖК РФ ст. 48 ч. 2; ГК РФ ст. 185), or
    the document by which a legal entity's head represents it (``basis``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="proxies")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="proxies")
    #: The representative's login, when they vote online; none for a paper decision by proxy.
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProxyStatus.choices, default=ProxyStatus.PENDING
    )
    basis = models.CharField(
        _("basis"),
        max_length=10,
        choices=ProxyBasis.choices,
        default=ProxyBasis.POWER_OF_ATTORNEY,
    )
    submitted_by = models.UUIDField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.UUIDField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("power of attorney")
        verbose_name_plural = _("powers of attorney")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Proxy {self.pk}"


class ChainEntry(models.Model):
    """One submission of decisions, a link of the meeting's hash chain (append-only).

    ``commitment = H(salt ‖ canonical content)`` (content: the register line, premises, share,
    the choices by question, the time) and ``entry_hash = H(prev_hash ‖ commitment)``. The salt
    is random, so the hashes published with the results say nothing of the choices even though
    they are few. Logins are kept as ids (no foreign key), so the table never needs an UPDATE.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="chain", db_index=False
    )
    seq = models.PositiveIntegerField()
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="entries")
    cast_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices)
    #: The login that sent it online, or the board member who entered it.
    entered_by = models.UUIDField(null=True, blank=True)
    proxy = models.ForeignKey(
        Proxy, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    #: The signed paper decision's scan (``tenants.files``).
    scan = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    salt = models.CharField(max_length=32)
    commitment = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("chain entry")
        verbose_name_plural = _("chain entries")
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="voting_chain_seq"),
        ]

    def __str__(self) -> str:
        return f"Chain entry {self.seq}"


class Ballot(models.Model):
    """A choice on one question within a chain entry. The current one of a voter on a question
    is the one with the highest ``seq`` (a change appends, never updates)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entry = models.ForeignKey(
        ChainEntry, on_delete=models.PROTECT, related_name="ballots", db_index=False
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+", db_index=False)
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="ballots")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    #: The entry's, copied for counting without a join.
    seq = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["entry", "question"], name="voting_ballot_once"),
        ]
        indexes = [
            models.Index(
                fields=["meeting", "voter", "question", "-seq"], name="voting_ballot_current"
            )
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk}"


class JointResolution(models.Model):
    """The counting commission's (the board's) choice between joint owners' different decisions
    for one register line (ГК РФ ст. 253: joint owners act by common consent; ЖК РФ ст. 48
    ч. 6: a decision with more than one option on a question is not counted). It covers the
    line's decisions up to ``up_to_seq``: a later disagreeing decision opens a new conflict."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="resolutions")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="resolutions")
    #: The decision that counts: its author's latest choices on the line are counted.
    chosen = models.ForeignKey(ChainEntry, on_delete=models.PROTECT, related_name="+")
    up_to_seq = models.PositiveIntegerField()
    resolved_by = models.UUIDField(null=True, blank=True)
    resolved_at = models.DateTimeField()

    class Meta:
        verbose_name = _("resolution of a joint owners' conflict")
        verbose_name_plural = _("resolutions of joint owners' conflicts")
        ordering = ["meeting", "-up_to_seq"]

    def __str__(self) -> str:
        return f"Resolution {self.pk}"


# -- quick polls --------------------------------------------------------------------------------


class PollBasis(models.TextChoices):
    LOGIN = "login", _("one vote per login")
    PREMISES = "premises", _("one vote per premises")


class Poll(models.Model):
    """A quick poll on an everyday question: never a decision of a meeting (no legal force)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.CharField(_("question"), max_length=300)
    basis = models.CharField(
        _("who votes"), max_length=10, choices=PollBasis.choices, default=PollBasis.LOGIN
    )
    closes_at = models.DateTimeField(_("closes"))
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Poll {self.pk}"


class PollOption(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options", db_index=False)
    number = models.PositiveSmallIntegerField()
    text = models.CharField(_("option"), max_length=200)

    class Meta:
        ordering = ["poll", "number"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "number"], name="voting_poll_option_number")
        ]

    def __str__(self) -> str:
        return f"Option {self.number}"


class PollVote(models.Model):
    """One login's (or one premises') answer; changed in place until the poll closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    premises = models.ForeignKey(
        "residents.Premises", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    voted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "user"],
                condition=models.Q(premises__isnull=True),
                name="voting_poll_once_per_login",
            ),
            models.UniqueConstraint(
                fields=["poll", "premises"],
                condition=models.Q(premises__isnull=False),
                name="voting_poll_once_per_premises",
            ),
        ]

    def __str__(self) -> str:
        return f"Poll vote {self.pk}"


# -- owners' (members') demands for an extraordinary meeting ------------------------------------


class DemandStatus(models.TextChoices):
    OPEN = "open", _("Collecting signatures")
    MET = "met", _("Enough signatures: the board must call the meeting")
    CONVENED = "convened", _("Meeting called")


class Demand(EncryptedModel):
    """A written demand that the board call an extraordinary meeting (ЖК РФ ст. 45 ч. 6;
    217-ФЗ ст. 17 ч. 7), signed on the portal by owners or members until they hold the share
    of votes the rule asks. Its agenda is the initiator's own text: encrypted under their
    holding's key (erasing them shreds it; the signatures stay as figures)."""

    kind = models.CharField(_("kind of meeting"), max_length=10, choices=MeetingKind.choices)
    rule_version = models.CharField(_("rule"), max_length=40)
    building = models.ForeignKey(
        "residents.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    holding_id = models.UUIDField()
    agenda = EncryptedTextField(_("proposed agenda"), null=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    met_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="demands"
    )
    #: The threshold it was started under, kept (the law's, or the charter's as the board
    #: recorded it that day): a later change of the setting does not move it. Empty on demands
    #: started before it was kept: the rule's is read. ``basis``: the charter's clause (empty
    #: when the law sets the threshold).
    share_numerator = models.PositiveIntegerField(null=True, blank=True)
    share_denominator = models.PositiveIntegerField(null=True, blank=True)
    strict = models.BooleanField(default=False)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    basis = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("demand for a meeting")
        verbose_name_plural = _("demands for a meeting")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Demand {self.pk}"

    def encryption_key_name(self) -> str:
        return keyring.holding_key(self.holding_id)

    @property
    def rule(self) -> rules.MeetingRule:
        return rules.by_version(self.rule_version)

    @property
    def share(self) -> Fraction | None:
        if self.share_numerator:
            return Fraction(self.share_numerator, self.share_denominator)
        return self.rule.demand_share

    @property
    def strict_share(self) -> bool:
        return self.strict if self.share_numerator else self.rule.demand_strict

    @property
    def due_days(self) -> int | None:
        return self.days if self.share_numerator else self.rule.demand_days

    @property
    def basis_text(self) -> str:
        """The law's basis, or the charter's clause and threshold the demand was started
        under, in the reader's language."""
        if not self.basis:
            return self.rule.demand_basis
        from django.utils.translation import gettext

        from tenants.voting.shares import format_fraction

        return gettext(
            "The charter, %(clause)s: %(more)s %(share)s of all votes; the board calls the "
            "meeting within %(days)d days."
        ) % {
            "clause": self.basis,
            "more": gettext("more than") if self.strict else gettext("at least"),
            "share": format_fraction(self.share),
            "days": self.days or 0,
        }

    def met(self, signed: Fraction, total: Fraction) -> bool:
        share = self.share
        if share is None or total <= 0:
            return False
        return signed > total * share if self.strict_share else signed >= total * share

    @property
    def due_on(self):
        """The last day for the board to call the meeting, once the demand is met."""
        import datetime

        from django.utils import timezone

        if self.met_at is None or self.due_days is None:
            return None
        return timezone.localtime(self.met_at).date() + datetime.timedelta(days=self.due_days)


class DemandSetting(models.Model):
    """The charter's threshold for demanding a meeting where the law leaves it to the charter
    (ТСЖ/ТСН members' meetings: ЖК РФ ст. 146 ч. 1 refers to the charter; ЖСК: ст. 117 and the
    charter), recorded by the board: the share of all votes, strictly more or at least, and
    the days the board has to call the meeting."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(
        _("kind of meeting"), max_length=10, choices=MeetingKind.choices, unique=True
    )
    share_numerator = models.PositiveIntegerField()
    share_denominator = models.PositiveIntegerField()
    strict = models.BooleanField(_("more than the share (not at least)"), default=False)
    days = models.PositiveSmallIntegerField(_("days for the board to call the meeting"))
    clause = models.CharField(_("charter clause"), max_length=300)
    updated_by = models.UUIDField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("charter threshold for demands")
        verbose_name_plural = _("charter thresholds for demands")

    def __str__(self) -> str:
        return f"Demand setting {self.kind}"

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator)


class DemandSignature(models.Model):
    """A signer and the votes they held when signing (area × share, or 1 as a member)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weight_numerator = models.BigIntegerField()
    weight_denominator = models.BigIntegerField(default=1)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["demand", "user"], name="voting_demand_signed_once")
        ]

    def __str__(self) -> str:
        return f"Signature {self.pk}"

    @property
    def weight(self) -> Fraction:
        return Fraction(self.weight_numerator, self.weight_denominator)
