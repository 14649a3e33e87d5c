"""Provisioning runs from the public schema: start every test there, whatever ran before."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _start_in_public_schema():
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits (no test transaction); the schema is reset to public afterwards."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()
