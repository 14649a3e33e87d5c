"""The outage tests share one stack (tests/outages/stack.py) and run on one pytest-xdist
worker, one after another: each stops one of the stack's own dependencies and starts it again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.outages.stack import Stack


def pytest_collection_modifyitems(config, items):
    group = pytest.mark.xdist_group("outages")
    for item in items:
        if "tests/outages/" in str(item.path):
            item.add_marker(group)


def _suite_database_url() -> str:
    """The suite's migrated test database (this worker's): DATABASE_URL, another name."""
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    server = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(server._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture(scope="package")
def stack(request):
    """The stack, its database copied from the suite's test database (``TSZH_OUTAGE_DUMP``:
    from that pg_dump file instead, to try a change without migrating a test database)."""
    dump = os.environ.get("TSZH_OUTAGE_DUMP", "")
    if dump and Path(dump).is_file():
        built = Stack(dump=Path(dump))
    else:
        request.getfixturevalue("django_db_setup")
        built = Stack(source_url=_suite_database_url())
        if dump:
            shutil.copy(built.postgres.dump, dump)
    try:
        yield built
    finally:
        built.close()
