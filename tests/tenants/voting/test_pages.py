"""The pages end to end: the board sets a meeting up and announces it, a member votes from the
ballot page and gets a vote receipt, the board enters a paper decision, sees the register, the
turnout and the chain, closes the meeting; members read the results once it closed."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tenants.notifications.models import InboxItem, Message
from tenants.voting.models import ChainEntry, Meeting, MeetingStatus
from tenants.voting.rules import MeetingForm, MeetingKind
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import end_now, line_of, live, owned, use_kind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def english_client(client_of):
    def make(*args, **kwargs):
        client = client_of(*args, **kwargs)
        client.cookies["django_language"] = "en"
        return client

    return make


@pytest.fixture
def snt(monkeypatch, in_alpha, make_user, alpha):
    """An СНТ with two members on the portal and one who is not."""
    use_kind(monkeypatch, "snt")
    chairman = make_user(alpha, roles=["chairman", "owner"])
    anna = make_user(alpha, roles=["owner"])
    boris = make_user(alpha, roles=["owner"])
    building = BuildingFactory(name="Линия 1")
    _, (anna_owner,) = owned(building, "600.00", members=True, users={0: anna}, number="1")
    _, (boris_owner,) = owned(building, "600.00", members=True, users={0: boris}, number="2")
    owned(building, "600.00", members=True, number="3")
    return chairman, (anna, anna_owner), (boris, boris_owner)


def test_the_board_sets_up_and_announces_a_meeting(snt, english_client, alpha):
    chairman, (anna, _), (boris, _) = snt
    board = english_client(alpha, chairman)
    page = board.get(reverse("voting:new"))
    assert page.status_code == 200
    assert "Owners&#x27; general meeting" not in page.content.decode()  # no ОСС for an СНТ
    refused = board.post(
        reverse("voting:new"),
        {
            "kind": MeetingKind.MEMBERS,
            "form": MeetingForm.ABSENTEE,
            "title": "Годовое собрание",
            "starts_at": "2020-01-01T10:00",
            "ends_at": "2020-01-05T10:00",
        },
    )
    assert refused.status_code == 400
    assert "at least 14 days" in refused.content.decode()
    assert not Meeting.objects.exists()

    from django.utils import timezone

    start = (timezone.localtime() + timezone.timedelta(days=20)).strftime("%Y-%m-%dT10:00")
    end = (timezone.localtime() + timezone.timedelta(days=30)).strftime("%Y-%m-%dT10:00")
    done = board.post(
        reverse("voting:new"),
        {
            "kind": MeetingKind.MEMBERS,
            "form": MeetingForm.ONLINE,
            "title": "Годовое собрание",
            "starts_at": start,
            "ends_at": end,
            "online_basis": "Устав п. 9.3",
        },
    )
    meeting = Meeting.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "voting:meeting", args=[meeting.pk]
    )
    url = reverse("voting:question-add", args=[meeting.pk])
    refused = board.post(url, {"text": "Утвердить смету", "threshold": ""})
    assert refused.status_code == 400 and "majority" in refused.content.decode()
    board.post(
        url, {"text": "Утвердить смету", "threshold": "majority_present", "gardeners_vote": "on"}
    )
    assert meeting.questions.get().gardeners_vote

    board.post(reverse("voting:publish", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.NOTICE
    message = Message.objects.get(kind="voting.notice")
    told = set(InboxItem.objects.filter(message=message).values_list("user_id", flat=True))
    assert told == {anna.pk, boris.pk}  # the voters (the chairman owns nothing here)

    member_page = english_client(alpha, anna).get(reverse("voting:meeting", args=[meeting.pk]))
    assert member_page.status_code == 200
    assert "Утвердить смету" in member_page.content.decode()


def test_a_member_votes_changes_and_keeps_a_vote_receipt(snt, english_client, alpha):
    chairman, (anna, anna_owner), (boris, _) = snt
    meeting = live(
        actor=chairman,
        kind=MeetingKind.MEMBERS,
        form=MeetingForm.ONLINE,
        online_basis="Устав п. 9.3",
        questions=(("Смета", "majority_present"), ("Правление", "two_thirds_present")),
    )
    q1, q2 = meeting.questions.order_by("number")
    line = line_of(meeting, anna_owner)
    client = english_client(alpha, anna)
    page = client.get(reverse("voting:ballot", args=[meeting.pk]))
    assert page.status_code == 200
    assert f'name="v-{line.pk}-q-{q1.pk}"' in page.content.decode()

    empty = client.post(reverse("voting:ballot", args=[meeting.pk]), {})
    assert empty.status_code == 400 and not ChainEntry.objects.exists()

    sent = client.post(
        reverse("voting:ballot", args=[meeting.pk]),
        {f"v-{line.pk}-q-{q1.pk}": "for", f"v-{line.pk}-q-{q2.pk}": "against"},
    )
    assert sent.status_code == 302
    assert sent["Location"] == reverse("voting:receipt", args=[meeting.pk, 1])
    receipt = client.get(sent["Location"])
    entry = ChainEntry.objects.get()
    assert entry.entry_hash in receipt.content.decode()
    assert entry.salt in receipt.content.decode()

    client.post(reverse("voting:ballot", args=[meeting.pk]), {f"v-{line.pk}-q-{q1.pk}": "abstain"})
    again = client.get(reverse("voting:ballot", args=[meeting.pk])).content.decode()
    assert re.search(rf'name="v-{line.pk}-q-{q1.pk}" value="abstain"[^>]*checked', again)
    assert re.search(rf'name="v-{line.pk}-q-{q2.pk}" value="against"[^>]*checked', again)

    # Someone else's receipt is not to be found; nor can Boris vote on Anna's line.
    other = english_client(alpha, boris)
    assert other.get(reverse("voting:receipt", args=[meeting.pk, 1])).status_code == 404
    other.post(reverse("voting:ballot", args=[meeting.pk]), {f"v-{line.pk}-q-{q1.pk}": "for"})
    assert ChainEntry.objects.count() == 2

    # The board sees the turnout live; members see the results only after closing.
    board = english_client(alpha, chairman)
    live_page = board.get(reverse("voting:results", args=[meeting.pk])).content.decode()
    assert "Took part: 1 of 3 votes" in live_page
    hidden = client.get(reverse("voting:results", args=[meeting.pk])).content.decode()
    assert "published when the voting closes" in hidden
    end_now(meeting)
    board.post(reverse("voting:close", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    shown = client.get(reverse("voting:results", args=[meeting.pk])).content.decode()
    assert meeting.final_hash in shown and "no quorum" in shown


def test_the_board_enters_a_paper_decision_and_checks_the_chain(snt, english_client, alpha):
    chairman, (anna, anna_owner), _ = snt
    meeting = live(actor=chairman, kind=MeetingKind.MEMBERS, form=MeetingForm.ABSENTEE)
    question = meeting.questions.get()
    line = line_of(meeting, anna_owner)
    board = english_client(alpha, chairman)
    url = reverse("voting:paper", args=[meeting.pk])
    refused = board.post(url, {"voter": str(line.pk), "source": "paper", f"q-{question.pk}": "for"})
    assert refused.status_code == 400 and "scan" in refused.content.decode()
    done = board.post(
        url,
        {
            "voter": str(line.pk),
            "source": "paper",
            f"q-{question.pk}": "for",
            "scan": SimpleUploadedFile("decision.pdf", b"%PDF-1.4\nsigned\n"),
        },
    )
    assert done.status_code == 302
    entry = ChainEntry.objects.get()
    assert entry.source == "paper" and entry.scan is not None
    register = board.get(reverse("voting:register", args=[meeting.pk])).content.decode()
    assert "Петрова Мария Ивановна" in register and "took part" in register
    chain_page = board.get(reverse("voting:chain", args=[meeting.pk])).content.decode()
    assert "The chain verifies" in chain_page and entry.entry_hash in chain_page


def test_a_representative_votes_by_an_accepted_power_of_attorney(
    snt, english_client, alpha, make_user
):
    chairman, (anna, anna_owner), (boris, _) = snt
    son = make_user(alpha, roles=["resident"], email="son@example.test")
    meeting = live(
        actor=chairman,
        kind=MeetingKind.MEMBERS,
        form=MeetingForm.ONLINE,
        online_basis="Устав п. 9.3",
    )
    line = line_of(meeting, anna_owner)
    question = meeting.questions.get()
    anna_client = english_client(alpha, anna)
    url = reverse("voting:proxy", args=[meeting.pk])
    unknown = anna_client.post(
        url,
        {
            "voter": str(line.pk),
            "representative_email": "nobody@example.test",
            "document": SimpleUploadedFile("proxy.pdf", b"%PDF-1.4\nproxy\n"),
        },
    )
    assert unknown.status_code == 400 and "Nobody signs in" in unknown.content.decode()
    sent = anna_client.post(
        url,
        {
            "voter": str(line.pk),
            "representative_email": "son@example.test",
            "document": SimpleUploadedFile("proxy.pdf", b"%PDF-1.4\nproxy\n"),
        },
    )
    assert sent.status_code == 302
    proxy = meeting.proxies.get()
    son_client = english_client(alpha, son)
    ballot_url = reverse("voting:ballot", args=[meeting.pk])
    assert "not on this meeting" in son_client.get(ballot_url).content.decode()  # not yet

    board = english_client(alpha, chairman)
    listed = board.get(reverse("voting:proxies", args=[meeting.pk])).content.decode()
    assert reverse("files:download", args=[proxy.document_id]) in listed
    decide = reverse("voting:proxy-decide", args=[meeting.pk, proxy.pk])
    board.post(decide, {"accept": "1"})
    proxy.refresh_from_db()
    assert proxy.status == "accepted"
    page = son_client.get(ballot_url).content.decode()
    assert "by power of attorney" in page
    son_client.post(ballot_url, {f"v-{line.pk}-q-{question.pk}": "against"})
    entry = ChainEntry.objects.get()
    assert entry.proxy_id == proxy.pk and entry.entered_by == son.pk
    # Boris, who holds no power of attorney, still cannot.
    english_client(alpha, boris).post(ballot_url, {f"v-{line.pk}-q-{question.pk}": "for"})
    assert ChainEntry.objects.count() == 1


def test_the_board_changes_a_draft_within_the_rule(snt, english_client, alpha):
    from django.utils import timezone

    from tests.tenants.voting.support import draft

    chairman, _, _ = snt
    now = timezone.now()
    meeting = draft(
        kind=MeetingKind.MEMBERS,
        now=now,
        starts_at=now + timezone.timedelta(days=20),
        ends_at=now + timezone.timedelta(days=30),
    )
    board = english_client(alpha, chairman)
    url = reverse("voting:edit", args=[meeting.pk])
    assert board.get(url).status_code == 200
    local = timezone.localtime()
    body = {
        "kind": MeetingKind.MEMBERS,
        "form": MeetingForm.ABSENTEE,
        "title": "Новое название",
        "starts_at": (local + timezone.timedelta(days=3)).strftime("%Y-%m-%dT10:00"),
        "ends_at": (local + timezone.timedelta(days=30)).strftime("%Y-%m-%dT10:00"),
    }
    refused = board.post(url, body)
    assert refused.status_code == 400 and "at least 14 days" in refused.content.decode()
    body["starts_at"] = (local + timezone.timedelta(days=16)).strftime("%Y-%m-%dT10:00")
    assert board.post(url, body).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Новое название"
