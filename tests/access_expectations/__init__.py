"""The expected answers of every URL, one module per feature; ``tests/test_access_matrix.py``
checks them all. A module defines ``EXPECTATIONS``: ``{(urlconf, url name): (kwargs, answers)}``.

``kwargs`` is a dict for ``reverse()``, or a callable ``kwargs(association) -> dict`` run inside
the association's schema before each request (to make the object the URL names: it is made by
someone else, so members get 404 and the board 200). ``answers`` maps each actor to an HTTP
status or ``LOGIN`` (a redirect to the login page).
"""

from __future__ import annotations

import importlib
import pkgutil

from core.access.roles import Role

TENANT_URLCONF = "config.urls_tenant"
PUBLIC_URLCONF = "config.urls_public"

LOGIN = "login"  # a redirect to the login page
OK = 200
REDIRECT = 302
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405

TENANT_ACTORS = ("anonymous", "other_association", *[role.value for role in Role])
PUBLIC_ACTORS = ("anonymous", "operator", "member")


def everyone(answer):
    return dict.fromkeys(TENANT_ACTORS, answer)


def signed_in(answer, anonymous=LOGIN):
    return answers(answer, anonymous=anonymous)


def answers(default, anonymous=LOGIN, **by_role):
    """``default`` for every role not named; anonymous visitors and strangers get ``anonymous``."""
    result = dict.fromkeys(TENANT_ACTORS, default)
    result["anonymous"] = result["other_association"] = anonymous
    result.update(by_role)
    return result


def api(default, **by_role):
    """An API endpoint's answers: 401 instead of the login redirect."""
    return answers(default, anonymous=UNAUTHORIZED, **by_role)


def collect() -> dict:
    """Every module's expectations merged; the same URL in two modules is an error."""
    merged: dict = {}
    for module in pkgutil.iter_modules(__path__):
        expectations = importlib.import_module(f"{__name__}.{module.name}").EXPECTATIONS
        for key, value in expectations.items():
            if key in merged:
                raise ValueError(f"{key} has expectations in two modules")
            merged[key] = value
    return merged
