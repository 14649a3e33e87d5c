"""Key rotation: every data key re-wrapped, every row re-encrypted, resumable after a crash."""

from __future__ import annotations

import datetime

import pytest

from core.crypto import registry, rotation
from core.crypto.models import KeyPurpose, RotationRun, WrappedDataKey
from core.crypto.providers.base import wrapped_version
from tenants.residents.models import Holding
from tenants.residents.services import open_account

pytestmark = pytest.mark.django_db


def seed(count: int) -> list[str]:
    names = [f"Владелец {n}" for n in range(count)]
    for n, name in enumerate(names):
        open_account(
            number=f"R{n:03d}", holder={"full_name": name}, started_on=datetime.date(2024, 1, 1)
        )
    return names


def readable_names() -> list[str]:
    registry.get_key_cache().clear()
    return sorted(h.full_name for h in Holding.objects.all())


def test_provider_key_rotation_rewraps_every_data_key(in_alpha):
    names = seed(5)
    provider = registry.get_provider()
    before = {row.id: wrapped_version(row.wrapped) for row in WrappedDataKey.objects.all()}
    run = rotation.rotate_provider_keys()
    assert run.finished_at is not None and run.done == len(before)
    for row in WrappedDataKey.objects.all():
        assert wrapped_version(row.wrapped) == before[row.id] + 1
        assert wrapped_version(row.wrapped) == provider.latest_version(row.key_name)
    assert readable_names() == sorted(names)


def test_an_interrupted_rewrap_resumes_and_finishes(in_alpha, monkeypatch):
    names = seed(6)
    provider = registry.get_provider()
    real_rewrap = provider.rewrap
    calls = {"n": 0}

    def crash_after_three(name, wrapped):
        calls["n"] += 1
        if calls["n"] > 3:
            raise RuntimeError("worker killed")
        return real_rewrap(name, wrapped)

    monkeypatch.setattr(provider, "rewrap", crash_after_three)
    with pytest.raises(RuntimeError):
        rotation.rotate_provider_keys()
    monkeypatch.setattr(provider, "rewrap", real_rewrap)
    assert readable_names() == sorted(names)  # half-way, everything still reads
    run = rotation.rotate_provider_keys()
    assert RotationRun.objects.filter(kind=RotationRun.Kind.PROVIDER_KEYS).count() == 1
    assert run.finished_at is not None
    for row in WrappedDataKey.objects.all():
        assert wrapped_version(row.wrapped) == provider.latest_version(row.key_name)
    assert readable_names() == sorted(names)


def test_reencryption_moves_every_row_to_a_fresh_data_key(in_alpha):
    names = seed(4)
    old = set(WrappedDataKey.objects.filter(purpose=KeyPurpose.DATA).values_list("id", flat=True))
    tokens_before = {h.pk: h.__dict__["full_name"].token for h in Holding.objects.all()}
    run = rotation.reencrypt_rows()
    assert run.done == 4
    new = set(WrappedDataKey.objects.filter(purpose=KeyPurpose.DATA).values_list("id", flat=True))
    assert not (old & new)  # the retired keys are gone
    for holding in Holding.objects.all():
        assert holding.__dict__["full_name"].token != tokens_before[holding.pk]
    assert readable_names() == sorted(names)


def test_an_interrupted_reencryption_resumes(in_alpha, monkeypatch):
    names = seed(5)
    monkeypatch.setattr(rotation, "BATCH", 2)
    real = rotation._reseal
    calls = {"n": 0}

    def crash_on_the_third(instance, fields):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        real(instance, fields)

    monkeypatch.setattr(rotation, "_reseal", crash_on_the_third)
    with pytest.raises(RuntimeError):
        rotation.reencrypt_rows()
    monkeypatch.setattr(rotation, "_reseal", real)
    assert readable_names() == sorted(names)
    run = rotation.reencrypt_rows()
    assert run.finished_at is not None
    assert run.done == 3  # the two of the first batch had moved already
    assert readable_names() == sorted(names)
    assert not WrappedDataKey.objects.filter(purpose=KeyPurpose.DATA, active=False).exists()
