"""Helpers of the invitation tests: a small register, the invite form's data, mailed links."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django.core import mail
from django.db import connection


@dataclass
class Register:
    building: object
    flat: object  # premises with one owner (a person, no login yet)
    other_flat: object  # premises with another owner
    owner: object
    other_owner: object


def make_owner(premises, *, number: str, full_name: str, share=(1, 1), email=None):
    """An account with a current holding and a person owning ``share`` of ``premises``."""
    from tenants.residents.models import Holding, Owner, Ownership, PersonalAccount

    account = PersonalAccount.objects.create(number=number, premises=premises)
    holding = Holding(account=account, started_on=datetime.date(2020, 1, 1), full_name=full_name)
    holding.save()
    owner = Owner(holding=holding, full_name=full_name, primary_email=email)
    owner.save()
    Ownership.objects.create(
        premises=premises,
        owner=owner,
        share_numerator=share[0],
        share_denominator=share[1],
        started_on=datetime.date(2020, 1, 1),
    )
    return owner


def make_premises(building, number: str):
    from tenants.residents.models import Premises

    return Premises.objects.create(building=building, number=number, area=Decimal("54.30"))


def build_register(association) -> Register:
    from tenants.residents.models import Building

    connection.set_tenant(association)
    building = Building.objects.create(name="Дом 1", address="ул. Садовая, 1")
    flat = make_premises(building, "12")
    other_flat = make_premises(building, "14")
    return Register(
        building=building,
        flat=flat,
        other_flat=other_flat,
        owner=make_owner(flat, number="100012", full_name="Анна Сергеевна Кузнецова"),
        other_owner=make_owner(other_flat, number="100014", full_name="Пётр Ильич Орлов"),
    )


def invite_form(premises, *, email: str, kind: str = "owner", owner=None) -> dict:
    return {
        "premises": str(premises.pk),
        "kind": kind,
        "owner": str(owner.pk) if owner else "",
        "email": email,
    }


def link_in(message) -> str:
    """The accept link of a letter: (host, path)."""
    match = re.search(r"https?://\S+/invitations/accept/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def last_link() -> str:
    assert mail.outbox, "no letter was sent"
    return path_of(link_in(mail.outbox[-1]))
