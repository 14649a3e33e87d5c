"""The embedded default's mail: printed to the console and saved as a file under var/mail/."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class ConsoleAndFileEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.console = ConsoleBackend(fail_silently=fail_silently)
        self.file = FileBackend(fail_silently=fail_silently, **kwargs)

    def send_messages(self, email_messages):
        self.console.send_messages(email_messages)
        return self.file.send_messages(email_messages)
