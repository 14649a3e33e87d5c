"""``make run``: everything the portal needs on embedded defaults, in one foreground process.

Starts PostgreSQL (unless DATABASE_URL is set) and Redis (unless REDIS_URL is set), applies
migrations to the public schema and to every association's schema that is behind
(``migrate_tenants``: one query finds them, so a start takes seconds at any number of
associations; it keeps the provisioning template at head too), creates the demo association once,
then runs the web server (gunicorn), a Celery worker and beat. Ctrl-C stops all of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from deploy.services import ROOT, VAR, port_open, service_environment, stop

PORT = int(os.environ.get("TSZH_PORT", "8000"))
REDIS_PORT = int(os.environ.get("TSZH_REDIS_PORT", "6399"))
PY = sys.executable


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, check=True)


def _stop_on_sigterm(signum, frame):
    # SIGTERM (a process manager, `kill`) stops everything as Ctrl-C does.
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    if port_open(PORT):
        print(f"Port {PORT} is busy: is the portal already running? (set TSZH_PORT to change it)")
        return 1
    if not os.environ.get("REDIS_URL") and port_open(REDIS_PORT):
        # A Redis from an earlier run that did not stop cleanly; reuse it.
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
    os.environ.setdefault("TSZH_PORT", str(PORT))
    if not os.environ.get("REDIS_URL"):
        from deploy.services import start_redis

        redis_process, url = start_redis(REDIS_PORT)
        os.environ["REDIS_URL"] = url
    else:
        redis_process = None
    env, handles = service_environment()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "platform")])
    env.setdefault("PYTHONUNBUFFERED", "1")
    children: list[subprocess.Popen] = []
    try:
        manage(env, "migrate_schemas", "--shared", "-v", "0")
        # Only the schemas behind are touched (one query finds them): seconds at any count.
        manage(env, "migrate_tenants", "--skip-checks", "-v", "0")
        manage(env, "seed_demo")
        children.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    # The embedded run has one worker for both queues; production splits them.
                    "--queues",
                    "celery,keys",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "warning",
                    "--schedule",
                    str(VAR / "celerybeat-schedule"),
                ],
                env=env,
                cwd=ROOT,
            )
        )
        children.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{PORT}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--access-logformat",
                    '%(h)s "%(m)s %(U)s" %(s)s %(L)ss',
                ],
                env=env,
                cwd=ROOT,
            )
        )
        print(f"TSZh Portal is starting on http://localhost:{PORT}/ (Ctrl-C stops it)")
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        # Ctrl-C reaches the children too; one of them may notice before we do.
        interrupted = {0, -signal.SIGINT, -signal.SIGTERM}
        if all(child.returncode in interrupted for child in children if child.poll() is not None):
            print("\nStopping...")
            return 0
        print("A process stopped; stopping the rest.")
        return 1
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        stop(redis_process)
        for handle in handles:
            if isinstance(handle, subprocess.Popen):
                stop(handle)


if __name__ == "__main__":
    sys.exit(main())
