"""Email backends that fail the way SMTP servers do (for the retry tests)."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DisconnectingBackend(BaseEmailBackend):
    """The server is unreachable: every send fails with a lost connection."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """The server refuses the recipient (and names the address, as servers do)."""

    def send_messages(self, email_messages):
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"<{address}> no such user".encode())})


class BusyBackend(BaseEmailBackend):
    """The server refuses the recipient for now (450: mailbox busy; it names the address)."""

    def send_messages(self, email_messages):
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (450, f"<{address}> mailbox busy".encode())})
