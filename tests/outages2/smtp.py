"""An SMTP server on loopback (aiosmtpd); ``Inbox`` keeps what it accepts (subclasses refuse)."""

from __future__ import annotations

import threading

from aiosmtpd.controller import Controller

from deploy.services import free_port


class Inbox:
    def __init__(self):
        self.lock = threading.Lock()
        self.letters: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.letters.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def recipients(self) -> list[str]:
        with self.lock:
            return [to for rcpt_tos, _content in self.letters for to in rcpt_tos]


def smtp_server(handler) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
