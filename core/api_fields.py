"""Serializer fields the apps' REST APIs share.

``MonthField``: a month as ``YYYY-MM`` (any date in it is taken too), held as the first day of
that month; the meters' reporting period and the month an online payment pays for.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-05"})
class MonthField(serializers.Field):
    """A month as ``YYYY-MM`` (or any date in it)."""

    default_error_messages = {"invalid": _("Write the month as 2026-05.")}

    def to_internal_value(self, data):
        text = str(data).strip()
        for pattern in ("%Y-%m", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(text, pattern).date().replace(day=1)
            except ValueError:
                continue
        self.fail("invalid")

    def to_representation(self, value) -> str:
        return value.strftime("%Y-%m")
