"""The helper process that creates an import's provider keys (``-m tenants.imports.keymaker``).

It reads key names from stdin, one per line, creates each key with the configured provider and
answers ``ok <name>`` or ``error <name> <error class>`` on stdout, in any order. Only key names
cross the pipe; the keys themselves stay in the provider, and the data keys are made by the
import's own process.

Why a process: creating a key of the local provider is a handful of system calls around an
fsync. In a thread of the import's process every one of those calls has to win the GIL back from
the import's own work, which made key creation two to four times slower; a process of its own
does not wait for anyone.

The names are handed to the provider in batches (``create_keys``, at most ``BATCH`` names, as
many as have arrived): the local provider then takes its lock once and syncs the batch's files
together (one fsync after another cost ~10 ms a key on a busy disk, 100 s for 10,000 holdings;
together ~0.6 ms), and Vault's creations go out as one concurrent wave. A name is answered only
once its batch is made. ``TSZH_IMPORT_KEY_THREADS`` batches are made at once (1 by default).
"""

from __future__ import annotations

import os
import queue
import sys
import threading

#: Names handed to the provider at once: small enough that the import's first keys come soon.
BATCH = 250


def _threads() -> int:
    return max(1, int(os.environ.get("TSZH_IMPORT_KEY_THREADS", "1")))


def _next_batch(names: queue.Queue) -> list[str | None]:
    """The next name (waiting for it), and those that arrived behind it, up to ``BATCH``."""
    batch = [names.get()]
    while batch[-1] is not None and len(batch) < BATCH:
        try:
            batch.append(names.get_nowait())
        except queue.Empty:
            break
    return batch


def main() -> None:
    from core.crypto.registry import get_provider

    provider = get_provider()
    names: queue.Queue[str | None] = queue.Queue()
    output = threading.Lock()

    def answer(lines: list[str]) -> None:
        with output:
            sys.stdout.write("".join(f"{line}\n" for line in lines))
            sys.stdout.flush()

    def work() -> None:
        while True:
            batch = _next_batch(names)
            stop = batch[-1] is None
            batch = [name for name in batch if name is not None]
            if batch:
                try:
                    provider.create_keys(batch)
                    answer([f"ok {name}" for name in batch])
                except Exception as error:  # noqa: BLE001 - reported to the import, which fails
                    answer([f"error {name} {type(error).__name__}" for name in batch])
            if stop:
                return

    workers = [threading.Thread(target=work, daemon=True) for _ in range(_threads())]
    for worker in workers:
        worker.start()
    answer(["ready"])
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
