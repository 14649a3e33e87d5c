"""Rows: one row of the file read into values, errors and the raw text of bad cells."""

from __future__ import annotations

from typing import Any

from tenants.imports.columns.cells import (
    CellError,
    Context,
)
from tenants.imports.columns.definitions import COLUMNS, OWNER_DETAIL_KEYS
from tenants.imports.columns.text import as_text


def clean_row(raw: dict[str, Any], ctx: Context) -> tuple[dict, list[dict], dict[str, str]]:
    """Read one row: (values, errors, the raw text of the cells in error)."""
    values: dict[str, Any] = {}
    errors: list[dict] = []
    bad: dict[str, str] = {}
    for column in COLUMNS:
        value = raw.get(column.key)
        try:
            values[column.key] = column.clean(value, ctx, column)
        except CellError as error:
            values[column.key] = None
            errors.append({"code": error.code, "column": column.key, "params": error.params})
            bad[column.key] = as_text(value)[:100]
    failed = {error["column"] for error in errors}
    owner_details = [key for key in OWNER_DETAIL_KEYS if values.get(key) not in (None, "")]
    if not values.get("owner") and "owner" not in failed:
        if owner_details:
            errors.append({"code": "owner_missing", "column": "owner", "params": {}})
    elif values.get("owner"):
        if not values.get("account") and "account" not in failed:
            errors.append({"code": "account_missing", "column": "account", "params": {}})
        if values.get("member") is False and values.get("member_since"):
            errors.append(
                {"code": "member_since_not_member", "column": "member_since", "params": {}}
            )
        if (
            values.get("member") is True
            and not values.get("member_since")
            and "member_since" not in failed
        ):
            errors.append({"code": "member_since_missing", "column": "member_since", "params": {}})
    values["is_org"] = bool(values.get("inn") or values.get("ogrn"))
    return values, errors, bad
