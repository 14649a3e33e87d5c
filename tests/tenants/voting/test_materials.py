"""Agenda materials of other apps (``core.extensions.AgendaMaterial``): a fake app's object on
a question, accepted or refused by its app, shown on the notice, and the outcome handed to the
app once when the meeting closes (a second delivery offers nothing)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import extensions
from core.extensions import AgendaMaterial, AppDeclaration, MaterialView
from tenants.voting import services, tasks
from tenants.voting.rules import MeetingForm, MeetingKind, Threshold
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import AFTER, DURING, START, T0, draft, line_of, owned

pytestmark = pytest.mark.django_db

OBJECTS = {"7": "План ремонта"}


@pytest.fixture
def received(monkeypatch):
    """A fake app declaring "fake.plan": accepted at members' meetings only; what it got."""
    got = []
    extensions.declarations()
    fake = AppDeclaration(
        label="fake",
        agenda_materials=(
            AgendaMaterial(
                "fake.plan",
                "Plan",
                resolve=OBJECTS.get,
                describe=lambda obj: MaterialView(obj, "/plans/7/", "ab" * 32),
                can_read=lambda user, obj: True,
                accepts=lambda obj, meeting: "" if meeting.kind == "members" else "Members only",
                decided=got.append,
            ),
        ),
    )
    monkeypatch.setitem(extensions._declarations, "fake", fake)
    monkeypatch.setattr(tasks.offer_outcomes, "delay", lambda pk: tasks.offer_outcomes(pk))
    return got


@pytest.fixture
def chairman(in_alpha):
    return UserFactory(roles=["chairman", "owner"])


def test_a_kind_declared_twice_is_an_error(received, monkeypatch):
    twin = AppDeclaration(label="twin", agenda_materials=(extensions.agenda_material("fake.plan"),))
    monkeypatch.setitem(extensions._declarations, "twin", twin)
    with pytest.raises(ValueError, match="two agenda materials"):
        extensions.agenda_materials()


def test_the_app_accepts_or_refuses_and_nothing_is_written(received, chairman):
    owners = draft(actor=chairman, kind=MeetingKind.OWNERS, questions=())
    with pytest.raises(ValidationError, match="Members only"):
        services.add_question(
            owners, actor=chairman, text="План", threshold=Threshold.MAJORITY_PRESENT,
            material_kind="fake.plan", material_id="7",
        )  # fmt: skip
    members = draft(actor=chairman, kind=MeetingKind.MEMBERS, questions=())
    with pytest.raises(ValidationError, match="not found"):
        services.add_question(
            members, actor=chairman, text="План", threshold=Threshold.MAJORITY_PRESENT,
            material_kind="fake.plan", material_id="8",
        )  # fmt: skip
    assert not owners.questions.exists() and not members.questions.exists()


def test_the_outcome_is_offered_once_when_the_meeting_closes(
    received, chairman, django_capture_on_commit_callbacks, client_of, alpha
):
    building = BuildingFactory()
    _, (a,) = owned(building, "60.00", members=True)
    owned(building, "40.00", members=True)
    meeting = draft(
        actor=chairman, kind=MeetingKind.MEMBERS, form=MeetingForm.ABSENTEE, questions=()
    )
    question = services.add_question(
        meeting, actor=chairman, text="Утвердить план", threshold=Threshold.MAJORITY_PRESENT,
        material_kind="fake.plan", material_id="7",
    )  # fmt: skip
    assert question.material_digest == "ab" * 32
    page = client_of(alpha, chairman).get(f"/voting/{meeting.pk}/").content.decode()
    assert 'href="/plans/7/"' in page and "ab" * 32 in page
    services.publish_notice(meeting, actor=chairman, now=T0)
    meeting = services.open_voting(meeting, actor=chairman, now=START)
    services.enter_paper(
        actor=chairman,
        voter=line_of(meeting, a),
        choices={question.pk: "for"},
        scan_upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4\nsigned\n"),
        now=DURING,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.close_meeting(meeting, actor=chairman, now=AFTER)
    (outcome,) = received
    assert outcome.adopted and outcome.binding
    assert (outcome.kind, outcome.material_id) == ("fake.plan", "7")
    assert outcome.question_id == str(question.pk) and outcome.meeting_number == meeting.number
    assert tasks.offer_outcomes(str(meeting.pk)) == 0
    assert len(received) == 1


def test_a_meeting_without_materials_queues_nothing(
    received, chairman, django_capture_on_commit_callbacks
):
    building = BuildingFactory()
    owned(building, "60.00", members=True)
    meeting = draft(actor=chairman, kind=MeetingKind.MEMBERS)
    services.publish_notice(meeting, actor=chairman, now=T0)
    meeting = services.open_voting(meeting, actor=chairman, now=START)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.close_meeting(meeting, actor=chairman, now=AFTER)
    assert not callbacks and not received
