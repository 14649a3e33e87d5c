"""The production image, checked without Docker: deploy/Dockerfile and its entry points.

There is no Docker on this machine, so the build is not run; what can be read is checked: a
multi-stage build, a non-root user, ``pg_dump`` of the embedded server's major version (so
provisioning takes the fast path in production), translations compiled and static files
collected, no secret in the image's environment, every process's entry point present and
executable, and a build context that leaves ``var/`` and ``.venv`` out.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
ENTRYPOINTS = ROOT / "deploy" / "entrypoints"
#: Every process the chart runs, and the dispatcher that the image's ENTRYPOINT names.
PROCESSES = ("web", "worker", "keys-worker", "beat", "migrate", "migrate-tenants")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|_KEY$|MASTER_KEY|DSN|CREDENTIAL", re.I)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    result: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.partition(" ")
        result.append((keyword.upper(), rest.strip()))
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    return result


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def stages(parsed) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, rest in parsed:
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, rest))
    return found


def env_pairs(rest: str) -> dict[str, str]:
    pairs = {}
    for token in shlex.split(rest):
        name, sep, value = token.partition("=")
        assert sep, f"ENV in the legacy form 'ENV NAME value' is not used here: {rest!r}"
        pairs[name] = value
    return pairs


def test_the_build_has_several_stages_and_runs_as_a_non_root_user(parsed):
    built = stages(parsed)
    assert len(built) >= 2, "a multi-stage build keeps compilers and build tools out"
    runtime = built[-1]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users, "the runtime stage must name a USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, "the image must not run as root"
    # Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    assert user.isdigit() and int(user) >= 1000


def test_pg_dump_of_the_servers_major_version_is_installed(parsed):
    text = DOCKERFILE.read_text()
    major = re.search(r"^ARG PG_MAJOR=(\d+)$", text, re.M)
    assert major, "the PostgreSQL major version is one build argument"
    major = major.group(1)
    runtime = stages(parsed)[-1]
    runs = " ".join(rest for keyword, rest in runtime if keyword == "RUN")
    assert "postgresql-client-${PG_MAJOR}" in runs
    assert "apt.postgresql.org" in runs, "Debian's own client is 15: PGDG has the server's"
    env = {}
    for keyword, rest in runtime:
        if keyword == "ENV":
            env.update(env_pairs(rest))
    assert env["TSZH_PG_DUMP"] == "/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump"
    # The major version is the one the portal is developed and tested against: the embedded
    # server's (pg_dump refuses a server newer than itself).
    from associations.schemas import pg_dump_path

    embedded = subprocess.run(
        [pg_dump_path(), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(rf"\b{major}\.\d+", embedded), (embedded, major)


def test_translations_are_compiled_and_static_files_collected(parsed):
    runs = " ".join(rest for keyword, rest in parsed if keyword == "RUN")
    assert "deploy/compile_messages.py" in runs
    assert "collectstatic --noinput" in runs
    # The build-only settings of collectstatic stay in that RUN, never in an ENV.
    assert "TSZH_ENV=production" in runs


def test_no_secret_in_the_images_environment_or_build_arguments(parsed):
    for keyword, rest in parsed:
        if keyword == "ENV":
            for name, value in env_pairs(rest).items():
                assert not SECRET_NAME.search(name), f"ENV {name} would bake a secret in"
                assert not re.search(r"://[^/\s:]+:[^@\s]+@", value), f"credentials in {name}"
        if keyword == "ARG":
            name = rest.split("=")[0]
            assert not SECRET_NAME.search(name), f"ARG {name} ends up in the image's history"
    runs = " ".join(rest for keyword, rest in parsed if keyword == "RUN")
    assert "TSZH_MASTER_KEY" not in runs and "VAULT_TOKEN" not in runs


@pytest.mark.parametrize("process", (*PROCESSES, "dispatch"))
def test_every_entry_point_is_present_executable_and_valid_sh(process):
    path = ENTRYPOINTS / process
    assert path.is_file(), f"deploy/entrypoints/{process} is missing"
    assert os.access(path, os.X_OK), f"deploy/entrypoints/{process} is not executable"
    text = path.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert "set -eu" in text
    subprocess.run(["sh", "-n", str(path)], check=True)
    if process != "dispatch":
        assert "exec " in text, "the process must replace the shell (signals reach it)"


def test_entry_points_run_the_right_queues_and_commands():
    read = {name: (ENTRYPOINTS / name).read_text() for name in PROCESSES}
    assert "gunicorn config.wsgi" in read["web"]
    assert "--queues celery" in read["worker"] and "keys" not in read["worker"].split("--queues")[1]
    assert "--queues keys" in read["keys-worker"]
    assert "VAULT_PROVISIONING_K8S_ROLE" in read["keys-worker"]
    assert "celery -A config beat" in read["beat"]
    assert "migrate_schemas --shared" in read["migrate"]
    # The fast tenant step (associations/upgrades.py): schemas at head skipped, the rest in
    # parallel, then the template and spares; never django-tenants' per-schema migrate_schemas.
    assert "manage.py migrate_tenants --jobs" in read["migrate-tenants"]
    assert "migrate_schemas" not in read["migrate-tenants"]
    assert "--skip-template" not in read["migrate-tenants"]
    dispatch = (ENTRYPOINTS / "dispatch").read_text()
    for process in PROCESSES:
        assert process in dispatch


def test_dispatch_runs_the_named_process_and_passes_other_commands_through(tmp_path):
    dispatch = ENTRYPOINTS / "dispatch"
    result = subprocess.run(
        ["sh", str(dispatch), "echo", "passed", "through"], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == "passed through"


def test_the_image_starts_the_web_through_the_dispatcher(parsed):
    runtime = stages(parsed)[-1]
    entry = [rest for keyword, rest in runtime if keyword == "ENTRYPOINT"]
    cmd = [rest for keyword, rest in runtime if keyword == "CMD"]
    assert entry and "/app/deploy/entrypoints/dispatch" in entry[-1]
    assert cmd and '"web"' in cmd[-1]


def test_the_build_context_leaves_local_state_out():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in ("var", ".venv", ".git", ".env"):
        assert entry in ignored, f".dockerignore must exclude {entry}"


@pytest.fixture
def fake_tools(tmp_path):
    """``python``, ``celery`` and ``gunicorn`` that print their arguments (and one variable)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("python", "celery", "gunicorn"):
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\necho "{tool} $* [FROM_VAULT=${{FROM_VAULT:-}}]"\n')
        script.chmod(0o755)
    return bin_dir


