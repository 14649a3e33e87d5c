"""The association's registry: buildings, premises, owners and shares, personal accounts, holders.

Key layout (ARCHITECTURE.md, data protection):

* A **holding** is one tenure of a personal account: from the day the premises came to its
  current owners until it changed hands. Everything personal about the people of that tenure
  (the holder's and the co-owners' names, phones, emails, documents) is encrypted under the
  holding's own provider key ``acct-<schema>-<holding id>``. A sale starts a new holding and so a
  new key: erasing a former owner destroys only their key.
* Areas, shares, numbers, dates and statuses are not encrypted: they are summed, reported and
  kept by law (the owners' register of ЖК РФ ст. 45 ч. 3.1).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.crypto import keyring
from core.crypto.fields import (
    BlindIndexField,
    EncryptedJSONField,
    EncryptedModel,
    EncryptedTextField,
)
from tenants.residents.validators import normalize_phone, validate_inn, validate_ogrn

#: Кадастровый номер: district:area:quarter:object, e.g. 77:01:0004012:1234.
cadastral_validator = RegexValidator(
    r"^\d{2}:\d{2}:\d{6,7}:\d{1,9}$",
    _("A cadastral number looks like 77:01:0004012:1234."),
)


class Building(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="residents_unique_building_name")
        ]

    def __str__(self) -> str:
        return self.name


class PremisesKind(models.TextChoices):
    FLAT = "flat", _("Flat")
    NON_RESIDENTIAL = "nonres", _("Non-residential premises")
    PLOT = "plot", _("Garden plot")
    PARKING = "parking", _("Parking place")


class Premises(models.Model):
    """A flat, non-residential premises, garden plot or parking place of one building."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        related_name="premises",
        verbose_name=_("building"),
        db_index=False,
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=PremisesKind.choices, default=PremisesKind.FLAT
    )
    number = models.CharField(_("number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    entrance = models.CharField(_("entrance"), max_length=10, blank=True)
    area = models.DecimalField(
        _("total area, m²"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    cadastral_number = models.CharField(
        _("cadastral number"), max_length=40, blank=True, validators=[cadastral_validator]
    )
    registered_residents = models.PositiveSmallIntegerField(_("registered residents"), default=0)

    class Meta:
        verbose_name = _("premises")
        verbose_name_plural = _("premises")
        ordering = ["building__name", "number"]
        constraints = [
            # A premises belongs to exactly one building, and its number is unique there.
            models.UniqueConstraint(
                fields=["building", "kind", "number"], name="residents_unique_premises_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.building} — {self.get_kind_display()} {self.number}"


class PersonalAccount(models.Model):
    """A personal account (лицевой счёт): one per premises by default, numbered per association."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("account number"), max_length=32, unique=True)
    premises = models.ForeignKey(
        Premises,
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
        verbose_name=_("premises"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("personal account")
        verbose_name_plural = _("personal accounts")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class Holding(EncryptedModel):
    """One tenure of a personal account, with its holder's personal data under its own key."""

    account = models.ForeignKey(PersonalAccount, on_delete=models.PROTECT, related_name="holdings")
    started_on = models.DateField(pgettext_lazy("period", "from"))
    ended_on = models.DateField(pgettext_lazy("period", "to"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    full_name = EncryptedTextField(_("holder's name"), null=True)
    phones = EncryptedJSONField(_("phones"), null=True)
    emails = EncryptedJSONField(_("emails"), null=True)
    documents = EncryptedJSONField(_("documents"), null=True)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(ended_on__isnull=True),
                name="residents_one_current_holding_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"Holding {self.pk}"

    def encryption_key_name(self) -> str:
        return keyring.holding_key(self.pk)


class OwnerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "org", _("Organisation")


class Owner(EncryptedModel):
    """An owner of premises: a person (personal data encrypted) or an organisation.

    A person's data is encrypted under the key of the holding they belong to, so it is erased
    with that holding. An organisation's name and ИНН/ОГРН are public register data.
    ``user`` links the owner to their portal login once they accepted an invitation.
    """

    holding = models.ForeignKey(Holding, on_delete=models.PROTECT, related_name="owners")
    kind = models.CharField(
        _("kind"), max_length=8, choices=OwnerKind.choices, default=OwnerKind.PERSON
    )
    full_name = EncryptedTextField(_("name"), null=True)
    phones = EncryptedJSONField(_("phones"), null=True)
    emails = EncryptedJSONField(_("emails"), null=True)
    documents = EncryptedJSONField(_("documents"), null=True)
    # Exact-match lookups without decrypting (registry search, import deduplication,
    # invitations): keyed hashes of the primary email and phone, cleared on erasure.
    email_index = BlindIndexField(source="primary_email", null=True, db_index=True)
    primary_email = EncryptedTextField(_("email"), null=True)
    phone_index = BlindIndexField(
        source="primary_phone", normalize=normalize_phone, null=True, db_index=True
    )
    primary_phone = EncryptedTextField(_("phone"), null=True)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, validators=[validate_inn])
    ogrn = models.CharField(_("ОГРН"), max_length=15, blank=True, validators=[validate_ogrn])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owner_records",
    )
    # Membership of the partnership is separate from ownership (ЖК ст. 143; 217-ФЗ ст. 5).
    is_member = models.BooleanField(_("member of the partnership"), default=False)
    member_since = models.DateField(_("member since"), null=True, blank=True)
    # The person this record belongs to in the register of members, when the board linked it (or
    # recorded a membership); unlinked records are matched by their blind indexes (``Person``).
    person = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owners",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")

    def __str__(self) -> str:
        return f"Owner {self.pk}"

    def encryption_key_name(self) -> str:
        return keyring.holding_key(self.holding_id)

    @property
    def display_name(self) -> str:
        if self.kind == OwnerKind.ORGANISATION:
            return self.organisation_name
        return self.full_name or ""


class DocumentKind(models.TextChoices):
    EGRN_EXTRACT = "egrn", _("Extract from ЕГРН")
    CERTIFICATE = "certificate", _("Certificate of ownership")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


class Ownership(models.Model):
    """A share of a premises owned by an owner over a period, with its title document.

    The share is kept exact as a fraction (numerator/denominator); the shares of a premises on
    any day should add up to 1 (the board sees a warning when they do not). Votes at an owners'
    meeting are area × share (ЖК РФ ст. 37, ст. 48 ч. 3).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="ownerships")
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="ownerships")
    share_numerator = models.PositiveIntegerField(_("share numerator"), default=1)
    share_denominator = models.PositiveIntegerField(_("share denominator"), default=1)
    started_on = models.DateField(pgettext_lazy("period", "from"))
    ended_on = models.DateField(pgettext_lazy("period", "to"), null=True, blank=True)
    document_kind = models.CharField(
        _("document"), max_length=12, choices=DocumentKind.choices, blank=True
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    egrn_record = models.CharField(_("ЕГРН record number"), max_length=60, blank=True)
    #: Joint ownership without shares (совместная собственность, ГК РФ ст. 244 ч. 2, ст. 253:
    #: spouses, for instance): the joint owners of a premises on a day hold one part together.
    #: Each joint owner's row carries that part (``share``, usually 1) and the premises' total
    #: counts it once (``joint_total``). At a meeting they give one decision for it (ЖК РФ
    #: ст. 48 ч. 3: votes by the part of the premises, not per person).
    joint = models.BooleanField(_("joint ownership (without shares)"), default=False)

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        ordering = ["premises", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_numerator__gte=1)
                & models.Q(share_numerator__lte=models.F("share_denominator")),
                name="residents_share_is_a_proper_fraction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.share} of {self.premises_id}"

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator)


def joint_total(parts) -> Fraction:
    """The part of a premises its owners hold on a day, from ``(share, joint)`` pairs: shares
    add up; the joint owners' rows all carry the one part they hold together, counted once."""
    total = Fraction(0)
    joint = Fraction(0)
    for share, is_joint in parts:
        if is_joint:
            joint = max(joint, Fraction(share))
        else:
            total += Fraction(share)
    return total + joint


class Residency(models.Model):
    """A portal user who lives in a premises without owning it (a resident)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="residencies")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="residencies"
    )
    started_on = models.DateField(pgettext_lazy("period", "from"))
    ended_on = models.DateField(pgettext_lazy("period", "to"), null=True, blank=True)

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")

    def __str__(self) -> str:
        return f"Residency {self.pk}"


class Person(models.Model):
    """One person (or organisation) of the register of members, whatever they own.

    Someone who owns a flat and a parking place has an owner record in each holding; the register
    of members (ЖК РФ ст. 143 ч. 4; 217-ФЗ ст. 15) counts them once. A ``Person`` links such
    records once the board linked them or recorded a membership; until then records are matched
    by their blind indexes (``tenants.residents.member_selectors``). It holds nothing personal:
    names and contacts stay in the owner records, under their holdings' keys.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"Person {self.pk}"


class Membership(models.Model):
    """One period of a person's membership of the partnership, with the decisions it rests on.

    Admission follows an application (ЖК РФ ст. 143 ч. 1; 217-ФЗ ст. 12: admission by the
    general meeting or, where the charter says so, the board); membership ends on exit or when
    the person no longer owns premises (ст. 143 ч. 3), which the register checks by itself.
    Dates and decision references are records, not personal data: kept plain.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    applied_on = models.DateField(_("application date"), null=True, blank=True)
    admitted_on = models.DateField(_("admitted on"))
    decision = models.CharField(_("admission decision"), max_length=200, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_decision = models.CharField(_("exit decision or reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["admitted_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exited_on__isnull=True)
                | models.Q(exited_on__gt=models.F("admitted_on")),
                name="residents_membership_exit_after_admission",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(exited_on__isnull=True),
                name="residents_one_open_membership_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Membership {self.pk}"


class RegisteredResident(EncryptedModel):
    """A person registered at a premises (регистрация по месту жительства) over a period.

    Not a login (that is ``Residency``): children and relatives are registered without one. The
    count per month is what per-resident charges use (Правила 354). The name is encrypted under
    the key of the holding current when the registration was recorded, so erasing that holder
    erases it too.
    """

    premises = models.ForeignKey(
        Premises, on_delete=models.PROTECT, related_name="registered_people"
    )
    holding = models.ForeignKey(Holding, on_delete=models.PROTECT, related_name="registered_people")
    full_name = EncryptedTextField(_("name"), null=True)
    started_on = models.DateField(pgettext_lazy("period", "from"))
    ended_on = models.DateField(pgettext_lazy("period", "to"), null=True, blank=True)

    class Meta:
        verbose_name = _("registered resident")
        verbose_name_plural = _("registered residents")
        ordering = ["started_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gt=models.F("started_on")),
                name="residents_registration_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Registered resident {self.pk}"

    def encryption_key_name(self) -> str:
        return keyring.holding_key(self.holding_id)
