"""One way to turn a service's refusal into an answer.

A service refuses by raising Django's ``ValidationError``, naming the field where it can
(``ValidationError({"number": ...})``). Views never catch it themselves:

- a form page calls ``submit(request, form, action, done=..., then=...)``: for a valid POSTed
  form it runs the service call; done → a message and a redirect; refused → the refusal beside
  the form's fields (``show_refusal``) and ``None``, so the view shows the form again;
- a button (a POST without a form) calls ``act(request, action, done=..., then=...)``: the
  message says what happened or why not, and the browser goes back to ``then``;
- anything else asks ``attempt(action)`` for the outcome and answers it in its own way (an htmx
  row, say), or as ``act`` would (``answer``);
- the API needs nothing: ``core.access.api.exception_handler`` answers a refusal with a 400 that
  names the fields (``field_errors``).

The service call runs in a savepoint, so a refusal undoes whatever the call began.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.shortcuts import redirect


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """The refusal's messages by field; those that name no field under ``NON_FIELD_ERRORS``."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def show_refusal(form, error: ValidationError) -> None:
    """Put a service's refusal beside the field it names (or above the form)."""
    for name, errors in field_errors(error).items():
        form.add_error(name if name in form.fields else None, errors)


@dataclass(frozen=True)
class Outcome:
    """What a service call came to: its ``result``, or the ``error`` it was refused with."""

    result: Any = None
    error: ValidationError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        """The refusal's messages as one sentence (for a notice, not beside a field)."""
        return " ".join(self.error.messages) if self.error is not None else ""


def attempt(action: Callable[[], Any]) -> Outcome:
    """Run ``action()`` in a savepoint; a ``ValidationError`` it raises is the outcome."""
    try:
        with transaction.atomic():
            return Outcome(result=action())
    except ValidationError as error:
        return Outcome(error=error)


def _url(then, result) -> str:
    return then(result) if callable(then) else then


def submit(request, form, action, *, done: str = "", then, enabled: bool = True):
    """For a POSTed, valid ``form`` (and an ``enabled`` page), run the service call ``action()``.

    Done: ``done`` as a message and a redirect to ``then`` (a URL, or ``then(result)``). Refused:
    the refusal beside the form's fields and ``None``, as for a GET or an invalid form, so the
    view goes on to show the form: ``return submit(...) or render(...)``.
    """
    if request.method != "POST" or not enabled or not form.is_valid():
        return None
    outcome = attempt(action)
    if outcome.refused:
        show_refusal(form, outcome.error)
        return None
    if done:
        messages.success(request, done)
    return redirect(_url(then, outcome.result))


def act(request, action, *, done: str = "", then, refused=None):
    """A button's POST: run ``action()``, say what happened (``done``) or why not, and redirect.

    Done: to ``then`` (a URL, or ``then(result)``); refused: to ``refused`` (default ``then``).
    """
    return answer(request, attempt(action), done=done, then=then, refused=refused)


def answer(request, outcome: Outcome, *, done: str = "", then, refused=None):
    """An outcome as a message (``done``, or the refusal) and a redirect, as ``act`` does."""
    if outcome.refused:
        messages.error(request, outcome.message)
        return redirect(_url(then, None) if refused is None else refused)
    if done:
        messages.success(request, done)
    return redirect(_url(then, outcome.result))
