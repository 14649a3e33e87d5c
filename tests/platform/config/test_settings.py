"""The production profile: refuses to start without its configuration, passes check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "TSZH_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
    "DATABASE_URL": "postgresql://portal@db.internal:5432/tszh",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "TSZH_BASE_DOMAIN": "tszh.example",
    "VAULT_ADDR": "https://vault.internal:8200",
    "VAULT_TOKEN": "s.production-token",
    "EMAIL_HOST": "smtp.internal",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The test process allows async-unsafe ORM calls (Playwright); production must not.
    dropped = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE", "TSZH_KEY_DIR", "TSZH_MASTER_KEY_FILE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "TSZH_BASE_DOMAIN", "EMAIL_HOST"]
)
def test_production_refuses_to_start_and_names_the_missing_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert "refuses to start" in result.stderr


def test_production_needs_a_key_provider():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "VAULT_ADDR"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "VAULT_ADDR" in result.stderr


@pytest.mark.django_db
def test_pages_carry_security_headers(public_client):
    response = public_client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"VAULT_TOKEN": ""}, "VAULT_TOKEN"),
        ({"VAULT_ADDR": "", "TSZH_MASTER_KEY": "bm90LWEta2V5"}, "TSZH_KEY_DIR"),
        (
            {"VAULT_ADDR": "", "TSZH_MASTER_KEY": "bm90LWEta2V5", "TSZH_KEY_DIR": "/keys"},
            "TSZH_MASTER_KEY",
        ),
    ],
)
def test_production_refuses_a_key_provider_that_cannot_work(change, named):
    env = {**PRODUCTION_ENV, **change}
    env = {k: v for k, v in env.items() if v}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert named in result.stderr
