"""The embedded mail backend: letters in private files, only a one-line notice on the console."""

from __future__ import annotations

import io
import stat
from pathlib import Path

from django.core.mail import EmailMessage

from core.mail import ConsoleAndFileEmailBackend

LINK = "http://demo.localhost:8000/invitations/accept/SECRET-TOKEN-123/"


def _send(directory: Path) -> tuple[str, list[Path]]:
    console = io.StringIO()
    backend = ConsoleAndFileEmailBackend(file_path=directory, stream=console)
    letter = EmailMessage(
        subject="Приглашение на портал",
        body=f"Здравствуйте, Иван Петров! Ваша ссылка: {LINK}",
        from_email="noreply@localhost",
        to=["ivan.petrov@example.org"],
    )
    assert backend.send_messages([letter]) == 1
    return console.getvalue(), sorted(directory.iterdir())


def test_console_shows_a_notice_without_body_link_or_recipient(tmp_path: Path) -> None:
    printed, files = _send(tmp_path / "mail")
    assert printed.count("\n") == 1
    assert "@example.org" in printed and "Приглашение на портал" in printed
    assert files[0].name in printed
    for secret in (LINK, "SECRET-TOKEN", "Иван", "ivan.petrov"):
        assert secret not in printed


def test_letters_are_private_files_in_a_private_directory(tmp_path: Path) -> None:
    directory = tmp_path / "mail"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    _printed, files = _send(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert LINK in files[0].read_text()


def test_two_letters_never_share_a_file(tmp_path: Path) -> None:
    _send(tmp_path / "mail")
    _printed, files = _send(tmp_path / "mail")
    assert len(files) == 2
