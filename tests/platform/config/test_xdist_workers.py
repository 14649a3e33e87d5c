"""Each pytest-xdist worker of a test run has its own Redis database, key store and files
directory (``config/settings.py``, ``TEST_WORKER``); its subprocesses keep the worker's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHOW = (
    "import json; from config import settings as s; print(json.dumps([s.REDIS_URL, "
    "s.TSZH_CRYPTO['KEY_DIR'], str(s.TSZH_FILES_DIR)]))"
)


def settings_of(**env: str) -> list[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_XDIST_WORKER", "TSZH_TEST_SCRATCH_OWNER", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**clean, "TSZH_ENV": "test", "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_workers_get_their_own_redis_database_key_store_and_files():
    # What the xdist controller hands every worker: its own scratch directories, marked as its.
    inherited = {
        "REDIS_URL": "redis://127.0.0.1:6390/0",
        "TSZH_KEY_DIR": "/tmp/controller-keys",
        "TSZH_FILES_DIR": "/tmp/controller-files",
        "TSZH_TEST_SCRATCH_OWNER": "",
    }
    controller = settings_of(**inherited)
    first = settings_of(**inherited, PYTEST_XDIST_WORKER="gw0")
    second = settings_of(**inherited, PYTEST_XDIST_WORKER="gw1")

    assert controller == [
        "redis://127.0.0.1:6390/0",
        "/tmp/controller-keys",
        "/tmp/controller-files",
    ]
    assert (first[0], second[0]) == ("redis://127.0.0.1:6390/1", "redis://127.0.0.1:6390/2")
    assert len({controller[1], first[1], second[1]}) == 3
    assert len({controller[2], first[2], second[2]}) == 3
    assert "gw0" in first[1] and "gw1" in second[2]


def test_a_workers_subprocess_keeps_the_workers_own():
    mine = {
        "REDIS_URL": "redis://127.0.0.1:6390/0",
        "TSZH_KEY_DIR": "/tmp/gw1-keys",
        "TSZH_FILES_DIR": "/tmp/gw1-files",
        "TSZH_TEST_SCRATCH_OWNER": "gw1",
        "PYTEST_XDIST_WORKER": "gw1",
    }
    assert settings_of(**mine) == ["redis://127.0.0.1:6390/2", "/tmp/gw1-keys", "/tmp/gw1-files"]
