"""The profile's services: what they change, what they refuse (nothing changed), what they audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.files.models import StoredFile
from tenants.profile import rules, selectors, services
from tenants.profile.models import OperationalSettings, PaymentRecipient, Profile
from tests.tenants.files.images import jpeg_with_location, png
from tests.tenants.profile.test_validators import with_key


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the msgids); the pages' tests read them in Russian."""
    with translation.override("en"):
        yield


BIC = "044525225"
CORR = "30101810400000000225"
ACCOUNT = with_key(BIC, "40703810000000012345")


def bank(**overrides):
    values = {
        "title": "Расчётный счёт",
        "recipient_name": "ТСЖ «Альфа»",
        "account": ACCOUNT,
        "bank_name": "ПАО Сбербанк",
        "bic": BIC,
        "corr_account": CORR,
    }
    return {**values, **overrides}


@pytest.fixture
def chairman(in_alpha, make_user, alpha):
    return make_user(alpha, roles=[Role.CHAIRMAN])


def audit_entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_recipient_is_saved_encrypted_and_audited_without_values(chairman):
    recipient = services.save_recipient(
        actor=chairman, **bank(account=ACCOUNT[:5] + " " + ACCOUNT[5:])
    )
    assert recipient.is_main  # the first one
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account, bic, recipient_name FROM profile_paymentrecipient WHERE id = %s",
            [recipient.pk],
        )
        row = cursor.fetchone()
    assert all(value.startswith("e1.") for value in row)
    assert ACCOUNT not in str(row) and BIC not in str(row)
    fresh = PaymentRecipient.objects.get(pk=recipient.pk)
    assert (fresh.account, fresh.bic, fresh.corr_account) == (ACCOUNT, BIC, CORR)
    [entry] = audit_entries("profile.recipient_added")
    assert ACCOUNT not in str(entry.details) and entry.actor_id == chairman.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"account": ACCOUNT[:-1] + str((int(ACCOUNT[-1]) + 1) % 10)}, "account"),
        ({"bic": "04452522"}, "bic"),
        ({"corr_account": "30101810500000000225"}, "corr_account"),
        ({"recipient_name": "  "}, "recipient_name"),
    ],
)
def test_wrong_bank_details_change_nothing(chairman, overrides, field):
    services.save_recipient(actor=chairman, **bank())
    before = [(r.pk, r.account) for r in PaymentRecipient.objects.all()]
    with pytest.raises(ValidationError) as refused:
        services.save_recipient(actor=chairman, **bank(**overrides))
    assert field in refused.value.message_dict
    existing = PaymentRecipient.objects.get()
    with pytest.raises(ValidationError):
        services.save_recipient(existing, actor=chairman, **bank(**overrides))
    assert [(r.pk, r.account) for r in PaymentRecipient.objects.all()] == before
    assert len(audit_entries("profile.recipient_added")) == 1
    assert not audit_entries("profile.recipient_changed")


def test_several_recipients_one_main(chairman):
    first = services.save_recipient(actor=chairman, **bank())
    capital = services.save_recipient(
        actor=chairman,
        **bank(title="Капремонт, спецсчёт", account=with_key(BIC, "40604810000000000777")),
        is_main=True,
    )
    assert list(PaymentRecipient.objects.filter(is_main=True)) == [capital]
    assert not PaymentRecipient.objects.get(pk=first.pk).is_main
    services.delete_recipient(capital, actor=chairman)
    assert PaymentRecipient.objects.get().is_main
    assert audit_entries("profile.recipient_deleted")[0].details == {"was_main": True}


def test_contacts_and_kpp(chairman):
    changed = services.update_contacts(
        actor=chairman,
        kpp="770101001",
        legal_address="г. Москва, ул. Примерная, д. 1",
        phone="+7 (495) 123-45-67",
        email="Board@Example.test",
        office_hours="Вт 18–20",
        board=["Председатель — Иванов И. И.", "", "Член правления — Петрова А. А."],
    )
    assert set(changed) == {"kpp", "legal_address", "phone", "email", "office_hours", "board"}
    found = selectors.profile()
    assert found.board == ["Председатель — Иванов И. И.", "Член правления — Петрова А. А."]
    assert found.email == "board@example.test"
    [entry] = audit_entries("profile.contacts_changed")
    assert "Иванов" not in str(entry.details)


@pytest.mark.parametrize(("kpp", "words"), [("77010100", "9 characters"), ("77010!001", "capital")])
def test_kpp_of_the_wrong_form_changes_nothing(chairman, kpp, words):
    services.update_contacts(
        actor=chairman,
        kpp="770101001",
        legal_address="",
        phone="",
        email="",
        office_hours="",
        board=[],
    )
    with pytest.raises(ValidationError) as refused:
        services.update_contacts(
            actor=chairman,
            kpp=kpp,
            legal_address="Новый адрес",
            phone="",
            email="",
            office_hours="",
            board=[],
        )
    assert words in refused.value.message_dict["kpp"][0]
    assert Profile.objects.get().kpp == "770101001"
    assert Profile.objects.get().legal_address is None


