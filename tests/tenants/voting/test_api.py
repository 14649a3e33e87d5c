"""The REST API: a voter submits and changes decisions and reads their own vote receipts; bad
input is a 400 with a message in Russian and nothing stored; results after closing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenants.voting import chain
from tenants.voting.models import ChainEntry, Meeting
from tenants.voting.rules import MeetingForm, MeetingKind
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import end_now, line_of, live, owned, use_kind


@pytest.fixture(autouse=True)
def _russian():
    from django.utils import translation

    with translation.override("ru"):
        yield


@pytest.fixture
def tszh(monkeypatch, in_alpha, make_user, alpha):
    """A ТСЖ members' meeting by area: Anna owns half of flat 1 and all of flat 2."""
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman"])
    anna = make_user(alpha, roles=["owner"])
    boris = make_user(alpha, roles=["owner"])
    building = BuildingFactory()
    from fractions import Fraction

    _, (anna_half, boris_half) = owned(
        building,
        "60.00",
        Fraction(1, 2),
        Fraction(1, 2),
        members=True,
        users={0: anna, 1: boris},
        emails={0: "anna@example.test", 1: "boris@example.test"},
    )
    meeting = live(
        actor=chairman,
        kind=MeetingKind.MEMBERS,
        form=MeetingForm.ABSENTEE,
        questions=(("Смета", "majority_present"), ("Реорганизация", "two_thirds_all")),
    )
    return chairman, anna, boris, meeting, line_of(meeting, anna_half), line_of(meeting, boris_half)


def ballots_url(meeting):
    return reverse("voting:api-ballots", args=[meeting.pk])


def test_a_voter_submits_changes_and_checks_their_receipt(tszh, client_of, alpha):
    chairman, anna, boris, meeting, anna_line, boris_line = tszh
    q1, q2 = meeting.questions.order_by("number")
    client = client_of(alpha, anna)
    mine = client.get(ballots_url(meeting)).json()
    assert [line["voter"] for line in mine] == [str(anna_line.pk)]  # never Boris's line
    sent = client.post(
        ballots_url(meeting),
        {"voter": str(anna_line.pk), "choices": {str(q1.pk): "for", str(q2.pk): "against"}},
        content_type="application/json",
    )
    assert sent.status_code == 201, sent.content
    receipt = sent.json()
    entry = ChainEntry.objects.get()
    assert receipt["entry_hash"] == entry.entry_hash and receipt["seq"] == 1
    assert chain.check_receipt(
        chain.VoteReceipt(
            **{
                "meeting_id": receipt["meeting"],
                "seq": receipt["seq"],
                "entry_hash": receipt["entry_hash"],
                "salt": receipt["salt"],
                "content": receipt["content"],
            }
        ),
        entry,
    )
    changed = client.post(
        ballots_url(meeting),
        {"voter": str(anna_line.pk), "choices": {str(q1.pk): "against"}},
        content_type="application/json",
    )
    assert changed.status_code == 201 and changed.json()["seq"] == 2
    now = {
        c["question"]: c["choice"] for c in client.get(ballots_url(meeting)).json()[0]["choices"]
    }
    assert now == {str(q1.pk): "against", str(q2.pk): "against"}
    assert client.get(reverse("voting:api-receipt", args=[meeting.pk, 1])).status_code == 200
    other = client_of(alpha, boris)
    assert other.get(reverse("voting:api-receipt", args=[meeting.pk, 1])).status_code == 404


