"""The signed-in user's row from the shared cache (``core.stamped``), not the database.

Every signed-in request needs the user: ``CachedAuthenticationMiddleware`` reads it here. The row
is cached **as stored**: the encrypted email and name stay ciphertext (``Sealed`` tokens, opened
only when a page uses them, under the association's key as from the database); the password
field is the stored hash (the session's auth hash is made from it, as Django does). The entry is
keyed by the user's id in the association's schema and gets a new stamp on every ``save()`` and
``delete()`` of the user (``post_save``/``post_delete``, connected in ``AccessConfig.ready``) and
on a queryset ``update()`` of users (``UserQuerySet``): roles, ``is_active``, the password, the
language all change that way, so a role taken away or a deactivation holds from the next request.

Entries that other apps keep per user and read on every page (the bell's unread count) are read
in the same ``MGET`` as the row: ``prefetch_with_user(kind)`` names them, ``entry_for(user, kind)``
hands them out.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS

from core import stamped

KIND = "access.user"
_with_user: list[str] = []


def prefetch_with_user(kind: str) -> None:
    """Read the entry ``(kind, user id)`` together with the user's row."""
    if kind not in _with_user:
        _with_user.append(kind)


def read_with_user(user_id) -> list[tuple[str, str]]:
    """The entries ``get_user(user_id)`` reads: for ``ReadAheadMiddleware`` to read them ahead."""
    ident = str(user_id)
    return [(KIND, ident)] + [(kind, ident) for kind in _with_user]


def _stored(user) -> tuple:
    """The row as the database holds it: (attname, value) in field order, tokens sealed."""
    return tuple(
        (field.attname, user.__dict__[field.attname]) for field in user._meta.concrete_fields
    )


def _load(user_id):
    model = get_user_model()
    user = model._default_manager.filter(pk=user_id).first()
    return None if user is None else _stored(user)


def get_user(user_id):
    """The user ``user_id`` (None when there is none), from the cache when it is current."""
    model = get_user_model()
    try:
        ident = str(model._meta.pk.to_python(user_id))
    except Exception:  # noqa: BLE001 - a malformed id in a session: nobody
        return None
    entries = stamped.lookup_many(read_with_user(ident))
    row = entries[(KIND, ident)].get(lambda: _load(ident))
    if row is None:
        return None
    attnames, values = zip(*row, strict=True)
    user = model.from_db(DEFAULT_DB_ALIAS, list(attnames), list(values))
    user._stamped_entries = {kind: entries[(kind, ident)] for kind in _with_user}
    return user


def entry_for(user, kind: str) -> stamped.Entry:
    """The entry ``(kind, user's id)``: read with the user's row when it was, else now."""
    found = getattr(user, "_stamped_entries", None) or {}
    entry = found.get(kind)
    if entry is None:
        entry = stamped.lookup(kind, user.pk)
        if isinstance(getattr(user, "_stamped_entries", None), dict):
            user._stamped_entries[kind] = entry
    return entry


def forget(user_ids) -> None:
    stamped.invalidate(KIND, user_ids)


def on_user_saved(sender, instance, **kwargs) -> None:
    forget([instance.pk])


def on_user_deleted(sender, instance, **kwargs) -> None:
    forget([instance.pk])
