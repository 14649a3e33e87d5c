"""Every upload endpoint fuzzed with hostile files (issue 19, "Upload endpoints fuzzed").

For each entry of ``tests/uploads/expectations.py`` one test makes the uploader and the object
once, then posts, in Russian, each payload of ``tests/uploads/payloads.py`` that is not a fair
file there (broken images, a PDF named .jpg, decompression and archive bombs, many or nested
archive members, an empty file), a file just over the endpoint's limit, and, where several files
go under one field, a good file beside a bad one. Each must be:

* refused (400, 413, 415 or 422; never a 5xx, never stored) with a message in Russian;
* without a trace: the rows of the entry's models, the stored files, the audit entries and the
  objects in the private file store counted before and after are the same;
* cheap: Python's peak allocations and the process's resident memory grow by far less than the
  bomb expands to (``MEMORY_BOUND`` beyond the body itself), and the upload handlers take in no
  more than the endpoint's limit of the body (an oversized body is cut off, not read through).

Last, the control: a good file, which must be accepted (so the refusals were the file's, not a
missing field's).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import translation

from core.uploads import FORM_OVERHEAD
from tests.conftest import verify_second_factor
from tests.uploads import payloads, probe
from tests.uploads.expectations import ENDPOINTS, UploadEndpoint

pytestmark = pytest.mark.django_db

REFUSED = frozenset({400, 413, 415, 422})
ACCEPTED = frozenset({200, 201, 302})
#: How much more than the body itself a refused upload may make a process hold.
MEMORY_BOUND = 64 * payloads.MB


class Ctx:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch


def _client(alpha, user):
    from django.test import Client

    from tests.conftest import host_of

    client = Client(HTTP_HOST=host_of(alpha))
    connection.set_tenant(alpha)
    client.force_login(user)
    verify_second_factor(client, user)
    client.cookies["django_language"] = "ru"
    return client


def _file(name, data, content_type):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _cases(endpoint: UploadEndpoint, good):
    """(label, files under the field) of every hostile upload tried at ``endpoint``."""
    for payload in payloads.PAYLOADS:
        if payload.unless_accepted & endpoint.kinds:
            continue
        yield payload.key, [_file(payload.name, payload.data, payload.content_type)], payload
    big = payloads.oversized(endpoint.max_bytes)
    yield "over_the_limit", [_file("photo.png", big, "image/png")], None
    if endpoint.multiple:
        bad = next(p for p in payloads.PAYLOADS if p.key == "truncated_png")
        yield (
            "good_beside_bad",
            [_file(*good), _file(bad.name, bad.data, bad.content_type)],
            None,
        )
        count = endpoint.request_bytes // (endpoint.max_bytes - payloads.MB) + 1
        chunk = payloads.oversized(endpoint.max_bytes - 2 * payloads.MB)
        many = [_file(f"p{n}.png", chunk, "image/png") for n in range(count)]
        yield "over_the_request_limit", many, None


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_hostile_uploads_are_refused_in_russian_and_leave_nothing(
    endpoint, alpha, monkeypatch, in_alpha
):
    setup = endpoint.prepare(Ctx(monkeypatch))
    field = setup.field or endpoint.field
    path = reverse(endpoint.name, kwargs=setup.kwargs)
    client = _client(alpha, setup.user)
    failures = []
    for label, files, payload in _cases(endpoint, setup.good):
        body = probe.multipart({**setup.data, field: files if len(files) > 1 else files[0]})
        before = probe.state(endpoint.models)
        with translation.override("ru"):
            sent = probe.send(client, path, body, api=endpoint.api)
        connection.set_tenant(alpha)
        after = probe.state(endpoint.models)
        problems = []
        refused = REFUSED | ({302} if endpoint.refuses_with_redirect else set())
        if sent.status not in refused or (sent.status == 302 and not sent.flashed):
            problems.append(f"answered {sent.status}")
        elif not probe.russian(sent):
            problems.append(f"no Russian message among {probe.messages(sent)[:3]}")
        if after != before:
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            problems.append(f"left {changed}")
        bound = len(body) + MEMORY_BOUND
        if sent.traced_peak > bound or sent.rss_growth > bound:
            problems.append(
                f"memory: traced {sent.traced_peak >> 20} MB, resident +{sent.rss_growth >> 20} MB"
                f" (bound {bound >> 20} MB)"
            )
        if sent.spooled > endpoint.body_limit + FORM_OVERHEAD:
            problems.append(f"read {sent.spooled >> 20} MB of the body")
        if payload is not None and payload.expands_to:
            assert payload.expands_to > 4 * MEMORY_BOUND  # the bound means something
        if problems:
            failures.append(f"{label}: {'; '.join(problems)}")
    connection.set_tenant(alpha)
    before = probe.state(endpoint.models)
    body = probe.multipart({**setup.data, field: _file(*setup.good)})
    with translation.override("ru"):
        sent = probe.send(client, path, body, api=endpoint.api)
    connection.set_tenant(alpha)
    if sent.status not in ACCEPTED or sent.flashed:
        failures.append(f"control (a good file) answered {sent.status}: {probe.messages(sent)[:3]}")
    elif probe.state(endpoint.models) == before:
        failures.append("control (a good file) stored nothing")
    assert not failures, "\n".join(failures)
