"""The demo association's letters (filled in later)."""


def seed_demo() -> str:
    return ""
