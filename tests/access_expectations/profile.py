"""Expectations of the association's profile (the chairman's settings; the board reads) and of
the private files' download."""

from __future__ import annotations

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    TENANT_ACTORS,
    TENANT_URLCONF,
    signed_in,
)


def answers(**by_role):
    result = dict.fromkeys(TENANT_ACTORS, FORBIDDEN)
    result["anonymous"] = result["other_association"] = LOGIN
    result.update(by_role)
    return result


def board_reads(answer=OK):
    return answers(**{Role.CHAIRMAN.value: answer, Role.BOARD_MEMBER.value: answer})


def chairman_only(answer=OK):
    return answers(**{Role.CHAIRMAN.value: answer})


def recipient_kwargs(_association) -> dict:
    from tenants.profile import services
    from tests.tenants.profile.test_validators import with_key

    recipient = services.save_recipient(
        actor=None,
        title="Расчётный счёт",
        recipient_name="ТСЖ",
        account=with_key("044525225", "40703810000000012345"),
        bank_name="Банк",
        bic="044525225",
        corr_account="30101810400000000225",
    )
    return {"pk": recipient.pk}


def logo_file_kwargs(_association) -> dict:
    """The association's logo, uploaded by someone else: every member may see it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.files import services
    from tenants.profile.purposes import LOGO
    from tests.tenants.files.images import png

    stored = services.store(SimpleUploadedFile("logo.png", png()), purpose=LOGO, actor=None)
    return {"pk": stored.pk}


EXPECTATIONS: dict[tuple[str, str], tuple[object, dict]] = {
    (TENANT_URLCONF, "profile:index"): ({}, board_reads()),
    (TENANT_URLCONF, "profile:legal"): ({}, chairman_only()),
    (TENANT_URLCONF, "profile:contacts"): ({}, chairman_only()),
    (TENANT_URLCONF, "profile:recipient-create"): ({}, chairman_only()),
    (TENANT_URLCONF, "profile:recipient-edit"): (recipient_kwargs, chairman_only()),
    # POST only: the chairman gets 405 for a GET; everyone else is stopped before that.
    (TENANT_URLCONF, "profile:recipient-delete"): (recipient_kwargs, chairman_only(NOT_ALLOWED)),
    (TENANT_URLCONF, "profile:settings"): ({}, chairman_only()),
    (TENANT_URLCONF, "profile:logo"): ({}, chairman_only()),
    (TENANT_URLCONF, "profile:logo-remove"): ({}, chairman_only(NOT_ALLOWED)),
    # A file is readable by its purpose's readers (the logo: every member); others get 404
    # (tests/tenants/files cover that), strangers the login page.
    (TENANT_URLCONF, "files:download"): (logo_file_kwargs, signed_in(OK)),
}
