"""Local key store specifics: permissions, sealing by the master key, files, master key loading."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import threading
import uuid
from pathlib import Path
from unittest import mock

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.crypto.errors import ConfigurationError, DecryptionError, ProviderUnavailable
from core.crypto.naming import account_key_name, association_key_name
from core.crypto.providers.local import LocalKeyProvider, load_master_key

NAME = association_key_name("alpha")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _unseal_for_test(path: Path, master_key: bytes, name: str) -> dict:
    """Open a key file the way the provider does (to prove what is inside and what is not)."""
    document = json.loads(path.read_bytes())
    nonce, sealed = base64.b64decode(document["nonce"]), base64.b64decode(document["sealed"])
    aad = b"tszh-local-keyfile/1\x00" + name.encode()
    return json.loads(AESGCM(master_key).decrypt(nonce, sealed, aad))


def test_store_and_key_files_are_owner_only(local_provider: LocalKeyProvider) -> None:
    os.chmod(local_provider.directory, 0o755)
    provider = LocalKeyProvider(local_provider.directory, secrets.token_bytes(32))
    assert _mode(provider.directory) == 0o700  # tightened on start
    local_provider.create_key(NAME)
    local_provider.rotate_key(NAME)  # rewritten through a temporary file
    key_file = local_provider.directory / f"{NAME}.key"
    assert _mode(key_file) == 0o600
    assert all(_mode(p) == 0o600 for p in local_provider.directory.iterdir())
    assert not [p for p in local_provider.directory.iterdir() if p.name.startswith(".tmp-")]


def test_key_file_holds_only_sealed_keys(
    local_provider: LocalKeyProvider, master_key: bytes
) -> None:
    local_provider.create_key(NAME)
    local_provider.rotate_key(NAME)
    key_file = local_provider.directory / f"{NAME}.key"
    raw = key_file.read_bytes()
    content = _unseal_for_test(key_file, master_key, NAME)
    assert content["latest"] == 2
    for encoded in content["keks"].values():
        kek = base64.b64decode(encoded)
        assert len(kek) == 32
        assert encoded.encode() not in raw
        assert kek not in raw
        assert kek.hex().encode() not in raw
    with pytest.raises(Exception):  # noqa: B017 - any failure: the file is useless without it
        _unseal_for_test(key_file, secrets.token_bytes(32), NAME)


def test_another_master_key_cannot_use_the_store(
    local_provider: LocalKeyProvider, key_dir: Path
) -> None:
    local_provider.create_key(NAME)
    data_key = local_provider.generate_data_key(NAME)
    intruder = LocalKeyProvider(key_dir, secrets.token_bytes(32))
    with pytest.raises(ProviderUnavailable):
        intruder.unwrap(NAME, data_key.wrapped)
    with pytest.raises(ProviderUnavailable):
        intruder.create_key(account_key_name("alpha", "7d1f6a0e-2b4c-4d7e-9f10-1a2b3c4d5e6f"))
    (key_dir / ".master-check").unlink()  # even without its canary, the store does not open
    with pytest.raises(ProviderUnavailable):
        LocalKeyProvider(key_dir, secrets.token_bytes(32)).unwrap(NAME, data_key.wrapped)


def test_a_key_file_cannot_be_moved_to_another_name(local_provider: LocalKeyProvider) -> None:
    other = association_key_name("beta")
    local_provider.create_key(NAME)
    local_provider.create_key(other)
    data_key = local_provider.generate_data_key(NAME)
    directory = local_provider.directory
    (directory / f"{other}.key").write_bytes((directory / f"{NAME}.key").read_bytes())
    with pytest.raises(DecryptionError):
        local_provider.unwrap(other, data_key.wrapped)


def test_destroy_removes_the_file(local_provider: LocalKeyProvider) -> None:
    local_provider.create_key(NAME)
    key_file = local_provider.directory / f"{NAME}.key"
    assert key_file.exists()
    local_provider.destroy_key(NAME)
    assert not key_file.exists()
    assert local_provider.list_keys() == []


def test_concurrent_creates_make_one_key(local_provider: LocalKeyProvider) -> None:
    barrier = threading.Barrier(8)
    wrapped: list[str] = []

    def create() -> None:
        barrier.wait()
        local_provider.create_key(NAME)
        wrapped.append(local_provider.generate_data_key(NAME).wrapped)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wrapped) == 8
    for item in wrapped:  # every data key unwraps with the single surviving key
        local_provider.unwrap(NAME, item)


def test_create_keys_writes_whole_key_files_and_syncs_them(
    local_provider: LocalKeyProvider, key_dir: Path, master_key: bytes
) -> None:
    names = [account_key_name("alpha", uuid.uuid4()) for _ in range(30)]
    local_provider.key_exists(NAME)  # the store's canary made beforehand
    directory = str(key_dir.resolve())
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    with mock.patch("core.crypto.providers.local.os.fsync", side_effect=fsync):
        local_provider.create_keys(names)

    assert sorted(path.name for path in key_dir.iterdir() if path.name.startswith(".tmp")) == []
    assert len([path for path in synced if ".tmp-" in path]) == len(names), "every file synced"
    assert synced[-1] == directory, "the directory synced last, once"
    assert synced.count(directory) == 1
    reopened = LocalKeyProvider(key_dir, master_key)  # what another process reads
    for name in names:
        data_key = reopened.generate_data_key(name)
        assert local_provider.unwrap(name, data_key.wrapped) == data_key.plaintext


def test_master_key_from_environment() -> None:
    key = secrets.token_bytes(32)
    env = {"TSZH_MASTER_KEY": base64.b64encode(key).decode()}
    assert load_master_key(env, path=None) == key


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_bad_master_key_in_environment_is_refused_without_echo(value: str) -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        load_master_key({"TSZH_MASTER_KEY": value}, path=None)
    assert value not in str(excinfo.value)


def test_master_key_file_is_created_once_with_0600(tmp_path: Path) -> None:
    path = tmp_path / "var" / "master.key"
    first = load_master_key({}, path)
    assert len(first) == 32
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert load_master_key({}, path) == first


def test_master_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    load_master_key({}, path)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigurationError):
        load_master_key({}, path)


def test_missing_master_key_file_without_create(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        load_master_key({}, tmp_path / "absent.key", create=False)


def test_repr_hides_the_master_key(local_provider: LocalKeyProvider, master_key: bytes) -> None:
    shown = repr(local_provider)
    assert master_key.hex() not in shown
    assert base64.b64encode(master_key).decode() not in shown