def run_entry(fake_tools, *args, **env):
    environment = {"PATH": f"{fake_tools}:/usr/bin:/bin", **env}
    return subprocess.run(
        [str(ENTRYPOINTS / "dispatch"), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("process", "expected"),
    [
        ("web", ["gunicorn config.wsgi --bind 0.0.0.0:8000"]),
        ("worker", ["celery -A config worker --queues celery"]),
        ("beat", ["celery -A config beat"]),
        (
            "migrate",
            [
                "python manage.py migrate_schemas --shared --noinput",
                "python manage.py bootstrap_platform",
            ],
        ),
        ("migrate-tenants", ["python manage.py migrate_tenants --jobs 2"]),
    ],
)
def test_each_entry_point_runs_its_command(fake_tools, process, expected):
    result = run_entry(fake_tools, process)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), line


def test_the_keys_worker_refuses_to_start_without_the_provisioning_role(fake_tools):
    refused = run_entry(fake_tools, "keys-worker", VAULT_ADDR="https://vault.example.ru")
    assert refused.returncode == 64 and "provisioning credential" in refused.stderr
    started = run_entry(
        fake_tools,
        "keys-worker",
        VAULT_ADDR="https://vault.example.ru",
        VAULT_PROVISIONING_K8S_ROLE="tszh-provisioning",
    )
    assert started.returncode == 0
    assert started.stdout.startswith("celery -A config worker --queues keys")


def test_secrets_rendered_by_vault_agent_reach_the_process(fake_tools, tmp_path):
    env_file = tmp_path / "env"
    # As the chart's Agent template writes it: single-quoted, a quote inside as '\''.
    env_file.write_text("export FROM_VAULT='it'\\''s $ecret `x`'\n")
    result = run_entry(fake_tools, "web", TSZH_ENV_FILE=str(env_file))
    assert result.returncode == 0 and "[FROM_VAULT=it's $ecret `x`]" in result.stdout
    missing = run_entry(fake_tools, "web", TSZH_ENV_FILE=str(tmp_path / "absent"))
    assert missing.returncode != 0 and "cannot be read" in missing.stderr


def test_the_tenant_step_takes_its_processes_and_extra_arguments(fake_tools):
    result = run_entry(
        fake_tools, "migrate-tenants", "--schema", "demo", TSZH_MIGRATION_PROCESSES="6"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("python manage.py migrate_tenants --jobs 6 --schema demo")


def test_the_tenant_steps_arguments_are_the_commands_own():
    """What the entry point passes is accepted by ``migrate_tenants``' own parser."""
    from associations.management.commands.migrate_tenants import Command

    parser = Command().create_parser("manage.py", "migrate_tenants")
    options = parser.parse_args(["--jobs", "2", "--schema", "demo"])
    assert options.jobs == 2 and options.schema_names == ["demo"]
