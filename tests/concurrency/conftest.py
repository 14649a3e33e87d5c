"""A live portal under concurrent members: gunicorn (2 workers x 4 threads, the bench's command)
serving this test run's database, and an association of its own made for the module.

The association (``concurrency``) is provisioned and populated for real (committed: the server
is another process) by ``tests.perf.mix_seed``, and removed afterwards with its schema and keys.
Every module here carries ``pytestmark = pytest.mark.xdist_group("concurrency")``: one worker
runs them all, one server at a time.
"""

from __future__ import annotations

import os
import sys
import time

import pytest

SLUG = "concurrency"
MEMBERS = 50


def _server_env(database_name: str) -> dict[str, str]:
    from deploy.services import ROOT
    from tests.perf.environment import bench_database_url

    env = dict(os.environ)
    env["DATABASE_URL"] = bench_database_url(os.environ["DATABASE_URL"], database_name)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["TSZH_ENV"] = "test"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), str(ROOT / "platform"), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="module")
def live(django_db_setup, django_db_blocker, tmp_path_factory):
    """``(server, association, seeded)``: the running gunicorn, the association and its
    members (``mix_seed.Seeded``)."""
    from django.core.cache import cache
    from django.db import connection, connections
    from django_tenants.utils import tenant_context

    from associations.services import create_association
    from tests.perf.environment import Server
    from tests.perf.mix_seed import populate
    from tests.platform.associations.support import remove_committed

    with django_db_blocker.unblock():
        cache.clear()
        remove_committed([SLUG])  # a run killed before its teardown
        association = create_association(name="ТСЖ «Одновременно»", slug=SLUG)
        server = None
        try:
            started = time.monotonic()
            with tenant_context(association):
                seeded = populate(members=MEMBERS, tag=SLUG, requests=True)
            print(f"# {MEMBERS} members populated in {time.monotonic() - started:.1f} s")
            connection.set_schema_to_public()
            log = tmp_path_factory.mktemp("live") / "gunicorn.log"
            server = Server(_server_env(connection.settings_dict["NAME"]), log)
            yield server, association, seeded
        finally:
            if server is not None:
                server.stop()
                if sys.exc_info()[0] is not None:
                    print(server.log_tail(), file=sys.stderr)
            connections.close_all()
            connection.set_schema_to_public()
            remove_committed([SLUG])
            cache.clear()
