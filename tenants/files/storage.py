"""Where the sealed bytes of private files go: ``storages["private"]``.

* Embedded default: ``PrivateFileStorage``, a directory under ``var/`` (``TSZH_FILES_DIR``,
  default ``var/files``): files 0600 in 0700 directories, owned by whoever runs the portal. Only
  the store's own directory is made private; ``var/`` and its parents are left as they are (run
  as root, PostgreSQL's user must traverse ``var/``; see ``deploy.services.keep_reachable``).
* Production: S3-compatible object storage through ``django-storages`` (``TSZH_FILES_S3_BUCKET``
  and friends, see ``config.settings``), a private bucket.

Either way the bytes are ciphertext (``tenants.files.sealing``) and no storage ever hands out a
URL: files are served by access-checked views only.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.deconstruct import deconstructible

STORAGE_ALIAS = "private"


@deconstructible
class PrivateFileStorage(FileSystemStorage):
    """A local directory that only the portal's user can read; no URLs."""

    def __init__(self, location=None, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(location=location or settings.TSZH_FILES_DIR, **kwargs)

    def _ensure_root(self) -> None:
        root = Path(self.location)
        # The parents (var/) are made with the default mode and never changed afterwards.
        root.parent.mkdir(parents=True, exist_ok=True)
        root.mkdir(mode=0o700, exist_ok=True)
        os.chmod(root, 0o700)

    def _save(self, name, content):
        self._ensure_root()
        return super()._save(name, content)

    def url(self, name):
        raise NotImplementedError("private files have no URL: serve them through a view")


def private_storage():
    return storages[STORAGE_ALIAS]
