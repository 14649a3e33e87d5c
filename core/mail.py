"""The embedded default's mail: each letter saved as a private file under var/mail/, and a
one-line notice printed to the console.

The console never shows a letter's body: invitation and password-reset letters carry working
links, and a terminal's scroll-back or a captured log would keep them for days. The files are
0600 in a 0700 directory, readable only by the user who runs the portal.
"""

from __future__ import annotations

import datetime
import os
import secrets
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


def _domain_of(address: str) -> str:
    """``someone@example.org`` → ``example.org``: where a letter went, without whom."""
    return address.rpartition("@")[2].strip(" >") or "?"


class ConsoleAndFileEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, file_path=None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)
        self.stream = kwargs.get("stream") or sys.stdout
        self._lock = threading.Lock()

    def _private_directory(self) -> Path:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)  # the mail directory is ours alone, never a parent
        return self.directory

    def _write(self, message) -> Path:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self._private_directory() / f"{stamp}-{secrets.token_hex(4)}.eml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.message().as_bytes(linesep="\n"))
        return path

    def send_messages(self, email_messages) -> int:
        sent = 0
        with self._lock:
            for message in email_messages:
                if not message.recipients():
                    continue
                try:
                    path = self._write(message)
                except OSError:
                    if not self.fail_silently:
                        raise
                    continue
                domains = ", ".join(sorted({_domain_of(r) for r in message.recipients()}))
                self.stream.write(f"mail: to @{domains} «{message.subject}» saved as {path}\n")
                self.stream.flush()
                sent += 1
        return sent
