"""Refusing an oversized upload before it is read.

Django stores an upload in a temporary file before a view sees it. ``LimitedUpload`` is put in
front of the request's upload handlers: a request whose declared length is over the limit is not
parsed at all (its body is never read), and a body that turns out longer than declared is cut
off at the limit. The view then answers with a clear message (413); in production the reverse
proxy should refuse bodies over ~21 MB before they reach the app (see docs/development.md).

Used by every view that takes a file: the registry import, the file store's uploads (the
association's logo).
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

#: The form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 64 * 1024


class LimitedUpload(FileUploadHandler):
    def __init__(self, max_file_bytes: int, request=None):
        super().__init__(request)
        self.max_file_bytes = max_file_bytes
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_file_bytes + FORM_OVERHEAD:
            self.exceeded = True
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_file_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