def test_bad_ballots_are_refused_in_russian_and_nothing_is_stored(tszh, client_of, alpha):
    chairman, anna, boris, meeting, anna_line, boris_line = tszh
    q1 = meeting.questions.get(number=1)
    client = client_of(alpha, anna)

    def post(body):
        return client.post(ballots_url(meeting), body, content_type="application/json")

    foreign = post({"voter": str(boris_line.pk), "choices": {str(q1.pk): "for"}})
    assert foreign.status_code == 400
    assert "Вы не голосуете за это помещение" in foreign.json()["voter"][0]
    greedy = post({"voter": str(anna_line.pk), "choices": {str(q1.pk): "for"}, "share": "1"})
    assert greedy.status_code == 400 and "1/2" in greedy.json()["share"][0]
    unknown = post({"voter": str(anna_line.pk), "choices": {str(anna_line.pk): "for"}})
    assert unknown.status_code == 400
    wrong = post({"voter": str(anna_line.pk), "choices": {str(q1.pk): "maybe"}})
    assert wrong.status_code == 400
    assert not ChainEntry.objects.exists()

    end_now(meeting)
    late = post({"voter": str(anna_line.pk), "choices": {str(q1.pk): "for"}})
    assert late.status_code == 400
    assert "Голосование закончено" in str(late.json())
    assert not ChainEntry.objects.exists()


def test_results_after_closing_only_and_exact(tszh, client_of, alpha):
    """Members by area: 30 + 30 m². Anna's signed paper decision is exactly half (no quorum);
    Boris's online decision is an opinion, not a vote (since 463-ФЗ)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.voting import services

    chairman, anna, boris, meeting, anna_line, boris_line = tszh
    q1 = meeting.questions.get(number=1)
    services.enter_paper(
        actor=chairman,
        voter=anna_line,
        choices={q1.pk: "for"},
        scan_upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4\nsigned\n"),
    )
    client_of(alpha, boris).post(
        ballots_url(meeting),
        {"voter": str(boris_line.pk), "choices": {str(q1.pk): "for"}},
        content_type="application/json",
    )
    url = reverse("voting:api-results", args=[meeting.pk])
    refused = client_of(alpha, anna).get(url)
    assert refused.status_code == 403 and "после окончания" in refused.json()["detail"]
    board = client_of(alpha, chairman)
    figures = board.get(url).json()
    assert (figures["total"], figures["present"], figures["quorum_met"]) == ("60", "30", False)
    assert figures["online_binds"] is False
    services.close_meeting(end_now(meeting), actor=chairman)
    shown = client_of(alpha, anna).get(url).json()
    assert shown["final_hash"] == Meeting.objects.get().final_hash
    first = shown["questions"][0]
    assert first["adopted"] is False
    assert first["figures"][0] == {
        "choice": "for",
        "weight": "30",
        "of_all": "50.00",
        "of_present": "100.00",
    }


def test_the_board_puts_questions_through_the_api_with_a_threshold(
    monkeypatch, in_alpha, client_of, alpha, make_user
):
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman"])
    from django.utils import timezone

    from tests.tenants.voting.support import draft

    now = timezone.now()
    meeting = draft(
        now=now,
        starts_at=now + timezone.timedelta(days=12),
        ends_at=now + timezone.timedelta(days=20),
        questions=(),
    )
    url = reverse("voting:api-questions", args=[meeting.pk])
    board = client_of(alpha, chairman)
    missing = board.post(url, {"text": "Смета"}, content_type="application/json")
    assert missing.status_code == 400
    assert "большинств" in missing.json()["threshold"][0]
    done = board.post(
        url, {"text": "Смета", "threshold": "majority_all"}, content_type="application/json"
    )
    assert done.status_code == 201 and meeting.questions.count() == 1
    member = client_of(alpha, make_user(alpha, roles=["owner"]))
    assert member.post(url, {"text": "x"}, content_type="application/json").status_code == 403


def test_the_api_is_in_the_schema(in_alpha, alpha, client_of, make_user):
    member = make_user(alpha, roles=["owner"])
    schema = client_of(alpha, member).get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in (
        "/api/v1/voting/meetings/",
        "/api/v1/voting/meetings/{id}/",
        "/api/v1/voting/meetings/{id}/questions/",
        "/api/v1/voting/meetings/{id}/ballots/",
        "/api/v1/voting/meetings/{id}/receipts/{seq}/",
        "/api/v1/voting/meetings/{id}/results/",
    ):
        assert path in text
