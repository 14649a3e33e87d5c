"""The estimate through the voting engine (``core.extensions.AgendaMaterial``): put on a
members' meeting's agenda with its version as the material, the meeting's outcome handed back
from a task when it closes, once; tariffs follow only from an adopted decision."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import extensions
from tenants.budget import services
from tenants.budget.agenda import ESTIMATE
from tenants.budget.models import Decision, DecisionSource, Status, VersionKind
from tenants.ledger.models import Tariff
from tenants.voting import services as voting
from tenants.voting import tasks as voting_tasks
from tenants.voting.models import Question
from tenants.voting.rules import MeetingForm, MeetingKind
from tests.factories import UserFactory
from tests.tenants.budget.support import make_estimate
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import AFTER, DURING, END, START, T0, draft, line_of, owned

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\nsigned decision\n"
EFFECT = datetime.date(2026, 3, 1)


@pytest.fixture
def chairman(in_alpha):
    return UserFactory(roles=["chairman", "board_member", "owner"])


@pytest.fixture
def members(in_alpha):
    """Two members of 60 and 40 m² and an owner who is not a member."""
    building = BuildingFactory()
    _, (a,) = owned(building, "60.00", members=True)
    _, (b,) = owned(building, "40.00", members=True)
    owned(building, "50.00")
    return a, b


@pytest.fixture
def delivered(monkeypatch):
    """The task runs where it is queued (no worker in these tests); its calls are counted."""
    calls = []

    def delay(meeting_id):
        calls.append(meeting_id)
        return voting_tasks.offer_outcomes(meeting_id)

    monkeypatch.setattr(voting_tasks.offer_outcomes, "delay", delay)
    return calls


def discussed(actor):
    estimate = make_estimate(year=2026, actor=actor)
    services.publish(estimate, actor=actor)
    return estimate


NEW_MEETING = {
    "form": MeetingForm.ABSENTEE,
    "starts_at": START,
    "ends_at": END,
    "now": T0,
}


def put(estimate, actor, **kwargs):
    kwargs.setdefault("new_meeting", NEW_MEETING)
    return services.put_to_vote(estimate, actor=actor, takes_effect_on=EFFECT, **kwargs)


def run_meeting(question, chairman, choices, django_capture_on_commit_callbacks):
    """Announce, open, enter the signed decisions (owner → choice), close."""
    meeting = question.meeting
    voting.publish_notice(meeting, actor=chairman, now=T0)
    meeting = voting.open_voting(meeting, actor=chairman, now=START)
    for owner, choice in choices:
        voting.enter_paper(
            actor=chairman,
            voter=line_of(meeting, owner),
            choices={question.pk: choice},
            scan_upload=SimpleUploadedFile("decision.pdf", PDF),
            now=DURING,
        )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        voting.close_meeting(meeting, actor=chairman, now=AFTER)
    return meeting, callbacks


def test_the_version_goes_on_a_new_members_meeting_as_its_material(chairman, members):
    estimate = discussed(chairman)
    question = put(estimate, chairman)
    estimate.refresh_from_db()
    assert estimate.status == Status.MEETING
    version = estimate.versions.order_by("-number").first()
    assert version.kind == VersionKind.PUT_TO_MEETING
    meeting = question.meeting
    assert meeting.kind == MeetingKind.MEMBERS and meeting.form == MeetingForm.ABSENTEE
    assert (question.material_kind, question.material_id) == (ESTIMATE, str(version.pk))
    assert question.material_digest == version.digest
    assert question.threshold == "majority_present" and question.takes_effect_on == EFFECT
    view = extensions.agenda_material(ESTIMATE).describe(version)
    assert view.url == f"/budget/{estimate.pk}/" and view.digest == version.digest


def test_an_existing_draft_meeting_takes_the_question(chairman, members):
    meeting = draft(actor=chairman, kind=MeetingKind.MEMBERS, questions=())
    estimate = discussed(chairman)
    question = services.put_to_vote(estimate, actor=chairman, meeting=meeting)
    assert question.meeting_id == meeting.pk and question.number == 1
    # The same version cannot go on a second agenda while the first meeting runs.
    other = draft(actor=chairman, kind=MeetingKind.MEMBERS, questions=())
    with pytest.raises(ValidationError, match="another meeting"):
        services.put_to_vote(estimate, actor=chairman, meeting=other)
    assert not other.questions.exists()


def test_an_owners_or_board_meeting_cannot_approve_the_estimate(chairman, members):
    estimate = discussed(chairman)
    for kind in (MeetingKind.OWNERS, MeetingKind.BOARD):
        meeting = draft(actor=chairman, kind=kind, questions=())
        with pytest.raises(ValidationError, match="general meeting of members"):
            services.put_to_vote(estimate, actor=chairman, meeting=meeting)
        assert not meeting.questions.exists()
    estimate.refresh_from_db()
    # The refusal undid the step before it: still under discussion, no version put to a meeting.
    assert estimate.status == Status.DISCUSSION
    assert not estimate.versions.filter(kind=VersionKind.PUT_TO_MEETING).exists()


def test_a_tszh_never_votes_its_estimate_online(chairman, members):
    estimate = discussed(chairman)
    with pytest.raises(ValidationError) as refused:
        put(estimate, chairman, new_meeting={**NEW_MEETING, "form": MeetingForm.ONLINE})
    assert "form" in refused.value.message_dict
    estimate.refresh_from_db()
    assert estimate.status == Status.DISCUSSION and not Question.objects.exists()


def test_adopted_at_closing_approves_and_freezes_once(
    chairman, members, delivered, django_capture_on_commit_callbacks
):
    a, b = members
    estimate = discussed(chairman)
    question = put(estimate, chairman)
    meeting, callbacks = run_meeting(
        question, chairman, [(a, "for"), (b, "against")], django_capture_on_commit_callbacks
    )
    assert callbacks and delivered == [str(meeting.pk)]
    estimate.refresh_from_db()
    assert estimate.status == Status.APPROVED
    assert estimate.rates_from == EFFECT and estimate.approved_hash
    decision = Decision.objects.get(estimate=estimate)
    assert decision.adopted and decision.source == DecisionSource.VOTING
    assert decision.reference == str(question.pk)
    assert decision.protocol_number == str(meeting.number)
    assert decision.form == "absentee"
    assert decision.decided_on == AFTER.date()
    question.refresh_from_db()
    assert question.outcome_offered_at is not None

    # A second delivery of the task, and the receiver called again: nothing changes.
    approved_at = estimate.approved_at
    assert voting_tasks.offer_outcomes(str(meeting.pk)) == 0
    outcome = extensions.AgendaOutcome(
        kind=ESTIMATE,
        material_id=question.material_id,
        meeting_id=str(meeting.pk),
        question_id=str(question.pk),
        meeting_number=meeting.number,
        meeting_kind=meeting.kind,
        meeting_form=meeting.form,
        adopted=False,
        binding=True,
        decided_on=AFTER.date(),
    )
    assert services.meeting_outcome(outcome) == decision
    estimate.refresh_from_db()
    assert estimate.status == Status.APPROVED and estimate.approved_at == approved_at
    assert Decision.objects.filter(estimate=estimate).count() == 1
    assert estimate.versions.filter(kind=VersionKind.APPROVED).count() == 1

    # The tariffs follow, in the board's one confirmed step, from this voting decision.
    tariffs = services.apply_rates(estimate, actor=chairman)
    assert tariffs and all(t.valid_from == EFFECT for t in tariffs)
    assert Tariff.objects.filter(valid_from=EFFECT).count() == len(tariffs)
    assert all(str(meeting.number) in t.basis for t in tariffs)


def test_not_adopted_returns_the_estimate_to_the_discussion(
    chairman, members, delivered, django_capture_on_commit_callbacks
):
    a, b = members
    estimate = discussed(chairman)
    question = put(estimate, chairman)
    run_meeting(
        question, chairman, [(a, "against"), (b, "for")], django_capture_on_commit_callbacks
    )
    estimate.refresh_from_db()
    assert estimate.status == Status.DISCUSSION and not estimate.approved_hash
    decision = Decision.objects.get(estimate=estimate)
    assert not decision.adopted and decision.source == DecisionSource.VOTING
    with pytest.raises(ValidationError, match="adopted"):
        services.apply_rates(estimate, actor=chairman)
    assert not Tariff.objects.exists()


def test_opinions_sent_online_to_a_tszh_meeting_change_nothing(
    chairman, members, delivered, django_capture_on_commit_callbacks
):
    """Members state their position online in an absentee meeting: an opinion poll. Without
    signed decisions there is no quorum, and the estimate is not approved."""
    a, b = members
    login = UserFactory(roles=["owner"])
    a.user = login
    a.save()
    estimate = discussed(chairman)
    question = put(estimate, chairman)
    meeting = question.meeting
    voting.publish_notice(meeting, actor=chairman, now=T0)
    meeting = voting.open_voting(meeting, actor=chairman, now=START)
    assert not meeting.online_binds
    voting.cast(actor=login, voter=line_of(meeting, a), choices={question.pk: "for"}, now=DURING)
    with django_capture_on_commit_callbacks(execute=True):
        voting.close_meeting(meeting, actor=chairman, now=AFTER)
    estimate.refresh_from_db()
    assert estimate.status == Status.DISCUSSION
    assert not Decision.objects.get(estimate=estimate).adopted


def test_an_outcome_that_does_not_bind_changes_nothing(chairman, members):
    estimate = discussed(chairman)
    question = put(estimate, chairman)
    outcome = extensions.AgendaOutcome(
        kind=ESTIMATE,
        material_id=question.material_id,
        meeting_id=str(question.meeting_id),
        question_id=str(question.pk),
        meeting_number=question.meeting.number,
        meeting_kind="members",
        meeting_form="online",
        adopted=True,
        binding=False,
        decided_on=AFTER.date(),
    )
    assert services.meeting_outcome(outcome) is None
    estimate.refresh_from_db()
    assert estimate.status == Status.MEETING and not Decision.objects.exists()


def test_a_decision_entered_from_a_protocol_first_is_kept(
    chairman, members, delivered, django_capture_on_commit_callbacks
):
    a, b = members
    estimate = discussed(chairman)
    question = put(estimate, chairman)
    services.record_decision(
        estimate,
        actor=chairman,
        adopted=True,
        decided_on=datetime.date(2026, 2, 1),
        protocol_number="7",
        form="mixed",
    )
    run_meeting(question, chairman, [(a, "against")], django_capture_on_commit_callbacks)
    assert Decision.objects.filter(estimate=estimate).count() == 1
    estimate.refresh_from_db()
    assert estimate.status == Status.APPROVED


def test_the_meeting_page_shows_the_material_with_its_hash(chairman, members, client_of, alpha):
    estimate = discussed(chairman)
    question = put(estimate, chairman)
    page = client_of(alpha, chairman).get(f"/voting/{question.meeting_id}/").content.decode()
    assert f'href="/budget/{estimate.pk}/"' in page
    assert question.material_digest in page


# -- the page -------------------------------------------------------------------------------------


def _local(moment):
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_chairman_puts_the_estimate_on_a_new_meeting_from_its_page(
    chairman, members, client_of, alpha
):
    from django.utils import timezone

    from tenants.voting.models import Meeting

    estimate = discussed(chairman)
    client = client_of(alpha, chairman)
    page = client.get(f"/budget/{estimate.pk}/").content.decode()
    assert f"/budget/{estimate.pk}/vote/" in page
    form = client.get(f"/budget/{estimate.pk}/vote/").content.decode()
    assert 'value="online"' not in form  # a ТСЖ: never online
    assert 'name="online_basis"' not in form
    # Bad input: a new meeting without its dates, nothing written.
    refused = client.post(f"/budget/{estimate.pk}/vote/", {"form": "absentee", "threshold": "x"})
    assert refused.status_code == 400 and not Meeting.objects.exists()
    estimate.refresh_from_db()
    assert estimate.status == Status.DISCUSSION
    start = timezone.now() + datetime.timedelta(days=15)
    response = client.post(
        f"/budget/{estimate.pk}/vote/",
        {
            "meeting": "",
            "form": "mixed",
            "starts_at": _local(start),
            "ends_at": _local(start + datetime.timedelta(days=10)),
            "place": "Двор",
            "threshold": "majority_present",
            "takes_effect_on": "2026-03-01",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voting/{meeting.pk}/"
    question = meeting.questions.get()
    assert question.material_kind == ESTIMATE and question.takes_effect_on == EFFECT
    page = client.get(f"/budget/{estimate.pk}/").content.decode()
    assert f"/voting/{meeting.pk}/" in page and f"/budget/{estimate.pk}/vote/" not in page
    # Once on an agenda, the page refuses a second one and says why.
    again = client.get(f"/budget/{estimate.pk}/vote/").content.decode()
    assert "on a meeting&#x27;s agenda already" in again
    assert client.post(f"/budget/{estimate.pk}/vote/", {}).status_code == 302
    assert Meeting.objects.count() == 1


def test_a_member_cannot_put_the_estimate_to_a_meeting(chairman, members, client_of, alpha):
    estimate = discussed(chairman)
    member = UserFactory(roles=["owner"])
    assert client_of(alpha, member).get(f"/budget/{estimate.pk}/vote/").status_code == 403


def test_an_snt_may_vote_online_with_the_charters_basis(in_beta, beta, client_of):
    from tenants.voting.models import MeetingStatus

    chairman = UserFactory(roles=["chairman", "board_member"])
    building = BuildingFactory()
    owned(building, "600.00", members=True)
    estimate = discussed(chairman)
    form = client_of(beta, chairman).get(f"/budget/{estimate.pk}/vote/").content.decode()
    assert 'value="online"' in form and 'name="online_basis"' in form
    online = {**NEW_MEETING, "form": MeetingForm.ONLINE}
    # Without the charter's basis an online vote would not bind: refused, nothing written.
    with pytest.raises(ValidationError):
        put(estimate, chairman, new_meeting=online)
    question = put(estimate, chairman, new_meeting={**online, "online_basis": "Устав, п. 9.4"})
    assert question.meeting.status == MeetingStatus.DRAFT and question.meeting.online_binds
    assert question.threshold == "two_thirds_present" and question.gardeners_vote


# -- forum threads per estimate and per line ----------------------------------------------


def test_threads_per_estimate_and_per_line(chairman, client_of, alpha):
    from tenants.forum import services as forum
    from tenants.forum.models import Topic

    estimate = discussed(chairman)
    line = estimate.lines.first()
    member = UserFactory(roles=["owner"])
    client = client_of(alpha, member)
    page = client.get(f"/budget/{estimate.pk}/").content.decode()
    assert f"/forum/discuss/budget.estimate/{estimate.pk}/" in page
    assert f"/forum/discuss/budget.line/{line.pk}/" in page
    section = forum.save_section(actor=chairman, title="Смета")
    form = client.get(f"/forum/discuss/budget.line/{line.pk}/").content.decode()
    assert "Estimate for 2026: " + line.name in form
    response = client.post(
        f"/forum/discuss/budget.line/{line.pk}/",
        {"section": str(section.pk), "title": "Уборка дороже?", "body": "Почему выросла строка?"},
    )
    topic = Topic.objects.get(target_kind="budget.line")
    assert response.status_code == 302 and topic.target_id == str(line.pk)
    page = client.get(f"/budget/{estimate.pk}/").content.decode()
    assert f"/forum/discuss/budget.line/{line.pk}/" in page and "Discussion: 1 post" in page
    thread = client.get(f"/forum/topics/{topic.pk}/").content.decode()
    assert f'href="/budget/{estimate.pk}/#line-{line.pk}"' in thread


def test_a_draft_has_no_thread_for_members(chairman, client_of, alpha):
    estimate = make_estimate(year=2026, actor=chairman)
    member = UserFactory(roles=["owner"])
    assert (
        client_of(alpha, member).get(f"/forum/discuss/budget.estimate/{estimate.pk}/").status_code
        == 404
    )
