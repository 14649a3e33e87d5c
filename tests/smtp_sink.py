"""A real SMTP server on loopback (aiosmtpd) for the tests that deliver over the real SMTP
backend: the outbox (tests/tenants/notifications/test_smtp.py), the receipt letters, and the
outage tests of a refusing server or a worker killed mid-batch (tests/outages2/).

* ``Inbox``: a handler that accepts every letter and keeps it (aiosmtpd answers in a thread of
  its own, hence the lock); subclass it to refuse some (``handle_RCPT``, ``handle_DATA``);
* ``smtp_server(handler)``: the server started on a free port (``controller.stop()`` ends it);
* ``smtp_settings(controller, **more)``: Django's SMTP backend pointed at it, plain text, no
  login, a five-second timeout (``more``: other settings for the same block).
"""

from __future__ import annotations

import email
import email.policy
import threading

from aiosmtpd.controller import Controller
from django.test import override_settings

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

    @property
    def messages(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        """``(recipients, letter)`` for every letter accepted, the letter parsed."""
        with self.lock:
            letters = list(self.letters)
        return [
            (rcpt_tos, email.message_from_bytes(content, policy=email.policy.SMTP))
            for rcpt_tos, content in letters
        ]


def smtp_server(handler) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def smtp_settings(controller: Controller, **more):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
        **more,
    )
