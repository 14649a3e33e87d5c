"""Which URLs take an uploaded file, read from their views (no expectation needed to be found).

A view takes files when its code, or a function or class of its own module that it calls (the
helpers a view hands the request to: ``_post_new``, ``_readings_page`` ...), reads
``request.FILES`` or puts a handler in front of the upload (``upload_handlers``), or, for an API
view (DRF), when a serializer it names has a ``FileField`` (an ``ImageField`` is one), a list of
them included. The walk follows names through the code objects (nested functions and
comprehensions included) and through the decorators' ``__wrapped__`` chain.
"""

from __future__ import annotations

import dis
import inspect
import sys
import types

from tests.access_methods import url_callbacks

#: Attribute names whose use means "this code reads uploaded files".
MARKERS = frozenset({"FILES", "upload_handlers"})


def _codes(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _names(func) -> tuple[set[str], set[str]]:
    """(every name the code uses, attributes included; the globals it loads)."""
    names: set[str] = set()
    globals_: set[str] = set()
    code = getattr(func, "__code__", None)
    if code is None:
        return names, globals_
    for each in _codes(code):
        names.update(each.co_names)
        globals_.update(
            ins.argval for ins in dis.get_instructions(each) if ins.opname == "LOAD_GLOBAL"
        )
    return names, globals_


def _unwrapped(func):
    seen = []
    while func is not None and func not in seen:
        seen.append(func)
        func = getattr(func, "__wrapped__", None)
    return seen


def _closure_functions(func):
    for cell in getattr(func, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        if inspect.isfunction(value):
            yield value


def _serializer_has_file(serializer_class) -> bool:
    from rest_framework import serializers

    try:
        fields = serializer_class().fields
    except Exception:  # noqa: BLE001 - a serializer that needs context: read its declared fields
        fields = getattr(serializer_class, "_declared_fields", {})
    for field in fields.values():
        if isinstance(field, serializers.FileField):
            return True
        child = getattr(field, "child", None)
        if isinstance(child, serializers.FileField):
            return True
    return False


def _is_serializer(value) -> bool:
    from rest_framework import serializers

    return inspect.isclass(value) and issubclass(value, serializers.BaseSerializer)


def takes_files(callback) -> bool:
    """Whether the view behind a URL reads uploaded files (see the module's docstring)."""
    roots = []
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        for attribute in ("serializer_class", "form_class"):
            holder = getattr(view_class, attribute, None)
            if holder is not None and _is_serializer(holder) and _serializer_has_file(holder):
                return True
            if holder is not None and _form_has_file(holder):
                return True
        for _name, member in inspect.getmembers(view_class, inspect.isfunction):
            if member.__module__ == view_class.__module__:
                roots.append(member)
    else:
        roots.append(callback)
    todo = [f for root in roots for f in _unwrapped(root)]
    seen: set = set()
    while todo:
        func = todo.pop()
        if func in seen:
            continue
        seen.add(func)
        names, globals_ = _names(func)
        if names & MARKERS:
            return True
        module = sys.modules.get(func.__module__)
        todo.extend(f for g in _closure_functions(func) for f in _unwrapped(g))
        if module is None:
            continue
        for name in globals_:
            value = getattr(module, name, None)
            if _is_serializer(value):
                if _serializer_has_file(value):
                    return True
            elif inspect.isfunction(value) and value.__module__ == module.__name__:
                todo.extend(_unwrapped(value))
    return False


def _form_has_file(form_class) -> bool:
    from django import forms

    if not (inspect.isclass(form_class) and issubclass(form_class, forms.BaseForm)):
        return False
    return any(isinstance(f, forms.FileField) for f in form_class.base_fields.values())


def upload_urls(urlconf) -> set[str]:
    """The names of the URLs of ``urlconf`` whose views take files."""
    return {name for name, callback in url_callbacks(urlconf).items() if takes_files(callback)}
