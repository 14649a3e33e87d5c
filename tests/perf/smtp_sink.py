"""``python tests/perf/smtp_sink.py PORT COUNT_FILE``: a local SMTP server (aiosmtpd) that
accepts every letter, keeps none, and writes how many it received to COUNT_FILE."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Counting:
    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self.recipients = set()

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.recipients.update(envelope.rcpt_tos)
        if self.count % 500 == 0:
            self.save()
        return "250 OK"

    def save(self) -> None:
        self.path.write_text(f"{self.count} {len(self.recipients)}")


def main(port: int, path: Path) -> None:
    handler = Counting(path)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *args: stop.set())
    signal.signal(signal.SIGUSR1, lambda *args: handler.save())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    handler.save()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
