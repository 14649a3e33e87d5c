"""The local key provider: the embedded default, keys in a directory outside the database.

Layout of the key store (``var/keys/`` by default, mode 0700)::

    .master-check        a known value sealed by the master key (detects a wrong master key)
    .lock                advisory lock taken by every mutation (create, rotate, destroy)
    <key name>.key       one file per owner key (mode 0600)

A ``.key`` file is JSON ``{"format", "name", "nonce", "sealed"}`` where ``sealed`` is the
AES-256-GCM encryption, under the master key, of ``{"latest": N, "keks": {"1": ..., "N": ...}}``
with the key name as associated data: every version of the owner's 256-bit KEK, readable only
with the master key, and not transplantable to another name. Data keys are wrapped as
``local:v<N>:<base64(nonce || AES-GCM(KEK_N, data key, aad=name))>``.

Files are written to a temporary file, fsynced and renamed into place (``os.replace``) so a crash
never leaves a half-written key. Destroying a key overwrites and deletes its file and fsyncs the
directory; copies of the file in key-store backups keep the key alive until those backups expire
(see docs/security.md).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import logging
import os
import secrets
import stat
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.crypto.errors import (
    ConfigurationError,
    CryptoError,
    DecryptionError,
    KeyNotFound,
    ProviderUnavailable,
)
from core.crypto.providers.base import DATA_KEY_BYTES, DataKey, KeyProvider

logger = logging.getLogger(__name__)

MASTER_KEY_ENV = "TSZH_MASTER_KEY"
DEFAULT_KEY_DIR = Path("var/keys")
# The master key has a private directory of its own beside the key store, never inside the store
# it seals (a key-store backup must not carry its unsealing key) and never a directory that other
# services share: tightening such a directory once locked the embedded PostgreSQL out of var/pg.
DEFAULT_MASTER_KEY_PATH = Path("var/secrets/master.key")
#: Where releases before December 2026 kept it; moved to the new place on first use.
LEGACY_MASTER_KEY_PATH = Path("var/master.key")

KEY_SUFFIX = ".key"
CANARY_FILE = ".master-check"
LOCK_FILE = ".lock"
FILE_FORMAT = "tszh-local-kek/1"
NONCE_BYTES = 12

_KEYFILE_AAD = b"tszh-local-keyfile/1\x00"
_WRAP_AAD = b"tszh-local-wrap/1\x00"
_CANARY_AAD = b"tszh-local-canary/1"
_CANARY_VALUE = b"tszh master key check"


# -- master key ---------------------------------------------------------------------------------


def load_master_key(
    env: Mapping[str, str] | None = None,
    path: str | os.PathLike[str] | None = DEFAULT_MASTER_KEY_PATH,
    *,
    create: bool = True,
    legacy_path: str | os.PathLike[str] | None = None,
) -> bytes:
    """The 32-byte master key that seals the local key store.

    Taken from ``TSZH_MASTER_KEY`` (base64 of 32 bytes) when set, so containers can inject it;
    otherwise read from ``path``, which is created with mode 0600 on first use when ``create`` is
    true (the embedded default). A key file that others can read or write is refused, as ssh does
    with private keys: a readable master key next to the key store defeats the sealing.

    ``legacy_path`` is where an earlier release kept the file: when ``path`` is absent and the
    legacy file exists, it is moved once into ``path``'s private directory."""
    env = os.environ if env is None else env
    encoded = env.get(MASTER_KEY_ENV, "").strip()
    if encoded:
        return _decode_master_key(encoded, MASTER_KEY_ENV)
    if path is None:
        raise ConfigurationError(f"no master key: set {MASTER_KEY_ENV} or a master key file")
    key_path = Path(path)
    if not key_path.exists() and legacy_path is not None:
        _adopt_legacy_master_key(Path(legacy_path), key_path)
    if not key_path.exists():
        if not create:
            raise ConfigurationError(f"master key file {key_path} does not exist")
        _create_master_key_file(key_path)
    return _read_master_key_file(key_path)


def _decode_master_key(encoded: str, source: str) -> bytes:
    """Base64 → 32 bytes, with an error that names the source but never echoes the value."""
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{source} is not valid base64") from None
    if len(key) != 32:
        raise ConfigurationError(f"{source} must decode to 32 bytes")
    return key


def _create_master_key_file(key_path: Path) -> None:
    """Write a new random master key with mode 0600; losing a creation race is fine."""
    _ensure_private_dir(key_path.parent)
    encoded = base64.b64encode(secrets.token_bytes(32)) + b"\n"
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, encoded)
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(key_path.parent)
    logger.info("created a new master key file at %s", key_path)


