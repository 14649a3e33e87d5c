"""Quick polls: one answer per login or per premises, changed until the poll closes; they
decide nothing and say so."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tenants.notifications.models import Message
from tenants.voting import selectors, services
from tenants.voting.models import Poll, PollVote
from tests.tenants.residents.factories import BuildingFactory
from tests.tenants.voting.support import owned


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def week():
    return timezone.now() + datetime.timedelta(days=7)


def test_a_poll_needs_a_question_two_answers_and_a_future_close(in_alpha):
    with pytest.raises(ValidationError) as error:
        services.create_poll(actor=None, question=" ", options=["Да"], closes_at=timezone.now())
    assert set(error.value.message_dict) == {"question", "options", "closes_at"}
    with pytest.raises(ValidationError, match="different"):
        services.create_poll(actor=None, question="?", options=["Да", "Да"], closes_at=week())
    assert not Poll.objects.exists()


def test_one_answer_per_login_changed_until_closed(in_alpha, make_user, alpha):
    anna = make_user(alpha, roles=["owner"])
    boris = make_user(alpha, roles=["resident"])
    poll = services.create_poll(
        actor=None, question="Покрасить скамейки?", options=["Да", "Нет"], closes_at=week()
    )
    assert Message.objects.filter(kind="voting.poll").exists()
    yes, no = poll.options.order_by("number")
    services.answer_poll(actor=anna, poll=poll, option_id=yes.pk)
    services.answer_poll(actor=anna, poll=poll, option_id=no.pk)  # changes it
    services.answer_poll(actor=boris, poll=poll, option_id=no.pk)
    rows = selectors.poll_rows(poll)
    assert [(r.option.text, r.votes) for r in rows] == [("Да", 0), ("Нет", 2)]
    services.close_poll(poll, actor=None)
    with pytest.raises(ValidationError, match="closed"):
        services.answer_poll(actor=anna, poll=poll, option_id=yes.pk)


def test_one_answer_per_premises_for_owners_only(in_alpha, make_user, alpha):
    from fractions import Fraction

    anna = make_user(alpha, roles=["owner"])
    boris = make_user(alpha, roles=["owner"])
    tenant = make_user(alpha, roles=["resident"])
    flat, _ = owned(
        BuildingFactory(), "50.00", Fraction(1, 2), Fraction(1, 2), users={0: anna, 1: boris}
    )
    poll = services.create_poll(
        actor=None,
        question="Шлагбаум?",
        options=["Да", "Нет"],
        closes_at=week(),
        basis="premises",
    )
    yes, no = poll.options.order_by("number")
    services.answer_poll(actor=anna, poll=poll, option_id=yes.pk)
    services.answer_poll(actor=boris, poll=poll, option_id=no.pk)  # the same flat: replaces
    assert PollVote.objects.get().option == no
    with pytest.raises(ValidationError, match="premises you own"):
        services.answer_poll(actor=tenant, poll=poll, option_id=yes.pk)


def test_the_poll_page(in_alpha, make_user, alpha, client_of):
    chairman = make_user(alpha, roles=["chairman"])
    anna = make_user(alpha, roles=["owner"])
    board = client_of(alpha, chairman)
    board.cookies["django_language"] = "en"
    made = board.post(
        reverse("voting:poll-new"),
        {
            "question": "Покрасить скамейки?",
            "options": "Да\nНет\n",
            "basis": "login",
            "closes_at": (timezone.localtime() + datetime.timedelta(days=3)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    poll = Poll.objects.get()
    assert made.status_code == 302
    client = client_of(alpha, anna)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("voting:poll", args=[poll.pk])).content.decode()
    assert "not a vote" in page
    no = poll.options.get(number=2)
    assert (
        client.post(reverse("voting:poll", args=[poll.pk]), {"option": str(no.pk)}).status_code
        == 302
    )
    page = client.get(reverse("voting:poll", args=[poll.pk])).content.decode()
    assert "Нет — 1 (100.00 %)" in page
