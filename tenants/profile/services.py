"""Changing the association's profile. Every change is audited in its transaction, naming the
fields that changed, never their values."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import legal_details, stamped
from core.audit import services as audit
from tenants.files import services as files
from tenants.profile import rules, selectors, validators
from tenants.profile.models import OperationalSettings, PaymentRecipient, Profile
from tenants.profile.purposes import LOGO

PHONE_RE = re.compile(r"\+?[\d\s()\-]{5,25}")


def _text(value) -> str:
    return (value or "").strip()


def _locked_profile() -> Profile:
    found = Profile.objects.select_for_update().first()
    if found is None:
        found = Profile()
        found.save(force_insert=True)
    return found


# -- legal details (public schema, through the platform's hook) ---------------------------------


def change_legal_details(
    *, actor, name: str, kind: str, inn: str, ogrn: str, time_zone: str
) -> list[str]:
    with transaction.atomic():
        changed = legal_details.change_legal_details(
            legal_details.LegalDetails(
                name=name, kind=kind, inn=inn, ogrn=ogrn, time_zone=time_zone
            )
        )
        if changed:
            audit.record("profile.legal_details_changed", actor=actor, details={"fields": changed})
    return changed


# -- КПП, address, contacts, board ----------------------------------------------------------------


def update_contacts(
    *,
    actor,
    kpp: str,
    legal_address: str,
    phone: str,
    email: str,
    office_hours: str,
    board: list[str],
) -> list[str]:
    values = {
        "kpp": validators.digits(kpp).upper(),
        "legal_address": _text(legal_address) or None,
        "phone": _text(phone) or None,
        "email": _text(email).lower() or None,
        "office_hours": _text(office_hours) or None,
        "board": [line for line in (_text(x) for x in board or []) if line] or None,
    }
    errors: dict[str, list] = {}
    if values["kpp"]:
        try:
            validators.validate_kpp(values["kpp"])
        except ValidationError as error:
            errors["kpp"] = error.messages
    if values["phone"] and not PHONE_RE.fullmatch(values["phone"]):
        errors["phone"] = [_("Enter a phone number: digits, spaces, brackets, + and -.")]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found = _locked_profile()
        changed = [name for name, value in values.items() if getattr(found, name) != value]
        if changed:
            for name in changed:
                setattr(found, name, values[name])
            found.save(update_fields=[*changed, "updated_at"])
            audit.record(
                "profile.contacts_changed", actor=actor, target=found, details={"fields": changed}
            )
    return changed


# -- payment recipients ---------------------------------------------------------------------------


def save_recipient(
    recipient: PaymentRecipient | None = None,
    *,
    actor,
    title: str,
    recipient_name: str,
    account: str,
    bank_name: str,
    bic: str,
    corr_account: str = "",
    is_main: bool = False,
) -> PaymentRecipient:
    """Add a recipient (``recipient`` None) or change one; the bank details are checked as
    banks do (the account's control key against the БИК)."""
    values = {
        "title": _text(title),
        "recipient_name": _text(recipient_name),
        "account": validators.digits(account),
        "bank_name": _text(bank_name),
        "bic": validators.digits(bic),
        "corr_account": validators.digits(corr_account) or None,
    }
    errors = validators.bank_details_errors(
        account=values["account"], bic=values["bic"], corr_account=values["corr_account"] or ""
    )
    for name, message in (
        ("title", _("Name this recipient, for example “Current account”.")),
        ("recipient_name", _("Enter the recipient's name as the bank knows it.")),
        ("bank_name", _("Enter the bank's name.")),
    ):
        if not values[name]:
            errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        creating = recipient is None
        if creating:
            recipient = PaymentRecipient()
            # The first recipient is the main one.
            is_main = is_main or not PaymentRecipient.objects.exists()
        else:
            recipient = PaymentRecipient.objects.select_for_update().get(pk=recipient.pk)
        changed = [name for name, value in values.items() if getattr(recipient, name) != value]
        if is_main and not recipient.is_main:
            PaymentRecipient.objects.filter(is_main=True).exclude(pk=recipient.pk).update(
                is_main=False
            )
            changed.append("is_main")
        for name in changed:
            if name != "is_main":
                setattr(recipient, name, values[name])
        recipient.is_main = recipient.is_main or is_main
        if creating:
            recipient.save(force_insert=True)
            audit.record("profile.recipient_added", actor=actor, target=recipient)
        elif changed:
            recipient.save()
            audit.record(
                "profile.recipient_changed",
                actor=actor,
                target=recipient,
                details={"fields": changed},
            )
    return recipient


def delete_recipient(recipient: PaymentRecipient, *, actor) -> None:
    with transaction.atomic():
        recipient = PaymentRecipient.objects.select_for_update().get(pk=recipient.pk)
        audit.record(
            "profile.recipient_deleted",
            actor=actor,
            target=recipient,
            details={"was_main": recipient.is_main},
        )
        was_main = recipient.is_main
        recipient.delete()
        if was_main:
            following = PaymentRecipient.objects.order_by("created_at").first()
            if following is not None:
                PaymentRecipient.objects.filter(pk=following.pk).update(is_main=True)


# -- readings window and due day ------------------------------------------------------------------


def set_operational_settings(
    *,
    actor,
    valid_from: datetime.date,
    readings_from_day: int,
    readings_until_day: int,
    due_day: int | None,
) -> OperationalSettings:
    """Settings valid from ``valid_from`` (today or later: the past is not rewritten). A day the
    law fixes on that date cannot be chosen; a row for the same date is replaced."""
    today = timezone.localdate()
    kind = selectors.legal().kind
    errors: dict[str, list] = {}
    if valid_from < today:
        errors["valid_from"] = [_("Settings cannot change the past: choose today or a later date.")]
    if not 1 <= readings_from_day <= 31:
        errors["readings_from_day"] = [_("Enter a day of the month from 1 to 31.")]
    if not 1 <= readings_until_day <= 31:
        errors["readings_until_day"] = [_("Enter a day of the month from 1 to 31.")]
    elif readings_from_day > readings_until_day:
        errors["readings_until_day"] = [
            _("The window ends before it starts: the last day must not come before the first.")
        ]
    if due_day is not None:
        rule = rules.due_day_rule(kind, valid_from)
        if not rule.choosable:
            errors["due_day"] = [
                _(
                    "From %(date)s the law fixes the due day (the %(day)s of the following "
                    "month): it cannot be changed. Leave the field empty."
                )
                % {"date": rule.valid_from.strftime("%d.%m.%Y"), "day": rule.day}
            ]
        elif not 1 <= due_day <= 31:
            errors["due_day"] = [_("Enter a day of the month from 1 to 31.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = OperationalSettings.objects.select_for_update().filter(valid_from=valid_from).first()
        replaced = row is not None
        row = row or OperationalSettings(valid_from=valid_from)
        row.readings_from_day = readings_from_day
        row.readings_until_day = readings_until_day
        row.due_day = due_day
        row.created_by = actor
        row.created_at = timezone.now()
        row.save()
        audit.record(
            "profile.settings_changed",
            actor=actor,
            target=row,
            details={"valid_from": valid_from.isoformat(), "replaced": replaced},
        )
    return row


# -- logo -----------------------------------------------------------------------------------------


def _forget_logo_after_commit() -> None:
    """A new stamp for the cached logo id, now and when the transaction commits."""
    stamped.invalidate(selectors.LOGO_KIND, [stamped.ASSOCIATION])


def set_logo(upload, *, actor) -> Profile:
    """The association's logo (PNG, JPEG or WebP up to 2 MB; stored re-encoded, without
    metadata); the previous one is deleted."""
    with transaction.atomic():
        stored = files.store(upload, purpose=LOGO, actor=actor)
        found = _locked_profile()
        previous = found.logo
        found.logo = stored
        found.save(update_fields=["logo", "updated_at"])
        if previous is not None:
            files.delete(previous, actor=actor)
        audit.record(
            "profile.logo_changed", actor=actor, target=found, details={"file": str(stored.pk)}
        )
        _forget_logo_after_commit()
    return found


def remove_logo(*, actor) -> None:
    with transaction.atomic():
        found = _locked_profile()
        if found.logo is None:
            return
        files.delete(found.logo, actor=actor)
        found.logo = None
        found.save(update_fields=["logo", "updated_at"])
        audit.record("profile.logo_removed", actor=actor, target=found)
        _forget_logo_after_commit()
