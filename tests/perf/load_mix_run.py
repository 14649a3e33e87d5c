"""Run inside a Django process (see bench_load_mix): make the load mix's associations, or count
what the mix wrote in them. One JSON line on stdout.

* ``load_mix_run.py seed FIRST COUNT MEMBERS``: ``COUNT`` associations (``mix<FIRST>``,
  ``mix<FIRST+1>``...) by the clone path (the bench runs two such processes at once, one per
  core), each populated by ``mix_seed.populate`` with ``MEMBERS``
  member logins (a flat, an account, a meter, a line of a meeting voting now and a signed-in
  session each); prints ``{"seconds": ..., "associations": [{"slug", "meeting_id",
  "members": [...]}, ...]}``.
* ``load_mix_run.py count ASSOCIATIONS``: the rows the mix writes, added up over the
  associations: ``{"readings": ..., "ballots": ..., "requests": ...}``.
"""

from __future__ import annotations

import json
import sys
import time

import django

django.setup()

from django_tenants.utils import schema_context, tenant_context  # noqa: E402

from associations.models import Association  # noqa: E402
from associations.services import create_association  # noqa: E402
from tests.perf.mix_seed import populate  # noqa: E402

PREFIX = "mix"


def note(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def seed(first: int, associations: int, members: int) -> dict:
    started = time.perf_counter()
    made = []
    for index in range(first, first + associations):
        slug = f"{PREFIX}{index}"
        if Association.objects.filter(slug=slug).exists():
            raise SystemExit(f"the association {slug} exists: the load mix needs empty ones")
        association = create_association(name=f"ТСЖ «Нагрузка {index}»", slug=slug)
        with tenant_context(association):
            seeded = populate(members=members, tag=slug)
        made.append({"slug": slug, **seeded.as_dict()})
        note(f"{slug}: {members} members ({time.perf_counter() - started:.1f} s so far)")
    return {"seconds": time.perf_counter() - started, "associations": made}


def count(associations: int) -> dict:
    from tenants.dispatch.models import Request
    from tenants.meters.models import Reading
    from tenants.voting.models import ChainEntry

    totals = {"readings": 0, "ballots": 0, "requests": 0}
    for index in range(associations):
        with schema_context(Association.schema_name_for(f"{PREFIX}{index}")):
            totals["readings"] += Reading.objects.count()
            totals["ballots"] += ChainEntry.objects.count()
            totals["requests"] += Request.objects.count()
    return totals


def main(argv: list[str]) -> None:
    if argv[:1] == ["seed"]:
        result = seed(int(argv[1]), int(argv[2]), int(argv[3]))
    elif argv[:1] == ["count"]:
        result = count(int(argv[1]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
