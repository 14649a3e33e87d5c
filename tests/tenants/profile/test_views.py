"""The profile's pages: refusals beside the fields with nothing changed, the logo's limits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.access.roles import Role
from tenants.files.models import StoredFile
from tenants.profile.models import PaymentRecipient, Profile
from tests.tenants.files.images import png
from tests.tenants.profile.test_validators import with_key

BIC = "044525225"
ACCOUNT = with_key(BIC, "40703810000000012345")


@pytest.fixture
def chairman_client(in_alpha, make_user, alpha, client_of):
    return client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))


def test_wrong_control_key_is_shown_beside_the_account(chairman_client):
    wrong = ACCOUNT[:8] + str((int(ACCOUNT[8]) + 1) % 10) + ACCOUNT[9:]
    response = chairman_client.post(
        reverse("profile:recipient-create"),
        {
            "title": "Расчётный счёт",
            "recipient_name": "ТСЖ",
            "account": wrong,
            "bank_name": "Сбербанк",
            "bic": BIC,
            "corr_account": "30101810400000000225",
        },
    )
    assert response.status_code == 400
    assert "контрольный ключ" in response.content.decode()
    assert response.context["form"].errors["account"]
    assert not PaymentRecipient.objects.exists()


def test_kpp_of_the_wrong_length_is_shown_beside_it(chairman_client):
    response = chairman_client.post(reverse("profile:contacts"), {"kpp": "12345678"})
    assert response.status_code == 400
    assert "КПП состоит из 9 знаков" in response.content.decode()
    assert not Profile.objects.exists()


def test_legal_details_refusal_changes_nothing(chairman_client, alpha):
    from associations.models import Association

    response = chairman_client.post(
        reverse("profile:legal"),
        {
            "name": "Новое имя",
            "kind": "tszh",
            "inn": "7707083890",
            "ogrn": "",
            "time_zone": "Europe/Moscow",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["inn"]
    assert Association.objects.get(pk=alpha.pk).name == alpha.name


def test_board_member_reads_but_does_not_edit(in_alpha, make_user, alpha, client_of):
    client = client_of(alpha, make_user(alpha, roles=[Role.BOARD_MEMBER]))
    page = client.get(reverse("profile:index"))
    assert page.status_code == 200
    assert reverse("profile:legal") not in page.content.decode()
    assert client.post(reverse("profile:contacts"), {"kpp": "770101001"}).status_code == 403


def test_logo_upload_and_header(chairman_client):
    response = chairman_client.post(
        reverse("profile:logo"), {"logo": SimpleUploadedFile("logo.png", png())}
    )
    assert response.status_code == 302
    stored = StoredFile.objects.get()
    page = chairman_client.get(reverse("profile:index"))
    url = reverse("files:download", kwargs={"pk": stored.pk})
    assert f'class="brand-logo" src="{url}"' in page.content.decode()
    image = chairman_client.get(url)
    assert image["Content-Disposition"] == 'inline; filename="logo.png"'
    assert "sandbox" in image["Content-Security-Policy"]


def test_oversized_logo_is_refused_before_it_is_read(chairman_client):
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024))
    response = chairman_client.post(reverse("profile:logo"), {"logo": big})
    assert response.status_code == 413
    assert "не более 2 МБ" in response.content.decode()
    assert not StoredFile.objects.exists()


def test_wrong_type_of_logo_is_shown_beside_the_field(chairman_client):
    response = chairman_client.post(
        reverse("profile:logo"), {"logo": SimpleUploadedFile("logo.svg", b"<svg/>")}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["logo"]
    assert not StoredFile.objects.exists()
