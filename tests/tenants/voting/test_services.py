"""Setting a meeting up by the rule: dates, forms, thresholds, the rule version kept; and the
refusals, each with a clear message and nothing stored."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenants.voting import services
from tenants.voting.models import ChainEntry, Meeting, MeetingStatus
from tenants.voting.rules import MeetingForm, MeetingKind, Threshold
from tests.factories import UserFactory
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import (
    DURING,
    END,
    MOSCOW,
    START,
    T0,
    draft,
    line_of,
    owned,
    use_kind,
    voting,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(error: ValidationError) -> dict:
    return error.value.message_dict


def test_an_owners_meeting_needs_ten_days_notice(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    with pytest.raises(ValidationError) as error:
        draft(starts_at=T0 + datetime.timedelta(days=9))
    assert "at least 10 days" in refusal(error)["starts_at"][0]
    assert not Meeting.objects.exists()
    meeting = draft(starts_at=T0 + datetime.timedelta(days=10))
    assert meeting.rule_version == "oss-2025-03"


def test_snt_needs_two_weeks_notice(monkeypatch, in_alpha):
    use_kind(monkeypatch, "snt")
    with pytest.raises(ValidationError) as error:
        draft(kind=MeetingKind.MEMBERS, starts_at=T0 + datetime.timedelta(days=13))
    assert "at least 14 days" in refusal(error)["starts_at"][0]
    assert draft(kind=MeetingKind.MEMBERS, starts_at=T0 + datetime.timedelta(days=14))


def test_an_online_owners_meeting_is_refused_since_463_fz(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    with pytest.raises(ValidationError) as error:
        draft(form=MeetingForm.ONLINE)
    assert "ГИС ЖКХ" in refusal(error)["form"][0]
    assert not Meeting.objects.exists()


def test_online_snt_needs_its_charter_and_7_to_60_days(monkeypatch, in_alpha):
    use_kind(monkeypatch, "snt")
    with pytest.raises(ValidationError) as error:
        draft(kind=MeetingKind.MEMBERS, form=MeetingForm.ONLINE)
    assert "charter" in refusal(error)["online_basis"][0]
    basis = "Устав п. 9.3"
    for days in (6, 61):
        with pytest.raises(ValidationError) as error:
            draft(
                kind=MeetingKind.MEMBERS,
                form=MeetingForm.ONLINE,
                online_basis=basis,
                ends_at=START + datetime.timedelta(days=days),
            )
        assert "from 7 to 60 days" in refusal(error)["ends_at"][0]
    meeting = draft(kind=MeetingKind.MEMBERS, form=MeetingForm.ONLINE, online_basis=basis)
    assert meeting.online_binds


def test_a_question_needs_a_threshold_the_meeting_can_decide_by(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    meeting = draft(questions=())
    with pytest.raises(ValidationError) as error:
        services.add_question(meeting, actor=None, text="Смета", threshold="")
    assert "majority" in refusal(error)["threshold"][0]
    with pytest.raises(ValidationError) as error:
        services.add_question(
            meeting, actor=None, text="Смета", threshold=Threshold.THREE_QUARTERS_PRESENT
        )
    assert "cannot decide" in refusal(error)["threshold"][0]
    with pytest.raises(ValidationError, match="at least one question"):
        services.publish_notice(meeting, actor=None, now=T0)
    assert meeting.questions.count() == 0
    assert Meeting.objects.get().status == MeetingStatus.DRAFT


def test_an_owners_meeting_names_its_building_when_there_are_several(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    BuildingFactory()
    BuildingFactory()
    with pytest.raises(ValidationError) as error:
        draft()
    assert "one building" in refusal(error)["building"][0]


def test_the_meeting_keeps_the_rule_in_force_when_its_notice_went_out(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    notice = datetime.datetime(2025, 2, 20, 10, 0, tzinfo=MOSCOW)
    start = notice + datetime.timedelta(days=12)  # 4 March 2025: after 463-ФЗ
    meeting = draft(now=notice, starts_at=start, ends_at=start + datetime.timedelta(days=10))
    services.publish_notice(meeting, actor=None, now=notice)
    meeting = services.open_voting(meeting, actor=None, now=start)
    assert meeting.rule_version == "oss-2005"


def test_voting_opens_and_closes_only_on_the_notices_dates(monkeypatch, in_alpha):
    use_kind(monkeypatch, "tszh")
    owned(BuildingFactory(), "50.00")
    meeting = draft()
    services.publish_notice(meeting, actor=None, now=T0)
    with pytest.raises(ValidationError, match="starts on"):
        services.open_voting(meeting, actor=None, now=START - datetime.timedelta(minutes=1))
    meeting = services.open_voting(meeting, actor=None, now=START)
    assert meeting.register_date == START.date() and meeting.voters.count() == 1
    with pytest.raises(ValidationError, match="lasts until"):
        services.close_meeting(meeting, actor=None, now=END - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="can no longer change"):
        services.add_question(meeting, actor=None, text="Ещё", threshold="majority_present")


def test_nobody_votes_for_premises_they_do_not_own(monkeypatch, in_alpha):
    use_kind(monkeypatch, "snt")
    building = BuildingFactory()
    mine, stranger = UserFactory(roles=["owner"]), UserFactory(roles=["owner"])
    _, (owner,) = owned(building, "600.00", members=True, users={0: mine})
    meeting = voting(kind=MeetingKind.MEMBERS, form=MeetingForm.ONLINE, online_basis="Устав п. 9.3")
    question = meeting.questions.get()
    line = line_of(meeting, owner)
    with pytest.raises(ValidationError, match="do not vote for these premises"):
        services.cast(actor=stranger, voter=line, choices={question.pk: "for"}, now=DURING)
    with pytest.raises(ValidationError, match="for, against or abstain"):
        services.cast(actor=mine, voter=line, choices={question.pk: "maybe"}, now=DURING)
    with pytest.raises(ValidationError, match="not on this meeting"):
        services.cast(actor=mine, voter=line, choices={line.pk: "for"}, now=DURING)
    with pytest.raises(ValidationError, match="Only the board"):
        services.cast(
            actor=mine, voter=line, choices={question.pk: "for"}, source="paper", now=DURING
        )
    assert not ChainEntry.objects.exists()
    services.cast(actor=mine, voter=line, choices={question.pk: "for"}, now=DURING)
    assert ChainEntry.objects.count() == 1


def test_the_periodic_job_starts_due_meetings_and_closes_ended_online_ones(monkeypatch, in_alpha):
    use_kind(monkeypatch, "snt")
    owned(BuildingFactory(), "600.00", members=True)
    online = draft(kind=MeetingKind.MEMBERS, form=MeetingForm.ONLINE, online_basis="Устав п. 9")
    paper = draft(kind=MeetingKind.MEMBERS, form=MeetingForm.ABSENTEE)
    for meeting in (online, paper):
        services.publish_notice(meeting, actor=None, now=T0)
    assert services.advance_meetings(now=START - datetime.timedelta(minutes=1)) == {
        "opened": 0,
        "closed": 0,
        "new_lines": 0,
    }
    assert services.advance_meetings(now=START) == {"opened": 2, "closed": 0, "new_lines": 0}
    assert services.advance_meetings(now=END) == {"opened": 0, "closed": 1, "new_lines": 0}
    online.refresh_from_db()
    paper.refresh_from_db()
    assert online.status == MeetingStatus.CLOSED and online.final_hash
    assert paper.status == MeetingStatus.VOTING  # the board closes it after the paper is in


def test_the_task_and_its_beat_entry(monkeypatch, in_alpha):
    from config.celery import app
    from core import extensions
    from tenants.voting import tasks

    use_kind(monkeypatch, "tszh")
    entry = extensions.beat_schedule()["voting-advance"]
    assert entry["task"] == "core.tasks.fan_out"
    assert entry["args"] == ("tenants.voting.tasks.advance_meetings",)
    assert "tenants.voting.tasks.advance_meetings" in app.tasks
    assert tasks.advance_meetings.apply().get() == {"opened": 0, "closed": 0, "new_lines": 0}
