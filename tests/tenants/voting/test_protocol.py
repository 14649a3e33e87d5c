"""The protocol (266/пр shape) and the printable decision forms as PDFs: what they say, in
Russian, with exact figures; names only in the board's version."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenants.voting import protocol, services
from tenants.voting.rules import MeetingForm, Threshold
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import T0, draft, end_now, line_of, live, owned, use_kind

pypdf = pytest.importorskip("pypdf")


def text_of(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def owners_meeting(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    chairman = UserFactory(roles=["chairman", "owner"])
    building = BuildingFactory(address="г. Москва, ул. Садовая, д. 12")
    _, (a,) = owned(building, "60.00")
    _, (b,) = owned(building, "40.00")
    meeting = live(
        actor=chairman,
        building=building,
        form=MeetingForm.ABSENTEE,
        questions=(
            ("Утвердить план текущего ремонта", Threshold.MAJORITY_PRESENT),
            ("Капитальный ремонт кровли", Threshold.TWO_THIRDS_ALL),
        ),
    )
    q1, q2 = meeting.questions.order_by("number")
    services.enter_paper(
        actor=chairman,
        voter=line_of(meeting, a),
        choices={q1.pk: "for", q2.pk: "for"},
        scan_upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4\nsigned\n"),
    )
    return chairman, meeting, a, b


def test_the_protocol_states_the_quorum_the_votes_and_the_decisions(owners_meeting):
    chairman, meeting, a, b = owners_meeting
    services.close_meeting(end_now(meeting), actor=chairman)
    meeting.refresh_from_db()
    text = text_of(protocol.protocol_pdf(meeting, with_participants=True))
    assert f"Протокол № {meeting.number}" in text
    assert "ул. Садовая, д. 12" in text
    assert "Всего голосов: 100" in text
    assert "60 (60,00 % от общего числа голосов)" in text
    assert "Кворум есть" in text
    assert "решение принято" in text  # 60 of 60 taking part
    assert "решение не принято" in text  # 60 < 2/3 of 100
    assert "Петрова Мария Ивановна" in text  # attachment 1: who took part
    assert meeting.final_hash in text.replace(" ", "")
    members = text_of(protocol.protocol_pdf(meeting, with_participants=False))
    assert "Петрова" not in members


def test_decision_forms_one_page_per_line_with_the_title_document(owners_meeting):
    chairman, meeting, a, b = owners_meeting
    data = protocol.decision_forms_pdf(meeting)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    first = " ".join((reader.pages[0].extract_text() or "").split())
    assert "Решение по вопросам, поставленным на голосование" in first
    assert "Петрова Мария Ивановна" in first
    assert "Капитальный ремонт кровли" in first


def test_forms_go_out_with_the_notice_before_the_register_is_frozen(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    building = BuildingFactory()
    owned(building, "60.00")
    meeting = draft(building=building)
    services.publish_notice(meeting, actor=None, now=T0)
    assert not meeting.voters.exists()
    assert len(protocol.form_pages(meeting)) == 1


def test_members_download_the_protocol_once_closed(owners_meeting, client_of, alpha, make_user):
    chairman, meeting, a, b = owners_meeting
    member = make_user(alpha, roles=["owner"])
    url = reverse("voting:protocol", args=[meeting.pk])
    assert client_of(alpha, member).get(url).status_code == 404
    board = client_of(alpha, chairman).get(url)
    assert board.status_code == 200 and board["Content-Type"] == "application/pdf"
    services.close_meeting(end_now(meeting), actor=chairman)
    answer = client_of(alpha, member).get(url)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")


def test_the_bundle_for_gis_zhkh(owners_meeting, client_of, alpha):
    import csv
    import zipfile

    chairman, meeting, a, b = owners_meeting
    url = reverse("voting:bundle", args=[meeting.pk])
    board = client_of(alpha, chairman)
    assert board.get(url).status_code == 404  # not closed yet
    services.close_meeting(end_now(meeting), actor=chairman)
    answer = board.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(bundle.namelist())
    assert {"README.txt", "protocol.pdf", "register.csv", "chain.csv"} <= names
    assert [n for n in names if n.startswith("decisions/")] == ["decisions/00001.pdf"]
    assert bundle.read("decisions/00001.pdf") == b"%PDF-1.4\nsigned\n"
    register = list(
        csv.reader(io.StringIO(bundle.read("register.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert register[1][1] == "Петрова Мария Ивановна" and register[1][5] == "да"
    assert register[2][5] == "нет"
    meeting.refresh_from_db()
    assert meeting.final_hash in bundle.read("chain.csv").decode("utf-8-sig")
