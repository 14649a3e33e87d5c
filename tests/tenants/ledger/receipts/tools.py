"""Reading a receipt back as a bank app would: rasterise the PDF (poppler's ``pdftoppm``) and
decode its QR codes with a real decoder (``zbarimg`` from Debian's zbar-tools).

Without the tools the tests skip, except under ``CI=true`` (``.ci/run`` installs them), where
a missing tool fails the run, as a missing Chromium fails the browser tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def require_tools() -> None:
    missing = [tool for tool in ("zbarimg", "pdftoppm") if shutil.which(tool) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed (apt-get install zbar-tools poppler-utils)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def decode_qr_codes(pdf: bytes, *, dpi: int = 300) -> list[bytes]:
    """Every QR code on every page of ``pdf``, as the raw bytes the code carries."""
    require_tools()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "receipt.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(folder) / "page")],
            check=True,
            capture_output=True,
        )
        codes: list[bytes] = []
        for page in sorted(Path(folder).glob("page*.png")):
            found = subprocess.run(
                ["zbarimg", "-q", "--raw", "-Sbinary", "-Sqrcode.enable", str(page)],
                capture_output=True,
            )
            if found.returncode not in (0, 4):  # 4: no symbol on this page
                raise AssertionError(f"zbarimg failed with {found.returncode}")
            codes.extend(_split(found.stdout))
        return codes


def _split(output: bytes) -> list[bytes]:
    """zbarimg's binary output (the bytes as the code carries them, no charset guessing) runs
    the symbols together; every payload starts with the ST0001 header."""
    parts = [part for part in output.split(b"ST0001") if part.strip()]
    return [b"ST0001" + part.rstrip(b"\n") for part in parts]
