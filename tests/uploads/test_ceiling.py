"""The portal's ceiling on request bodies (``core.uploads``): a body declared over the largest
upload is answered 413 in Russian before anything reads it, for pages and the API alike, and a
body without a declared length is cut off there by the first upload handler."""

from __future__ import annotations

import pytest
from django.core.files.uploadhandler import StopUpload
from django.test import Client

from core.uploads import CeilingUpload, max_request_bytes
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/forum/", "/api/v1/documents/news/"])
def test_a_body_declared_over_the_ceiling_is_refused_unread(alpha, path):
    client = Client(HTTP_HOST=host_of(alpha))
    client.cookies["django_language"] = "ru"
    # Ten bytes sent, far more declared: reading past them would fail the test client.
    response = client.generic(
        "POST",
        path,
        b"0123456789",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(max_request_bytes() + 1),
    )
    assert response.status_code == 413
    assert "Запрос слишком велик" in response.content.decode()


def test_a_body_of_unknown_length_is_cut_off_at_the_ceiling():
    handler = CeilingUpload()
    chunk = b"\0" * (1024 * 1024)
    sent = 0
    with pytest.raises(StopUpload):
        while True:
            handler.receive_data_chunk(chunk, sent)
            sent += len(chunk)
    assert max_request_bytes() - len(chunk) <= sent <= max_request_bytes()