def test_legal_details_go_through_the_platform(chairman, alpha, beta):
    from associations.models import Association

    changed = services.change_legal_details(
        actor=chairman,
        name="ТСЖ «Альфа-2»",
        kind="tszh",
        inn="7707083893",
        ogrn="1027700132195",
        time_zone="Europe/Samara",
    )
    assert set(changed) == {"name", "inn", "ogrn", "time_zone"}
    fresh = Association.objects.get(pk=alpha.pk)
    assert (fresh.name, fresh.inn, fresh.time_zone) == (
        "ТСЖ «Альфа-2»",
        "7707083893",
        "Europe/Samara",
    )
    assert audit_entries("profile.legal_details_changed")[0].details["fields"] == changed
    # The ИНН is unique across the platform.
    Association.objects.filter(pk=beta.pk).update(inn="7736050003")
    with pytest.raises(ValidationError) as refused:
        services.change_legal_details(
            actor=chairman,
            name="X",
            kind="tszh",
            inn="7736050003",
            ogrn="",
            time_zone="Europe/Moscow",
        )
    assert "already registered" in refused.value.message_dict["inn"][0]
    with pytest.raises(ValidationError) as refused:
        services.change_legal_details(
            actor=chairman,
            name="X",
            kind="tszh",
            inn="7707083890",
            ogrn="",
            time_zone="Nowhere/City",
        )
    assert set(refused.value.message_dict) == {"inn", "time_zone"}
    assert Association.objects.get(pk=alpha.pk).name == "ТСЖ «Альфа-2»"


def test_due_day_rules_are_dated():
    before = rules.due_day_rule("tszh", datetime.date(2026, 2, 28))
    after = rules.due_day_rule("tszh", datetime.date(2026, 3, 1))
    assert (before.day, before.choosable) == (10, True)
    assert (after.day, after.choosable) == (15, False)
    assert rules.due_day_rule("snt", datetime.date(2027, 1, 1)).choosable
    assert rules.due_day_rule("zhsk", datetime.date(2030, 1, 1)).day == 15


def test_operational_settings_keep_history(chairman):
    today = timezone.localdate()
    defaults = selectors.settings_in_force(today)
    assert (defaults.readings_from_day, defaults.readings_until_day) == (1, 25)
    services.set_operational_settings(
        actor=chairman, valid_from=today, readings_from_day=15, readings_until_day=23, due_day=None
    )
    later = today + datetime.timedelta(days=40)
    services.set_operational_settings(
        actor=chairman, valid_from=later, readings_from_day=20, readings_until_day=25, due_day=None
    )
    assert selectors.settings_in_force(today).readings_from_day == 15
    assert selectors.settings_in_force(later).readings_from_day == 20
    assert OperationalSettings.objects.count() == 2
    assert len(audit_entries("profile.settings_changed")) == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_from": -1}, "valid_from"),
        ({"readings_from_day": 26, "readings_until_day": 25}, "readings_until_day"),
        ({"readings_until_day": 32}, "readings_until_day"),
        ({"due_day": 20}, "due_day"),  # a housing association after 1 March 2026
    ],
)
def test_wrong_settings_change_nothing(chairman, changes, field):
    values = {
        "valid_from": timezone.localdate(),
        "readings_from_day": 1,
        "readings_until_day": 25,
        "due_day": None,
    }
    values.update(changes)
    if changes.get("valid_from") == -1:
        values["valid_from"] = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.set_operational_settings(actor=chairman, **values)
    assert field in refused.value.message_dict
    assert not OperationalSettings.objects.exists()


def test_gardening_partnership_chooses_its_due_day(in_beta, make_user, beta):
    chairman = make_user(beta, roles=[Role.CHAIRMAN])
    services.set_operational_settings(
        actor=chairman,
        valid_from=timezone.localdate(),
        readings_from_day=1,
        readings_until_day=25,
        due_day=20,
    )
    in_force = selectors.settings_in_force()
    assert in_force.due_day == 20 and in_force.due_day_chosen


def test_logo_is_stored_clean_and_replaced(chairman, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_logo(SimpleUploadedFile("logo.jpg", jpeg_with_location()), actor=chairman)
    first = Profile.objects.get().logo
    assert first.purpose == "profile.logo"
    assert selectors.logo_id() == str(first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_logo(SimpleUploadedFile("logo.png", png()), actor=chairman)
    second = Profile.objects.get().logo
    assert second.pk != first.pk
    assert list(StoredFile.objects.values_list("pk", flat=True)) == [second.pk]
    assert selectors.logo_id() == str(second.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_logo(actor=chairman)
    assert not StoredFile.objects.exists() and selectors.logo_id() == ""
    actions = (
        [e.action for e in AuditEntry.objects.order_by("at")]
        if hasattr(AuditEntry, "at")
        else [e.action for e in AuditEntry.objects.all()]
    )
    assert "profile.logo_removed" in actions


def test_a_wrong_logo_changes_nothing(chairman):
    with pytest.raises(ValidationError):
        services.set_logo(SimpleUploadedFile("logo.gif", b"GIF89a" + b"\0" * 20), actor=chairman)
    assert not StoredFile.objects.exists()
    assert not Profile.objects.filter(logo__isnull=False).exists()


def test_demo_profile(in_alpha, django_capture_on_commit_callbacks):
    from tenants.profile.declaration import declaration

    with django_capture_on_commit_callbacks(execute=True):
        assert declaration.demo()
    assert PaymentRecipient.objects.count() == 2
    assert selectors.main_recipient().title == "Расчётный счёт"
    assert selectors.logo_id()
    assert declaration.demo() == ""  # once
