"""Requests for tests, made through the services (valid, encrypted and audited like the real
thing). Call inside a tenant schema (``in_alpha``)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from core.access.roles import Role
from tenants.dispatch import services
from tenants.dispatch.models import Category, Place, Supplier, Urgency
from tests.factories import UserFactory
from tests.tenants.files.images import jpeg_with_location, png
from tests.tenants.residents.factories import make_owner, make_premises


def member(*, premises=None, phone=None, **user_fields):
    """An owner with a login and premises of their own: (user, premises)."""
    user = UserFactory(roles=[Role.OWNER], **user_fields)
    premises = premises or make_premises()
    make_owner(premises, user=user, phone=phone)
    return user, premises


def desk(role=Role.DISPATCHER):
    return UserFactory(roles=[role])


def photo(name="photo.jpg", data=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or jpeg_with_location(), content_type="image/jpeg")


def a_png(name="p.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(), content_type="image/png")


def file_request(user, premises=None, **fields):
    fields.setdefault("category", Category.PLUMBING)
    fields.setdefault("place", Place.PREMISES if premises is not None else Place.COMMON)
    fields.setdefault("description", "Течёт кран на кухне, вода капает на пол")
    fields.setdefault("urgency", Urgency.NORMAL)
    if premises is not None:
        fields.setdefault("premises", premises)
    return services.file_request(actor=user, **fields)


def supplier(name="ООО «Сантехсервис»", categories=(Category.PLUMBING,), **fields):
    return services.save_supplier(
        None,
        actor=None,
        name=name,
        categories=list(categories),
        contact_person=fields.pop("contact_person", "Иван Мастеров"),
        phone=fields.pop("phone", "+7 900 111-22-33"),
        **fields,
    )


__all__ = ["Supplier", "member", "desk", "photo", "a_png", "file_request", "supplier"]
