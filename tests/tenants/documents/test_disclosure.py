"""The ЖК РФ ст. 143.1 page and the register of members in the form owners may read."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tenants.documents import selectors
from tenants.documents.sections import DISCLOSURE, ReaderGroup, Section
from tests.tenants.documents.support import publish

pytestmark = pytest.mark.django_db

URL = reverse("documents:disclosure")


def items_of(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-item="(\d+)"', html)]


def titles_in(html: str) -> set[str]:
    return set(re.findall(r'class="doc-title" href="[^"]+">([^<]+)</a>', html))


def test_the_list_has_the_nine_items_of_the_article():
    assert [item.number for item in DISCLOSURE] == list(range(1, 10))
    assert {item.generated for item in DISCLOSURE} == {"", "register"}


def test_a_non_member_owner_sees_exactly_the_list(people):
    # Published to every owner: on the list. To members or the board only: not for this owner.
    # Outside the article's sections (a contract, a plan): never on this page.
    publish(actor=people.chairman, section=Section.CHARTER, title="Устав ТСЖ")
    publish(
        actor=people.chairman,
        section=Section.GENERAL_MEETING,
        title="Протокол собрания № 1",
        readers=ReaderGroup.EVERYONE,
    )
    publish(
        actor=people.chairman,
        section=Section.BOARD_MEETING,
        title="Протокол правления № 7",
        readers=ReaderGroup.MEMBERS,
    )
    publish(
        actor=people.chairman,
        section=Section.ESTIMATE,
        title="Проект сметы",
        readers=ReaderGroup.BOARD,
    )
    publish(actor=people.chairman, section=Section.CONTRACT, title="Договор на уборку")
    publish(actor=people.chairman, section=Section.PLAN, title="План работ")
    response = people.owner_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert items_of(html) == list(range(1, 10))
    assert titles_in(html) == {"Устав ТСЖ", "Протокол собрания № 1"}
    # The register of members is there, made from the registry.
    assert reverse("documents:register") in html and reverse("documents:register-pdf") in html
    # An owner is told what is not published; "missing" and uploads are the board's.
    assert "disclosure-missing" not in html
    assert reverse("documents:new") not in html
    # The API gives the same list.
    api = people.owner_client.get(reverse("documents:api-disclosure")).json()
    assert [item["number"] for item in api] == list(range(1, 10))
    listed = {d["title"] for item in api for part in item["parts"] for d in part["documents"]}
    assert listed == {"Устав ТСЖ", "Протокол собрания № 1"}


def test_the_board_sees_what_is_missing_with_an_upload_link(people):
    publish(actor=people.chairman, section=Section.CHARTER, title="Устав ТСЖ")
    publish(
        actor=people.chairman,
        section=Section.REGISTRATION,
        title="Лист записи ЕГРЮЛ",
        readers=ReaderGroup.BOARD,
    )
    html = people.chairman_client.get(URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert items_of(html) == list(range(1, 10))
    # Item 1: the charter is there, the registration is published to the board only: missing.
    item_1 = html.split('data-item="1"')[1].split('data-item="2"')[0]
    assert "Устав ТСЖ" in item_1
    registration = item_1.split('data-section="registration"')[1]
    assert "Отсутствует" in registration
    assert f"{reverse('documents:new')}?section=registration" in registration
    assert "1 документ опубликован для более узкой группы" in registration
    entries = {entry.item.number: entry for entry in selectors.disclosure()}
    assert not entries[2].missing  # the register is made by the portal
    assert entries[1].missing and entries[3].missing and entries[8].missing
    assert not entries[5].missing and not entries[7].missing and not entries[9].missing
    # An optional part (auditors' conclusions) is never "missing".
    auditor = next(p for p in entries[3].parts if p.section == Section.AUDITOR)
    assert not auditor.missing


def test_the_list_reads_in_a_constant_number_of_queries(people):
    from tests.query_counts import counts_at, query_count

    sections = [Section.CHARTER, Section.ACCOUNTS, Section.GENERAL_MEETING, Section.TECHNICAL]

    def grow_to(size):
        from tenants.documents.models import Document

        for n in range(Document.objects.count(), size):
            publish(actor=people.chairman, section=sections[n % 4], title=f"Документ {n}")

    found = counts_at((1, 12), grow_to, lambda: query_count(people.owner_client, URL))
    assert found[1] == found[12]


def test_the_register_shows_names_and_shares_without_contacts(people):
    response = people.owner_client.get(reverse("documents:register"))
    html = response.content.decode()
    assert "Соколова Анна Петровна" in html  # the member
    assert "Иванов Пётр Сергеевич" not in html  # an owner who is not a member
    assert "anna@example.test" not in html and "9001234567" not in html
    assert html.count("data-member") == 1


def test_the_register_as_a_pdf_opens_in_the_browser(people):
    response = people.owner_client.get(reverse("documents:register-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF-")


def test_residents_have_no_143_1_page(people):
    assert people.resident_client.get(URL).status_code == 403
    assert people.resident_client.get(reverse("documents:register")).status_code == 403
