"""Run inside a Django process (see bench_import): import a spreadsheet into a new association.

``python tests/perf/import_run.py FILE [SLUG]`` creates two associations with empty registries in
the benchmark database and, as their chairman, imports FILE into each (the Celery tasks' bodies
run in this process):

* ``first``: the preview, then the confirmation at once, so the holdings' keys are made during
  the import (the worst case);
* ``reviewed``: the preview, then the keys made as the preview's background task makes them
  while the board reads it, then the confirmation.

Prints one JSON line: seconds of each step, the peak resident memory of this process during the
first import (preview + import) and the counts.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from unittest import mock

import django

django.setup()

from django.core.files import File  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from associations.models import Association  # noqa: E402
from associations.services import create_association  # noqa: E402
from core.access.roles import Role  # noqa: E402
from tenants.imports import services  # noqa: E402
from tenants.imports.models import ImportJob, JobStatus  # noqa: E402

SLUG = "bench-import"


def _reset_peak() -> bool:
    """Reset the kernel's peak RSS mark of this process (Linux: clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _memory_mb(field: str = "VmHWM") -> float:
    """Peak (``VmHWM``) or current (``VmRSS``) resident memory of this process, in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(path: Path, actor, *, review: bool = False) -> dict:
    """Preview and import ``path``; with ``review``, the keys are made before the confirmation
    (as the preview's background task does while the board reads it), and timed apart."""
    prepared = 0.0
    # The tasks' bodies run here, as a worker would run them; no broker round trip is measured.
    with (
        mock.patch("tenants.imports.tasks.prepare_keys.delay"),
        mock.patch("tenants.imports.tasks.apply_import.delay"),
    ):
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            started = time.perf_counter()
            job = services.create_preview(upload=upload, file_name=path.name, actor=actor)
            previewed = time.perf_counter()
        if job.error_rows:
            raise SystemExit(f"the bench file has {job.error_rows} rows with errors")
        if review:
            services.prepare_keys(job.pk)
            prepared = time.perf_counter() - previewed
        confirmed = time.perf_counter()
        services.confirm_import(job.pk, actor=actor)
        status = services.apply_import(job.pk)
        finished = time.perf_counter()
    job = ImportJob.objects.get(pk=job.pk)
    if status != JobStatus.DONE:
        raise SystemExit(f"the import ended as {status} ({job.notice})")
    return {
        "preview_s": previewed - started,
        "prepare_s": prepared,
        "apply_s": finished - confirmed,
        "total_s": finished - started - prepared,
        "rows": job.total_rows,
        "new": job.new_rows,
        "unchanged": job.unchanged_rows,
        "result": job.result,
    }


def _chairman(association):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        f"chairman@{association.slug}.test", "bench-import-2026", roles=[Role.CHAIRMAN]
    )


def main(path: Path, slug: str = SLUG) -> None:
    for name in (slug, f"{slug}-reviewed"):
        if Association.objects.filter(slug=name).exists():
            raise SystemExit(f"the association {name} exists: the import needs an empty one")
    first_association = create_association(name="ТСЖ «Бенчмарк импорта»", slug=slug)
    second_association = create_association(
        name="ТСЖ «Бенчмарк импорта 2»", slug=f"{slug}-reviewed"
    )
    with schema_context(first_association.schema_name):
        chairman = _chairman(first_association)
        baseline = _memory_mb("VmRSS")
        peak_reset = _reset_peak()
        first = _run(path, chairman)
        peak = _memory_mb("VmHWM")
    with schema_context(second_association.schema_name):
        reviewed = _run(path, _chairman(second_association), review=True)
    print(
        json.dumps(
            {
                "first": first,
                "reviewed": reviewed,
                "peak_mb": peak,
                "baseline_mb": baseline,
                "peak_reset": peak_reset,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:3])
