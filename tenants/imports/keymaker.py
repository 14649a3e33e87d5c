"""The helper process that creates an import's provider keys (``-m tenants.imports.keymaker``).

It reads key names from stdin, one per line, creates each key with the configured provider and
answers ``ok <name>`` or ``error <name> <error class>`` on stdout, in any order. Only key names
cross the pipe; the keys themselves stay in the provider, and the data keys are made by the
import's own process.

Why a process: creating a key of the local provider is a handful of system calls around an
fsync (about 1 ms). In a thread of the import's process every one of those calls has to win the
GIL back from the import's own work, which made key creation two to four times slower; a process
of its own does not wait for anyone. ``TSZH_IMPORT_KEY_THREADS`` creators run in it (1 suits the
local provider, whose store takes a file lock per key; more suit Vault, one HTTP call per key).
"""

from __future__ import annotations

import os
import queue
import sys
import threading


def _threads(provider) -> int:
    default = "1" if getattr(provider, "kind", "") == "local" else "8"
    return max(1, int(os.environ.get("TSZH_IMPORT_KEY_THREADS", default)))


def main() -> None:
    from core.crypto.registry import get_provider

    provider = get_provider()
    names: queue.Queue[str | None] = queue.Queue()
    output = threading.Lock()

    def answer(text: str) -> None:
        with output:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()

    def work() -> None:
        while (name := names.get()) is not None:
            try:
                provider.create_key(name)
                answer(f"ok {name}")
            except Exception as error:  # noqa: BLE001 - reported to the import, which fails
                answer(f"error {name} {type(error).__name__}")

    workers = [threading.Thread(target=work, daemon=True) for _ in range(_threads(provider))]
    for worker in workers:
        worker.start()
    answer("ready")
    for line in sys.stdin:
        name = line.strip()
        if name:
            names.put(name)
    for _worker in workers:
        names.put(None)
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main()
