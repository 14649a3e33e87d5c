"""The Celery app of the worker-kill tests: ``celery -A tests.outages2.hanging_worker worker``.

The production app (``config.celery``), plus one test-only hook so that a test can kill the
worker at a known point of a task: ``TSZH_OUTAGE_HANG="module:Attr.path"`` wraps that callable;
its ``TSZH_OUTAGE_HANG_AT``-th call (1 by default) writes the process id to ``TSZH_OUTAGE_MARK`` (a
file) and then hangs until the process is killed, before the call (``TSZH_OUTAGE_HANG_WHEN=before``,
default) or after it returned (``after``); once only (a mark already written: no hang). Production
code knows nothing of this.
"""

from __future__ import annotations

import functools
import importlib
import os
import time
from pathlib import Path

import django  # noqa: E402

from config.celery import app  # noqa: F401 - the worker's app

django.setup()


def _install() -> None:
    target = os.environ.get("TSZH_OUTAGE_HANG")
    if not target:
        return
    module_name, _sep, path = target.partition(":")
    owner = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = getattr(owner, name)
    at = int(os.environ.get("TSZH_OUTAGE_HANG_AT", "1"))
    after = os.environ.get("TSZH_OUTAGE_HANG_WHEN", "before") == "after"
    mark = Path(os.environ["TSZH_OUTAGE_MARK"])
    calls = {"n": 0}

    def hang() -> None:
        if mark.exists():  # hung once already (a pool process killed, its task run again)
            return
        mark.write_text(str(os.getpid()))
        while True:
            time.sleep(1)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == at and not after:
            hang()
        result = original(*args, **kwargs)
        if calls["n"] == at and after:
            hang()
        return result

    setattr(owner, name, wrapper)


_install()
