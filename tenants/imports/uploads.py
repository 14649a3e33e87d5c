"""Refusing an oversized upload before it is read: now ``core.uploads`` (every upload uses it)."""

from core.uploads import FORM_OVERHEAD, LimitedUpload

__all__ = ["FORM_OVERHEAD", "LimitedUpload"]
