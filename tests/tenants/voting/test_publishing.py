"""Publishing the protocol with the results through the documents (ЖК РФ ст. 46 ч. 3,
ст. 143.1): one click by the board once the meeting closed, refused twice or with an open
joint owners' conflict; members and owners read it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.audit.models import AuditEntry
from tenants.documents import selectors as documents
from tenants.documents.sections import ReaderGroup, Section
from tenants.voting import services
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises
from tests.tenants.voting.support import AFTER, DURING, line_of, owned, use_kind, voting

PDF = b"%PDF-1.4\nsigned decision\n"


@pytest.fixture
def closed(monkeypatch, in_alpha, alpha, make_user):
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman", "owner"])
    owner = make_user(alpha, roles=["owner"])
    resident = make_user(alpha, roles=["resident"])
    building = BuildingFactory()
    _, (mine,) = owned(building, "70.00", users={0: owner})
    owned(building, "30.00")
    meeting = voting(actor=chairman, building=building)
    services.enter_paper(
        actor=chairman,
        voter=line_of(meeting, mine),
        choices={meeting.questions.get().pk: "for"},
        scan_upload=SimpleUploadedFile("d.pdf", PDF),
        now=DURING,
    )
    return meeting, chairman, owner, resident


def test_the_board_publishes_the_protocol_for_members_and_owners(closed):
    meeting, chairman, owner, resident = closed
    with pytest.raises(ValidationError, match="once the voting has closed"):
        services.publish_results(meeting, actor=chairman)
    meeting = services.close_meeting(meeting, actor=chairman, now=AFTER)
    assert services.results_due(meeting) == AFTER.date() + datetime.timedelta(days=10)
    document = services.publish_results(meeting, actor=chairman)
    meeting.refresh_from_db()
    assert meeting.results_document_id == document.pk
    assert (document.section, document.readers) == (Section.GENERAL_MEETING, ReaderGroup.OWNERS)
    assert document.title.startswith(f"Протокол № {meeting.number}")
    assert meeting.final_hash in document.description
    assert document.current.file.size > 1000  # the protocol's PDF
    assert document in documents.documents_visible_to(owner)
    assert document not in documents.documents_visible_to(resident)
    assert AuditEntry.objects.filter(action="voting.results_published").count() == 1
    with pytest.raises(ValidationError, match="already published"):
        services.publish_results(meeting, actor=chairman)


def test_an_open_joint_conflict_holds_the_publication(monkeypatch, in_alpha, alpha, make_user):
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman", "owner"])
    building = BuildingFactory()
    flat = make_premises(building, area="50.00")
    husband = make_owner(flat, name="Муж", joint=True)
    make_owner(flat, name="Жена", joint=True)
    meeting = voting(actor=chairman, building=building)
    line = line_of(meeting, husband)
    question = meeting.questions.get()
    first = None
    for choice in ("for", "against"):
        entry = services.enter_paper(
            actor=chairman,
            voter=line,
            choices={question.pk: choice},
            scan_upload=SimpleUploadedFile("d.pdf", PDF),
            now=DURING,
        )
        first = first or entry
    meeting = services.close_meeting(meeting, actor=chairman, now=AFTER)
    with pytest.raises(ValidationError, match="different decisions for 1 premises"):
        services.publish_results(meeting, actor=chairman)
    assert meeting.results_document_id is None
    services.resolve_joint_conflict(meeting, actor=chairman, voter=line, entry_id=first.pk)
    services.publish_results(meeting, actor=chairman)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="can no longer change"):
        services.resolve_joint_conflict(meeting, actor=chairman, voter=line, entry_id=first.pk)


def test_the_button_on_the_meeting_page(closed, client_of, alpha):
    meeting, chairman, owner, _resident = closed
    meeting = services.close_meeting(meeting, actor=chairman, now=AFTER)
    board = client_of(alpha, chairman)
    board.cookies["django_language"] = "en"
    page = board.get(f"/voting/{meeting.pk}/").content.decode()
    assert f"/voting/{meeting.pk}/publish-results/" in page
    assert "The deadline has passed." in page  # closed in January 2026, long ago
    member = client_of(alpha, owner)
    assert member.post(f"/voting/{meeting.pk}/publish-results/").status_code == 403
    assert board.post(f"/voting/{meeting.pk}/publish-results/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.results_document_id is not None
    member.cookies["django_language"] = "en"
    assert (
        f"/documents/{meeting.results_document_id}/"
        in member.get(f"/voting/{meeting.pk}/").content.decode()
    )


def test_members_read_each_premises_decision_after_the_results(closed, client_of, alpha):
    meeting, chairman, owner, resident = closed
    url = f"/voting/{meeting.pk}/decisions/"
    member = client_of(alpha, owner)
    member.cookies["django_language"] = "en"
    assert member.get(url).status_code == 404  # not before the meeting closed
    services.close_meeting(meeting, actor=chairman, now=AFTER)
    page = member.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="card vote-decision"') == 1  # only the line that took part
    assert "For" in text and "70" in text
    assert "Петрова" not in text  # no owner's name
    assert client_of(alpha, resident).get(url).status_code == 403
