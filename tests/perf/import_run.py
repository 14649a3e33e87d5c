"""Run inside a Django process (see bench_import): import a spreadsheet into a new association.

``python tests/perf/import_run.py FILE [SLUG]`` creates the association ``bench-import`` (an empty
registry) in the benchmark database, then, as its chairman, makes the preview of FILE and runs
the confirmed import - the Celery task's body, in this process - and then does both again with
the same file (which must change nothing). Prints one JSON line: seconds of each step, the peak
resident memory of this process during the first import (preview + import) and the counts.
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


def _run(path: Path, actor) -> dict:
    with path.open("rb") as handle:
        upload = File(handle, name=path.name)
        started = time.perf_counter()
        job = services.create_preview(upload=upload, file_name=path.name, actor=actor)
        previewed = time.perf_counter()
    if job.error_rows:
        raise SystemExit(f"the bench file has {job.error_rows} rows with errors")
    # The task's body runs here, as a worker would run it; no broker round trip is measured.
    with mock.patch("tenants.imports.tasks.apply_import.delay"):
        services.confirm_import(job.pk, actor=actor)
    confirmed = time.perf_counter()
    status = services.apply_import(job.pk)
    finished = time.perf_counter()
    job = ImportJob.objects.get(pk=job.pk)
    if status != JobStatus.DONE:
        raise SystemExit(f"the import ended as {status} ({job.notice})")
    return {
        "preview_s": previewed - started,
        "apply_s": finished - confirmed,
        "total_s": finished - started,
        "rows": job.total_rows,
        "new": job.new_rows,
        "unchanged": job.unchanged_rows,
        "result": job.result,
    }


def main(path: Path, slug: str = SLUG) -> None:
    if Association.objects.filter(slug=slug).exists():
        raise SystemExit(f"the association {slug} exists already: the import needs an empty one")
    association = create_association(name="ТСЖ «Бенчмарк импорта»", slug=slug)
    with schema_context(association.schema_name):
        from django.contrib.auth import get_user_model

        chairman = get_user_model().objects.create_user(
            "chairman@bench-import.test", "bench-import-2026", roles=[Role.CHAIRMAN]
        )
        baseline = _memory_mb("VmRSS")
        peak_reset = _reset_peak()
        first = _run(path, chairman)
        peak = _memory_mb("VmHWM")
        again = _run(path, chairman)
    print(
        json.dumps(
            {
                "first": first,
                "again": again,
                "peak_mb": peak,
                "baseline_mb": baseline,
                "peak_reset": peak_reset,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), *sys.argv[2:3])
