"""The receipt-ready letter over real SMTP (aiosmtpd on loopback): a link, or the receipt's PDF
attached, as each member chose; the PDF made at delivery for its reader."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from core.access.roles import Role
from tenants.ledger.receipts import qr, services
from tenants.notifications import services as notifications
from tenants.notifications.models import Message, Preference
from tenants.residents.models import Residency
from tests.smtp_sink import Inbox, smtp_server, smtp_settings
from tests.tenants.ledger.receipts.test_receipts import FEB, JAN, worked_account
from tests.tenants.ledger.receipts.test_receipts import _fixed_day as _fixed_day  # noqa: F401
from tests.tenants.ledger.receipts.test_receipts import ledger as ledger  # noqa: F401
from tests.tenants.ledger.receipts.tools import decode_qr_codes
from tests.tenants.residents.factories import make_owner

KIND = "ledger.receipt_ready"


def deliver() -> list:
    inbox = Inbox()
    controller = smtp_server(inbox)
    try:
        with smtp_settings(controller):
            run = notifications.deliver_pending()
    finally:
        controller.stop()
    assert run.failed == 0 and run.retried == 0
    return inbox.messages


def letter_to(letters, address):
    return next(letter for to, letter in letters if to == [address])


def pdfs_of(letter) -> list:
    return [part for part in letter.iter_attachments()]


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_is_attached_for_those_who_chose_it_and_linked_for_the_rest(
    ledger, make_user, alpha
):
    attacher = make_user(alpha, roles=[Role.OWNER], email="attach@example.test", language="ru")
    linker = make_user(alpha, roles=[Role.OWNER], email="link@example.test", language="ru")
    resident = make_user(alpha, roles=[Role.RESIDENT], email="resident@example.test")
    premises, account = worked_account(ledger)
    make_owner(premises, user=attacher, name="Петрова Мария Ивановна")
    Residency.objects.create(premises=premises, user=resident, started_on=JAN)
    other_premises, other = worked_account(ledger)
    make_owner(other_premises, user=linker, name="Сидоров Пётр Петрович")
    for person in (attacher, resident):
        assert notifications.set_attachment(actor=person, user=person, kind=KIND, attach=True)

    assert services.notify_ready(period=FEB) == 3
    message = Message.objects.filter(kind=KIND, attachment__startswith=str(account.pk)).get()
    assert message.attachment == f"{account.pk}/2025-02"  # ids only, no document stored
    letters = deliver()
    assert len(letters) == 3

    attached = letter_to(letters, "attach@example.test")
    (part,) = pdfs_of(attached)
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == f"receipt-{account.number}-2025-02.pdf"
    pdf = part.get_content()
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert account.number in text and "Петрова Мария Ивановна" in text
    assert other.number not in text
    codes = [qr.parse(code) for code in decode_qr_codes(pdf)]
    assert {code["PersAcc"] for code in codes} == {account.number}
    assert {code["Sum"] for code in codes} == {"49874", "20000"}
    body = attached.get_body(preferencelist=("plain",)).get_content()
    assert f"receipt-{account.number}-2025-02.pdf" in body
    assert f"/receipts/{account.pk}/2025-02/" in body

    # A resident chose it too: their PDF does not carry the owner's name.
    (part,) = pdfs_of(letter_to(letters, "resident@example.test"))
    text = text_of(part.get_content())
    assert account.number in text and "Петрова" not in text

    # The default is the link, and no attachment.
    linked = letter_to(letters, "link@example.test")
    assert pdfs_of(linked) == []
    assert (
        f"/receipts/{other.pk}/2025-02/" in linked.get_body(preferencelist=("plain",)).get_content()
    )


def test_a_reader_who_may_no_longer_see_the_receipt_gets_the_link_only(ledger, make_user, alpha):
    resident = make_user(alpha, roles=[Role.RESIDENT], email="moved@example.test")
    premises, account = worked_account(ledger)
    make_owner(premises)
    stay = Residency.objects.create(premises=premises, user=resident, started_on=JAN)
    notifications.set_attachment(actor=resident, user=resident, kind=KIND, attach=True)
    assert services.notify_ready(period=FEB) == 1
    stay.ended_on = stay.started_on.replace(month=3)  # moved out before the letter went
    stay.save()
    (letter,) = [letter for _to, letter in deliver()]
    assert pdfs_of(letter) == []


def test_the_choice_is_per_kind_and_only_for_a_kind_with_a_document(make_user, alpha, in_alpha):
    owner = make_user(alpha, roles=[Role.OWNER])
    with pytest.raises(ValidationError):
        notifications.set_attachment(
            actor=owner, user=owner, kind="notifications.announcement", attach=True
        )
    assert not notifications.set_attachment(actor=owner, user=owner, kind=KIND, attach=False)
    assert not Preference.objects.filter(user=owner).exists()  # the default needs no row
    assert notifications.set_attachment(actor=owner, user=owner, kind=KIND, attach=True)
    assert not notifications.set_attachment(actor=owner, user=owner, kind=KIND, attach=True)
    choice = Preference.objects.get(user=owner, kind=KIND)
    assert choice.attach is True and choice.enabled is True  # still on
    with pytest.raises(ValueError):
        notifications.notify(
            actor=None,
            kind="notifications.announcement",
            recipients=[owner],
            subject="x",
            attachment="anything",
        )


def test_the_settings_page_offers_link_or_attachment(make_user, alpha, client_of):
    owner = make_user(alpha, roles=[Role.OWNER], language="ru")
    client = client_of(alpha, owner)
    page = client.get("/notifications/settings/").content.decode()
    assert f'name="format_{KIND}"' in page
    assert 'name="format_notifications.announcement"' not in page
    response = client.post(
        "/notifications/settings/",
        {
            f"kind_{KIND}": "on",
            "kind_notifications.announcement": "on",
            f"format_{KIND}": "attached",
        },
    )
    assert response.status_code == 302
    assert Preference.objects.get(user=owner, kind=KIND).attach is True
    page = client.get("/notifications/settings/").content.decode()
    assert re.search(r'<input[^>]*value="attached"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="link"[^>]*checked', page)
    # A form posted without the choice (an older page) leaves it as it is.
    client.post("/notifications/settings/", {f"kind_{KIND}": "on"})
    assert Preference.objects.get(user=owner, kind=KIND).attach is True
    client.post("/notifications/settings/", {f"kind_{KIND}": "on", f"format_{KIND}": "link"})
    assert Preference.objects.get(user=owner, kind=KIND).attach is False
