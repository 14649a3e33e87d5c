"""The demo association's profile: contacts, the board, two recipients and a logo."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from tenants.profile import validators

BIC = "044525225"
CORR = "30101810400000000225"


def account_for(bic: str, base: str) -> str:
    """``base`` (20 digits) with the control key (9th digit) that matches ``bic``."""
    for key in "0123456789":
        account = base[:8] + key + base[9:]
        if validators.settlement_account_ok(account, bic):
            return account
    raise ValueError("no control key fits")  # never: one digit always does


def logo_png() -> bytes:
    image = Image.new("RGBA", (128, 128), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(14, 62), (64, 16), (114, 62)], fill=(28, 94, 160, 255))
    draw.rectangle([28, 62, 100, 112], fill=(28, 94, 160, 255))
    draw.rectangle([56, 80, 72, 112], fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_demo() -> str:
    from tenants.profile import services
    from tenants.profile.models import PaymentRecipient

    if PaymentRecipient.objects.exists():
        return ""
    services.update_contacts(
        actor=None,
        kpp="770101001",
        legal_address="125009, г. Москва, ул. Демонстрационная, д. 1",
        phone="+7 (495) 000-00-00",
        email="board@demo.tszh.local",
        office_hours="Вторник и четверг, 18:00–20:00",
        board=["Председатель правления — Козлов П. И.", "Член правления — Смирнова А. В."],
    )
    services.save_recipient(
        actor=None,
        title="Расчётный счёт",
        recipient_name="ТСЖ «Демо»",
        account=account_for(BIC, "40703810000000001234"),
        bank_name="ПАО Сбербанк",
        bic=BIC,
        corr_account=CORR,
        is_main=True,
    )
    services.save_recipient(
        actor=None,
        title="Капитальный ремонт (специальный счёт)",
        recipient_name="ТСЖ «Демо»",
        account=account_for(BIC, "40705810000000005678"),
        bank_name="ПАО Сбербанк",
        bic=BIC,
        corr_account=CORR,
    )
    services.set_logo(SimpleUploadedFile("logo.png", logo_png()), actor=None)
    return "Demo profile: contacts, two payment recipients, logo"
