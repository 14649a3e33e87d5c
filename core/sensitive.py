"""Keeping personal data and secrets out of error pages and error reports.

Two parts, both needed:

* ``sensitive_post``: a view (function or class) that takes a password, a second-factor code or a
  personal value marks itself; its request then carries ``sensitive_post_parameters = "__ALL__"``.
  ``tests/core/test_sensitive_views.py`` walks the URL maps and fails for an unmarked view whose
  form or serializer has such a field.
* ``PersonalDataReporterFilter`` (``DEFAULT_EXCEPTION_REPORTER_FILTER``): Django's filter is off
  while ``DEBUG`` is on ("your site is not safe anyway"), but the development portal holds real
  decrypted personal data and a terminal or screenshot of a debug page outlives the session. This
  filter is always on, and for a marked request it hides every POST value and every local variable
  of every frame, not only the ones named.
"""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.debug import sensitive_post_parameters

#: The attribute the URL-map test looks for (on the function, or on the view class).
MARK = "handles_sensitive_post"


def sensitive_post(view):
    """Mark ``view`` (a function view or a view class) as taking secrets or personal data."""
    if isinstance(view, type):
        view = method_decorator(sensitive_post_parameters(), name="dispatch")(view)
        setattr(view, MARK, True)
        return view
    wrapped = sensitive_post_parameters()(view)
    setattr(wrapped, MARK, True)  # functools.wraps of outer decorators copies it outwards
    return wrapped


def is_marked(callback) -> bool:
    """Whether a URL pattern's callback was marked with ``sensitive_post``."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return bool(getattr(callback, MARK, False) or getattr(view_class, MARK, False))


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request) -> bool:
        return True

    def get_traceback_frame_variables(self, request, tb_frame):
        if request is not None and getattr(request, "sensitive_post_parameters", None):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)
