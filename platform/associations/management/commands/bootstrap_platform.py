"""Make a fresh installation usable: the public site's tenant row and domain, and an operator.

``manage.py bootstrap_platform`` ensures the public schema's own ``Association`` row and the
``Domain`` of ``TSZH_BASE_DOMAIN`` (without them the public site answers 404). Idempotent: the
image's ``migrate`` entry point runs it after every public migration.

``manage.py bootstrap_platform --operator EMAIL [--name NAME] [--password-stdin]`` also creates
a platform operator (console superuser) unless one with that email exists. The password is asked
twice on the terminal, or read from standard input with ``--password-stdin`` (never from an
argument or the environment: both end up in process lists and shell histories). The operator
enrols the second factor at the first sign-in. Run it where the web's Vault role is (the
operator's email is encrypted under the public schema's key): ``kubectl exec deploy/tszh-web``.
"""

from __future__ import annotations

import getpass
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from associations.services import ensure_public_tenant


class Command(BaseCommand):
    help = "Ensure the public site's tenant row and domain; optionally create an operator."

    def add_arguments(self, parser):
        parser.add_argument("--operator", metavar="EMAIL", help="create this operator")
        parser.add_argument("--name", default="", help="the operator's full name")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    def handle(self, *args, **options):
        connection.set_schema_to_public()
        with transaction.atomic():
            public = ensure_public_tenant()
        self.stdout.write(f"public site: {settings.BASE_DOMAIN} (schema {public.schema_name})")
        email = (options["operator"] or "").strip().lower()
        if not email:
            return
        User = get_user_model()
        if User.objects.with_email(email).exists():
            self.stdout.write("an operator with this email exists; nothing changed")
            return
        password = self._password(options["password_stdin"])
        user = User(email=email, full_name=options["name"], is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            User.objects.create_superuser(email, password, full_name=options["name"])
        self.stdout.write("operator created: sign in at /console/ and enrol the second factor")

    @staticmethod
    def _password(from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        if not password:
            raise CommandError("empty password")
        return password
