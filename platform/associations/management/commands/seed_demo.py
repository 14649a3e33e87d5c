"""Create the demo association, its logins and each app's demo data, once; print the logins
every time. The apps' demo data come from their declarations (``AppDeclaration.demo``)."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from associations.models import Association, AssociationKind
from associations.services import create_association, ensure_public_tenant
from core.access.roles import Role
from core.extensions import demo_seeders

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-portal-2026"
DEMO_USERS = (
    ("owner@demo.tszh.local", "Анна Владимировна Смирнова", [Role.OWNER]),
    (
        "chairman@demo.tszh.local",
        "Пётр Ильич Козлов",
        [Role.CHAIRMAN, Role.BOARD_MEMBER, Role.OWNER],
    ),
    ("accountant@demo.tszh.local", "Ольга Сергеевна Белова", [Role.ACCOUNTANT]),
    ("dispatcher@demo.tszh.local", "Игорь Николаевич Орлов", [Role.DISPATCHER]),
)
DEMO_OPERATOR = "operator@tszh.local"


class Command(BaseCommand):
    help = "Create (once) the demo association 'demo' with one login per role and a demo operator."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo association is never created in production.")
        User = get_user_model()
        with transaction.atomic():
            ensure_public_tenant()
            if not User.objects.with_email(DEMO_OPERATOR).exists():
                User.objects.create_superuser(DEMO_OPERATOR, DEMO_PASSWORD, full_name="Оператор")
        association = Association.objects.filter(slug=DEMO_SLUG).first()
        if association is None:
            association = create_association(
                name="ТСЖ «Демо»", slug=DEMO_SLUG, kind=AssociationKind.TSZH
            )
        with schema_context(association.schema_name), transaction.atomic():
            for email, name, roles in DEMO_USERS:
                if not User.objects.with_email(email).exists():
                    User.objects.create_user(email, DEMO_PASSWORD, full_name=name, roles=roles)
        with schema_context(association.schema_name):
            for _label, seed in demo_seeders():
                done = seed()
                if done:
                    self.stdout.write(done)
        self.print_logins(association)

    def print_logins(self, association: Association) -> None:
        port = os.environ.get("TSZH_PORT", "8000")
        base = settings.BASE_DOMAIN
        out = self.stdout
        out.write("")
        out.write(f"Public site:      http://{base}:{port}/")
        out.write(
            f"Operators:        http://{base}:{port}/console/  {DEMO_OPERATOR} / {DEMO_PASSWORD}"
        )
        out.write(f"Demo association: http://{association.slug}.{base}:{port}/")
        for email, _name, roles in DEMO_USERS:
            out.write(f"  {', '.join(roles):38} {email} / {DEMO_PASSWORD}")
        out.write("")
