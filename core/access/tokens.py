"""Signed tokens bound to their association.

SECRET_KEY is shared by all associations, so a token must name the schema it was made for:
otherwise a reset link made in one association could be replayed on another's subdomain.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection


class AssociationPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "core.access.tokens.AssociationPasswordResetTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{connection.schema_name}:{super()._make_hash_value(user, timestamp)}"


password_reset_token = AssociationPasswordResetTokenGenerator()
