"""Every view that takes a password, a second-factor code or a personal value is marked with
``core.sensitive.sensitive_post``, so error pages and reports never show what was posted.

The test walks both URL maps (public site and association portal), finds the forms and
serializers each view uses (named in its code or the code of the module's helpers it calls) and
fails for an unmarked view whose form has such a field.
"""

from __future__ import annotations

import inspect
import types

import pytest
from django import forms
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.debug import SafeExceptionReporterFilter
from rest_framework import serializers

from core.sensitive import PersonalDataReporterFilter, is_marked, sensitive_post

#: Field names that carry a personal value or a secret wherever they appear.
PERSONAL_FIELDS = {
    "address",
    "chairman_name",
    "code",
    "document_number",
    "egrn_record",
    "email",
    "full_name",
    "inn",
    "organisation_name",
    "password",
    "phone",
    "primary_email",
    "primary_phone",
    "q",
    "username",
}


def _sensitive_fields(form_or_serializer: type) -> set[str]:
    if issubclass(form_or_serializer, forms.BaseForm):
        fields = {**form_or_serializer.base_fields, **form_or_serializer.declared_fields}
        return {
            name
            for name, field in fields.items()
            if name in PERSONAL_FIELDS
            or isinstance(field.widget, forms.PasswordInput)
            or "password" in name
        }
    declared = set(form_or_serializer._declared_fields)
    meta = getattr(form_or_serializer, "Meta", None)
    listed = getattr(meta, "fields", ()) if meta else ()
    names = declared | (set(listed) if isinstance(listed, list | tuple) else set())
    return {name for name in names if name in PERSONAL_FIELDS or "password" in name}


def _codes(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _used_classes(func, seen: set) -> set[type]:
    """Form and serializer classes named in ``func`` or the module functions it calls."""
    func = inspect.unwrap(func)
    if not isinstance(func, types.FunctionType) or func in seen:
        return set()
    seen.add(func)
    found: set[type] = set()
    for code in _codes(func.__code__):
        for name in code.co_names:
            target = func.__globals__.get(name)
            if isinstance(target, type) and issubclass(
                target, forms.BaseForm | serializers.BaseSerializer
            ):
                found.add(target)
            elif isinstance(target, types.FunctionType) and target.__module__ == func.__module__:
                found |= _used_classes(target, seen)
    return found


def _classes_of_view(callback) -> set[type]:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return _used_classes(callback, set())
    found: set[type] = set()
    for attribute in ("form_class", "serializer_class", "authentication_form"):
        value = getattr(view_class, attribute, None)
        if isinstance(value, type):
            found.add(value)
    seen: set = set()
    for klass in view_class.__mro__:
        if klass.__module__.split(".")[0] not in ("core", "tenants", "console", "signup"):
            continue
        for member in vars(klass).values():
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__
            if isinstance(member, types.FunctionType):
                found |= _used_classes(member, seen)
    return found


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _unmarked(urlconf: str) -> list[str]:
    problems = []
    for route, callback in _patterns(get_resolver(urlconf)):
        module = getattr(callback, "__module__", "") or ""
        if module.startswith("django.") and not hasattr(callback, "view_class"):
            continue
        fields: set[str] = set()
        for used in _classes_of_view(callback):
            fields |= _sensitive_fields(used)
        if fields and not is_marked(callback):
            problems.append(f"{route} ({callback.__module__}): {sorted(fields)}")
    return problems


@pytest.mark.parametrize("urlconf", [settings.PUBLIC_SCHEMA_URLCONF, settings.ROOT_URLCONF])
def test_views_taking_personal_data_are_marked(urlconf: str) -> None:
    assert _unmarked(urlconf) == []


def test_the_walk_finds_an_unmarked_view() -> None:
    """The checker itself: an unmarked view with a password form is reported, a marked one not."""

    def unmarked(request):
        return SignInProbe(request.POST)

    marked = sensitive_post(unmarked)
    globals()["SignInProbe"] = SignInProbe
    assert _sensitive_fields(SignInProbe) == {"password", "email"}
    assert SignInProbe in _classes_of_view(unmarked)
    assert not is_marked(unmarked) and is_marked(marked)


class SignInProbe(forms.Form):
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput)


def test_error_pages_hide_posted_values_even_with_debug(rf, settings) -> None:
    settings.DEBUG = True
    request = rf.post("/", {"password1": "correct horse", "email": "a@example.org"})

    @sensitive_post
    def view(request):
        return None

    view(request)
    reporter = PersonalDataReporterFilter()
    posted = reporter.get_post_parameters(request)
    assert posted["password1"] != "correct horse" and posted["email"] != "a@example.org"
    # Django's own filter shows them while DEBUG is on: the reason for ours.
    assert SafeExceptionReporterFilter().get_post_parameters(request)["email"] == "a@example.org"


def test_error_page_hides_local_variables_of_a_marked_request(rf) -> None:
    request = rf.post("/", {"password": "correct horse"})
    sensitive_post(lambda r: None)(request)
    password = "correct horse"  # noqa: F841 - a local the page would show
    frame = inspect.currentframe()
    shown = dict(PersonalDataReporterFilter().get_traceback_frame_variables(request, frame))
    assert "correct horse" not in str(shown.values())
