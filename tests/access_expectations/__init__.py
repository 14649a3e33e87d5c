"""The expected answers of every URL, one module per feature; ``tests/test_access_matrix.py``
checks them all. A module defines ``EXPECTATIONS``: ``{(urlconf, url name): (kwargs, answers)}``.

``kwargs`` is a dict for ``reverse()``, or a callable ``kwargs(association) -> dict`` run inside
the association's schema before each request (to make the object the URL names: it is made by
someone else, so members get 404 and the board 200). ``answers`` maps each actor to an HTTP
status or ``LOGIN`` (a redirect to the login page).

Every unsafe method a URL accepts (POST, PUT, PATCH, DELETE: see ``tests/access_methods.py``)
is checked too, by ``tests/test_access_methods.py``, with no entry of its own needed: a visitor
refused the GET is refused the method the same way (or 405); an outsider (anonymous, a member
or the chairman of ``beta``) is refused a button whose GET is 405; anyone else may be let
through. Either way a refused request writes nothing and no answer carries ``beta``'s or another
member's data. Where a method's answers are known, a module may pin them in an optional
``METHODS``: ``{(urlconf, url name): {"POST": answers, ...}}``, ``answers`` mapping actors
(``METHOD_ACTORS``) to a status, ``LOGIN``, or a set of acceptable ones; actors it leaves out
keep the default. The ids of an object made in ``beta`` are refused on ``alpha``'s host; a
URL whose kwargs are no such id answers as a module's optional ``FOREIGN_IDS`` says:
``{(urlconf, url name): {answers}}``.
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
#: Who sends every unsafe method to a portal's URL: anonymous, every role of ``alpha`` (its owner
#: and resident hold none of the objects the URLs name), and a member and the chairman of
#: ``beta`` (their GET answers are ``other_association``'s).
BETA_ACTORS = ("beta_member", "beta_chairman")
METHOD_ACTORS = ("anonymous", *[role.value for role in Role], *BETA_ACTORS)
#: Answers that refuse: nothing may be written by a request answered so.
REFUSALS = frozenset({LOGIN, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED})


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


def collect(attribute: str = "EXPECTATIONS") -> dict:
    """Every module's expectations merged; the same URL in two modules is an error. ``METHODS``
    collects the optional per-method answers instead."""
    merged: dict = {}
    for module in pkgutil.iter_modules(__path__):
        expectations = getattr(importlib.import_module(f"{__name__}.{module.name}"), attribute, {})
        for key, value in expectations.items():
            if key in merged:
                raise ValueError(f"{key} has expectations in two modules")
            merged[key] = value
    return merged
