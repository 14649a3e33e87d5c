"""Sending one upload and measuring what it cost: the answer, the peak memory, the bytes the
upload handlers took in, and the state it left (rows, audit entries, stored objects)."""

from __future__ import annotations

import json
import os
import re
import threading
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.db import connection
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

CYRILLIC = re.compile(r"[А-Яа-яЁё]{3,}")
#: Where a page shows what is wrong with the form: field errors, the form's errors, alerts.
ERROR_PLACES = re.compile(
    r'<(?:ul|p|div)[^>]*(?:class="[^"]*(?:errorlist|errors|error|refus)[^"]*"|role="alert")[^>]*>'
    r"(.*?)</(?:ul|p|div)>",
    re.S,
)
TAGS = re.compile(r"<[^>]+>")


@dataclass
class Sent:
    status: int
    text: str
    content_type: str
    #: Peak of Python's own allocations (tracemalloc) during the request, bytes.
    traced_peak: int
    #: Peak growth of the process's resident memory (C allocations too: Pillow, zlib), bytes.
    rss_growth: int
    #: Bytes of file contents the upload handlers took in from the body.
    spooled: int
    #: Error messages the answer left for the next page (a refusal that redirects back).
    flashed: list


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _RssWatch(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.start_rss = _rss()
        self.peak = self.start_rss
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.002)


_spooled = [0]


@contextmanager
def counting_upload_handlers():
    """Count the file bytes Django's own handlers (memory and temporary file) receive."""
    originals = {
        handler: handler.receive_data_chunk
        for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler)
    }

    def counting(original):
        def receive(self, raw_data, start):
            # The memory handler passes a file it does not keep on to the next one: counted
            # only where it keeps it.
            if getattr(self, "activated", True):
                _spooled[0] += len(raw_data)
            return original(self, raw_data, start)

        return receive

    for handler, original in originals.items():
        handler.receive_data_chunk = counting(original)
    try:
        yield
    finally:
        for handler, original in originals.items():
            handler.receive_data_chunk = original


@dataclass
class Cost:
    traced_peak: int = 0
    rss_growth: int = 0


@contextmanager
def measured():
    """Peak memory of the block: Python's allocations (tracemalloc) and the process's resident
    set, sampled every 2 ms (C allocations too: Pillow's pixels, zlib's buffers)."""
    cost = Cost()
    watch = _RssWatch()
    watch.start()
    tracemalloc.start()
    try:
        yield cost
        _current, cost.traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        watch.done.set()
        watch.join()
        cost.rss_growth = max(0, watch.peak - watch.start_rss)


def multipart(data: dict) -> bytes:
    return encode_multipart(BOUNDARY, data)


def send(client, path: str, body: bytes, *, api: bool) -> Sent:
    headers = {"HTTP_ACCEPT": "application/json"} if api else {}
    _spooled[0] = 0
    with measured() as cost, counting_upload_handlers():
        response = client.generic("POST", path, body, content_type=MULTIPART_CONTENT, **headers)
    content = b"" if getattr(response, "streaming", False) else response.content
    from django.contrib import messages as flash

    stored = getattr(response.wsgi_request, "_messages", None)
    added = getattr(stored, "_queued_messages", [])  # this request's, not earlier ones'
    flashed = [str(m) for m in added if m.level >= flash.ERROR]
    return Sent(
        status=response.status_code,
        text=content.decode("utf-8", "replace"),
        content_type=response.get("Content-Type", ""),
        traced_peak=cost.traced_peak,
        rss_growth=cost.rss_growth,
        spooled=_spooled[0],
        flashed=flashed,
    )


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def messages(sent: Sent) -> list[str]:
    """What the answer says is wrong: the API's error strings, or a page's error places."""
    if sent.flashed:
        return sent.flashed
    if sent.content_type.startswith("text/plain"):
        return [sent.text]  # the portal's ceiling on bodies answers before any page
    if "json" in sent.content_type:
        try:
            return list(_strings(json.loads(sent.text)))
        except ValueError:
            return []
    return [" ".join(TAGS.sub(" ", found).split()) for found in ERROR_PLACES.findall(sent.text)]


def russian(sent: Sent) -> bool:
    return any(CYRILLIC.search(message) for message in messages(sent))


def stored_objects() -> int:
    """Objects of this association in the private file store."""
    from tenants.files.storage import private_storage

    root = os.path.join(private_storage().location, connection.schema_name)
    return sum(len(names) for _dir, _dirs, names in os.walk(root))


def state(models: tuple[str, ...]) -> dict[str, int]:
    counts = {label: apps.get_model(label).objects.count() for label in models}
    counts["files.StoredFile"] = apps.get_model("files.StoredFile").objects.count()
    counts["audit.AuditEntry"] = apps.get_model("audit.AuditEntry").objects.count()
    counts["private store"] = stored_objects()
    return counts
