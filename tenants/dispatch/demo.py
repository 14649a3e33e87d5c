"""The demo association's dispatch desk (filled in below)."""

from __future__ import annotations


def seed_demo() -> str:
    return ""