def _adopt_legacy_master_key(legacy: Path, key_path: Path) -> None:
    """Move a master key file from an earlier release's place into its own directory."""
    if not legacy.is_file() or legacy.resolve() == key_path.resolve():
        return
    _ensure_private_dir(key_path.parent)
    try:
        os.link(legacy, key_path)  # atomic, and never overwrites a key made meanwhile
    except FileExistsError:
        return
    os.unlink(legacy)
    _fsync_dir(key_path.parent)
    _fsync_dir(legacy.parent)
    logger.info("moved the master key file into its own directory %s", key_path.parent)


def _read_master_key_file(key_path: Path) -> bytes:
    """Read and check a master key file (permissions first, then content)."""
    mode = key_path.stat().st_mode
    if mode & 0o077:
        raise ConfigurationError(
            f"master key file {key_path} is accessible by group or others; chmod 600 it"
        )
    return _decode_master_key(key_path.read_text(encoding="ascii").strip(), str(key_path))


# -- small file helpers --------------------------------------------------------------------------


def _ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` with mode 0700 (or tighten it): key files must be owner-only.

    Only ``directory`` itself is ever tightened, never a parent (parents are created with the
    default mode), and only while it holds nothing but files: a directory with subdirectories is
    shared with something else (``var/`` holds the database), and tightening it would lock that
    other service out, so it is refused instead."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(directory.stat().st_mode) & 0o077:
        if any(entry.is_dir() for entry in directory.iterdir()):
            raise ConfigurationError(
                f"{directory} is shared with other files and directories; keys need a "
                "directory of their own"
            )
        try:
            os.chmod(directory, 0o700)
        except PermissionError:
            logger.warning("cannot restrict permissions of %s to 0700", directory)


def _fsync_dir(directory: Path) -> None:
    """fsync a directory so that a rename or unlink inside it survives a crash."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temporary(path: Path, data: bytes, *, sync: bool = True) -> Path:
    """``data`` in a new owner-only file beside ``path``, synced to disk unless ``sync`` is
    false (the caller syncs it then, see ``_sync_files``); returns its path."""
    tmp = path.with_name(f".tmp-{secrets.token_hex(8)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return tmp


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_files(paths: list[Path], workers: int) -> None:
    """fsync every file, several at once: the file system commits concurrent syncs together."""
    if len(paths) <= 1 or workers <= 1:
        for path in paths:
            _fsync_file(path)
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(paths))) as pool:
        list(pool.map(_fsync_file, paths))


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) via a temporary file and ``os.replace``."""
    tmp = _write_temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _write_exclusive(path: Path, data: bytes) -> None:
    """Like ``_write_atomic`` but never replaces an existing file (``os.link`` is exclusive)."""
    tmp = _write_temporary(path, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise DecryptionError("malformed base64 in key material") from None


# -- the provider ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _KeyRing:
    """All versions of one owner's KEK, as unsealed from its file (repr hides the keys)."""

    latest: int
    keks: dict[int, bytes] = field(repr=False)


class LocalKeyProvider(KeyProvider):
    """Owner keys in a local directory, sealed by a master key (see the module docstring)."""

    kind = "local"

    def __init__(
        self,
        directory: str | os.PathLike[str] = DEFAULT_KEY_DIR,
        master_key: bytes | None = None,
        *,
        create: bool = True,
        max_workers: int = 8,
    ) -> None:
        super().__init__(max_workers=max_workers)
        if master_key is None or len(master_key) != 32:
            raise ConfigurationError("the local key provider needs a 32-byte master key")
        self.directory = Path(directory)
        self._master = AESGCM(master_key)
        self._master_verified = False
        if create:
            _ensure_private_dir(self.directory)

    def __repr__(self) -> str:
        return f"LocalKeyProvider(directory={str(self.directory)!r})"

    # -- KeyProvider API ---------------------------------------------------------------------

    def create_key(self, name: str) -> None:
        name = self._name(name)
        with self._mutation():
            path = self._path(name)
            if path.exists():
                return
            self._save(name, _KeyRing(latest=1, keks={1: secrets.token_bytes(32)}))

    def create_keys(self, names) -> None:
        """Create many keys under one hold of the store's lock: every new key file is written
        to its temporary file, the files are synced to disk together (concurrent fsyncs share
        the file system's journal commits: ~0.6 ms a key instead of ~10 ms one after another on
        a busy disk), renamed into place, and the directory is synced once. As durable as
        ``create_key``: nothing is renamed into place before its content is on disk, and
        nothing is reported created before the directory is."""
        unique = [self._name(name) for name in dict.fromkeys(names)]
        with self._mutation():
            todo = [name for name in unique if not self._path(name).exists()]
            if not todo:
                return
            written: list[tuple[Path, Path]] = []
            try:
                for name in todo:
                    ring = _KeyRing(latest=1, keks={1: secrets.token_bytes(32)})
                    data = self._sealed_document(name, ring)
                    written.append(
                        (_write_temporary(self._path(name), data, sync=False), self._path(name))
                    )
                _sync_files([tmp for tmp, _path in written], self.max_workers)
                for tmp, path in written:
                    os.replace(tmp, path)
            finally:
                for tmp, _path in written:
                    tmp.unlink(missing_ok=True)
            _fsync_dir(self.directory)

    def destroy_key(self, name: str) -> None:
        name = self._name(name)
        with self._mutation():
            path = self._path(name)
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                return
            _overwrite(path, size)
            path.unlink()
            _fsync_dir(self.directory)

    def key_exists(self, name: str) -> bool:
        name = self._name(name)
        with self._io():
            return self._path(name).is_file()

    def list_keys(self, prefix: str = "") -> list[str]:
        with self._io():
            names = [
                entry[: -len(KEY_SUFFIX)]
                for entry in os.listdir(self.directory)
                if entry.endswith(KEY_SUFFIX) and not entry.startswith(".")
            ]
        return sorted(name for name in names if name.startswith(prefix))

    def rotate_key(self, name: str) -> int:
        name = self._name(name)
        with self._mutation():
            ring = self._load(name)
            ring.latest += 1
            ring.keks[ring.latest] = secrets.token_bytes(32)
            self._save(name, ring)
            return ring.latest

    def retire_versions_below(self, name: str, version: int) -> None:
        name = self._name(name)
        with self._mutation():
            ring = self._load(name)
            if version > ring.latest:
                raise CryptoError("cannot retire the latest key version")
            ring.keks = {v: kek for v, kek in ring.keks.items() if v >= version}
            self._save(name, ring)

    def latest_version(self, name: str) -> int:
        return self._load(self._name(name)).latest

    def generate_data_key(self, name: str) -> DataKey:
        name = self._name(name)
        ring = self._load(name)
        plaintext = secrets.token_bytes(DATA_KEY_BYTES)
        return DataKey(plaintext=plaintext, wrapped=self._wrap(name, ring, plaintext))

    def unwrap(self, name: str, wrapped: str) -> bytes:
        name = self._name(name)
        return self._unwrap_with(name, self._load(name), wrapped)

    def rewrap(self, name: str, wrapped: str) -> str:
        name = self._name(name)
        ring = self._load(name)
        return self._wrap(name, ring, self._unwrap_with(name, ring, wrapped))

    def check(self) -> None:
        with self._io():
            if not os.access(self.directory, os.W_OK | os.X_OK):
                raise ProviderUnavailable("key store directory is not writable")

    # -- backup of one association's keys (manage.py export_association / restore_association)

    def export_sealed(self, name: str) -> str:
        """The key file of ``name`` as stored: sealed by the master key, useless without it."""
        name = self._name(name)
        with self._io():
            try:
                raw = self._path(name).read_bytes()
            except FileNotFoundError:
                raise KeyNotFound(f"key {name} does not exist") from None
        self._unseal(name, raw)  # refuse to export a file this store cannot open
        return raw.decode("ascii")

    def import_sealed(self, name: str, document: str) -> str:
        """Put an exported key file back; return ``created``, ``merged`` or ``unchanged``.

        The file must open with this store's master key (the same master key as at export).
        When the key exists, the versions are merged (the live ones win): a restored row may be
        wrapped under a version that rotation has retired since, and the next rotation run
        re-wraps and retires it again."""
        name = self._name(name)
        restored = self._unseal(name, document.encode("ascii"))
        with self._mutation():
            try:
                live = self._load(name)
            except KeyNotFound:
                self._save(name, restored)
                return "created"
            missing = {v: k for v, k in restored.keks.items() if v not in live.keks}
            if not missing:
                return "unchanged"
            live.keks.update(missing)
            live.latest = max(live.latest, restored.latest)
            self._save(name, live)
            return "merged"

    # -- wrapping ------------------------------------------------------------------------------

    def _wrap(self, name: str, ring: _KeyRing, plaintext: bytes) -> str:
        """Wrap a data key under the ring's latest KEK version, bound to the key name."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(ring.keks[ring.latest]).encrypt(nonce, plaintext, _WRAP_AAD + name.encode())
        return f"{self.kind}:v{ring.latest}:{_b64(nonce + sealed)}"

    def _unwrap_with(self, name: str, ring: _KeyRing, wrapped: str) -> bytes:
        """Unwrap with the KEK version named in ``wrapped``; any mismatch is a DecryptionError."""
        version, payload = self._parse_wrapped(wrapped)
        kek = ring.keks.get(version)
        if kek is None:
            raise DecryptionError("wrapped data key names an unknown key version")
        raw = _unb64(payload)
        try:
            plaintext = AESGCM(kek).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _WRAP_AAD + name.encode()
            )
        except (InvalidTag, ValueError):
            raise DecryptionError("wrapped data key does not unwrap with this key") from None
        if len(plaintext) != DATA_KEY_BYTES:
            raise DecryptionError("unwrapped data key has the wrong length")
        return plaintext

    # -- key files -----------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}{KEY_SUFFIX}"

    def _load(self, name: str) -> _KeyRing:
        """Read and unseal the key file of ``name`` (KeyNotFound if there is none)."""
        with self._io():
            try:
                raw = self._path(name).read_bytes()
            except FileNotFoundError:
                raise KeyNotFound(f"key {name} does not exist") from None
        return self._unseal(name, raw)

    def _unseal(self, name: str, raw: bytes) -> _KeyRing:
        """Open a key file's content with the master key; any mismatch is a DecryptionError."""
        try:
            document = json.loads(raw)
            if document.get("format") != FILE_FORMAT or document.get("name") != name:
                raise DecryptionError(f"key file of {name} is not a key file for this name")
            sealed = _unb64(document["sealed"])
            nonce = _unb64(document["nonce"])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise DecryptionError(f"key file of {name} is malformed") from None
        try:
            opened = self._master.decrypt(nonce, sealed, _KEYFILE_AAD + name.encode())
        except (InvalidTag, ValueError):
            raise DecryptionError(f"key file of {name} does not open with the master key") from None
        content = json.loads(opened)
        keks = {int(version): _unb64(kek) for version, kek in content["keks"].items()}
        return _KeyRing(latest=int(content["latest"]), keks=keks)

    def _save(self, name: str, ring: _KeyRing) -> None:
        """Seal ``ring`` with the master key and write it atomically (caller holds the lock)."""
        _write_atomic(self._path(name), self._sealed_document(name, ring))

    def _sealed_document(self, name: str, ring: _KeyRing) -> bytes:
        """The key file's content: ``ring`` sealed with the master key, bound to ``name``."""
        content = json.dumps(
            {"latest": ring.latest, "keks": {str(v): _b64(k) for v, k in ring.keks.items()}}
        ).encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._master.encrypt(nonce, content, _KEYFILE_AAD + name.encode())
        document = {
            "format": FILE_FORMAT,
            "name": name,
            "nonce": _b64(nonce),
            "sealed": _b64(sealed),
        }
        return json.dumps(document).encode()

    # -- store availability and locking ----------------------------------------------------

    @contextlib.contextmanager
    def _io(self) -> Iterator[None]:
        """Guard a read: a vanished directory or an I/O error means the store is unavailable
        (→ 503), and a wrong master key must be noticed before anything is read or written."""
        if not self.directory.is_dir():
            raise ProviderUnavailable("key store directory is missing")
        self._verify_master_key()
        try:
            yield
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise ProviderUnavailable("key store I/O error") from exc

    @contextlib.contextmanager
    def _mutation(self) -> Iterator[None]:
        """Guard a write: ``_io`` plus an exclusive lock shared by all processes on this store."""
        with self._io():
            fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _verify_master_key(self) -> None:
        """Open the store's canary with our master key once per process; create it if absent.

        Without this, a wrong ``TSZH_MASTER_KEY`` would silently start sealing new keys with a
        key that cannot open the old ones (and every read would look like a decryption error
        instead of the configuration problem it is)."""
        if self._master_verified:
            return
        canary = self.directory / CANARY_FILE
        try:
            if not canary.exists():
                self._create_canary(canary)
            raw = canary.read_bytes()
        except OSError as exc:
            raise ProviderUnavailable("key store is not readable") from exc
        try:
            self._master.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _CANARY_AAD)
        except (InvalidTag, ValueError):
            raise ProviderUnavailable("key store does not open with this master key") from None
        self._master_verified = True

    def _create_canary(self, canary: Path) -> None:
        """Create the canary, unless the store already has keys that our master key cannot open
        (a lost canary must not let a wrong master key in). Exclusive: first writer wins."""
        existing = sorted(self.directory.glob(f"[!.]*{KEY_SUFFIX}"))
        if existing:
            name = existing[0].name[: -len(KEY_SUFFIX)]
            try:
                self._unseal(name, existing[0].read_bytes())
            except DecryptionError:
                raise ProviderUnavailable("key store does not open with this master key") from None
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._master.encrypt(nonce, _CANARY_VALUE, _CANARY_AAD)
        _write_exclusive(canary, nonce + sealed)


def _overwrite(path: Path, size: int) -> None:
    """Best-effort overwrite of a key file before unlinking it.

    On journaling or copy-on-write file systems and SSDs the old blocks may survive anyway; the
    content is sealed by the master key, which is what really protects it."""
    try:
        with open(path, "r+b") as handle:
            handle.write(secrets.token_bytes(max(size, 1)))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        logger.warning("could not overwrite a key file before deleting it")
