"""Compile every locale/**/*.po to .mo with polib, so no GNU gettext is needed on the machine."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SEARCH = ["locale", "core", "tenants", "platform", "billing"]


def po_files() -> list[Path]:
    found: list[Path] = []
    for top in SEARCH:
        found.extend((ROOT / top).glob("**/LC_MESSAGES/*.po"))
    return sorted(found)


def compile_all() -> int:
    compiled = 0
    for po_path in po_files():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled += 1
    return compiled


if __name__ == "__main__":
    count = compile_all()
    if count:
        print(f"compiled {count} message catalogue(s)")
    sys.exit(0)
