"""A thread attached to an object another app offers (``core.extensions.DiscussionTarget``):
the app declares the kind, the forum keeps (kind, id) and asks the declaration; here a fake
app's "estimate" declared for the test."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from core import extensions
from core.access.roles import BOARD
from core.extensions import AppDeclaration, DiscussionTarget
from tenants.forum import services
from tenants.forum.models import Topic

pytestmark = pytest.mark.django_db


@dataclass
class Estimate:
    pk: str
    name: str
    hidden_from: set = field(default_factory=set)

    def __str__(self) -> str:
        return self.name


ESTIMATES = {"42": Estimate("42", "Смета на 2027 год")}


@pytest.fixture
def declared(monkeypatch):
    """A fake app declaring two kinds: estimates (every reader) and board-only notes."""
    extensions.declarations()
    fake = AppDeclaration(
        label="fakebudget",
        discussions=(
            DiscussionTarget(
                "fakebudget.estimate",
                "Estimate",
                resolve=ESTIMATES.get,
                can_read=lambda user, obj: user.pk not in obj.hidden_from,
                url=lambda obj: f"/budget/estimates/{obj.pk}/",
                title=lambda obj: f"Обсуждение: {obj}",
            ),
            DiscussionTarget(
                "fakebudget.note",
                "Board note",
                resolve=ESTIMATES.get,
                can_read=lambda user, obj: True,
                url=lambda obj: f"/budget/notes/{obj.pk}/",
                roles=BOARD,
            ),
        ),
    )
    monkeypatch.setitem(extensions._declarations, "fakebudget", fake)
    yield ESTIMATES["42"]
    ESTIMATES["42"].hidden_from.clear()


def test_a_discussion_is_started_from_the_object_and_found_again(declared, forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    url = "/forum/discuss/fakebudget.estimate/42/"
    form = client.get(url).content.decode()
    assert "Обсуждение: Смета на 2027 год" in form and "/budget/estimates/42/" in form
    response = client.post(
        url, {"section": str(forum.section.pk), "title": "Смета 2027", "body": "Вопросы по смете"}
    )
    topic = Topic.objects.get(target_kind="fakebudget.estimate")
    assert topic.target_id == "42"
    assert response["Location"] == f"/forum/topics/{topic.pk}/"
    # Next time the object's link opens the thread.
    again = client_of(alpha, forum.anna).get(url)
    assert again.status_code == 302 and again["Location"] == f"/forum/topics/{topic.pk}/"
    page = client.get(f"/forum/topics/{topic.pk}/").content.decode()
    assert 'Estimate: <a href="/budget/estimates/42/">Смета на 2027 год</a>' in page


def test_one_thread_per_object(declared, forum):
    services.start_topic(
        actor=forum.boris,
        section=forum.section,
        title="a",
        body="b",
        target=("fakebudget.estimate", "42"),
    )
    with pytest.raises(Exception) as refused:
        services.start_topic(
            actor=forum.anna,
            section=forum.section,
            title="c",
            body="d",
            target=("fakebudget.estimate", "42"),
        )
    assert "already has a discussion" in str(refused.value)


def test_a_reader_who_may_not_read_the_object_does_not_see_its_thread(
    declared, forum, alpha, client_of
):
    topic = services.start_topic(
        actor=forum.anna,
        section=forum.section,
        title="Смета",
        body="текст",
        target=("fakebudget.estimate", "42"),
    )
    declared.hidden_from.add(forum.boris.pk)
    client = client_of(alpha, forum.boris)
    assert client.get(f"/forum/topics/{topic.pk}/").status_code == 404
    assert client.get("/forum/discuss/fakebudget.estimate/42/").status_code == 404
    assert client.get(f"/api/v1/forum/topics/{topic.pk}/").status_code == 404
    # An object that does not exist: nothing to discuss.
    assert client.get("/forum/discuss/fakebudget.estimate/7/").status_code == 404


def test_a_kind_for_the_board_is_left_out_of_members_lists(declared, forum, alpha, client_of):
    topic = services.start_topic(
        actor=forum.chairman,
        section=forum.section,
        title="Заметка правления",
        body="текст",
        target=("fakebudget.note", "42"),
    )
    member = client_of(alpha, forum.boris)
    assert (
        "Заметка правления"
        not in member.get(f"/forum/sections/{forum.section.pk}/").content.decode()
    )
    assert member.get(f"/forum/topics/{topic.pk}/").status_code == 404
    board = client_of(alpha, forum.chairman)
    assert "Заметка правления" in board.get(f"/forum/sections/{forum.section.pk}/").content.decode()


def test_the_template_tag_links_other_apps_pages_to_the_thread(declared, forum):
    template = Template('{% load forum %}{% discussion_for "fakebudget.estimate" estimate %}')
    request = RequestFactory().get("/budget/estimates/42/")
    request.user = forum.boris
    before = template.render(Context({"request": request, "estimate": declared}))
    assert "Start a discussion on the forum" in before
    assert 'href="/forum/discuss/fakebudget.estimate/42/"' in before
    topic = services.start_topic(
        actor=forum.anna,
        section=forum.section,
        title="Смета",
        body="текст",
        target=("fakebudget.estimate", "42"),
    )
    services.reply(actor=forum.boris, topic=topic, body="ответ")
    after = template.render(Context({"request": request, "estimate": declared}))
    assert "Discussion: 2 posts" in after
    # Not a reader of the forum, or an undeclared kind: nothing.
    from tests.factories import UserFactory

    request.user = UserFactory(roles=["accountant"])
    assert template.render(Context({"request": request, "estimate": declared})).strip() == ""
    other = Template('{% load forum %}{% discussion_for "nobody.thing" estimate %}')
    request.user = forum.boris
    assert other.render(Context({"request": request, "estimate": declared})).strip() == ""


def test_a_kind_declared_twice_is_an_error(declared, monkeypatch):
    twin = AppDeclaration(
        label="twin", discussions=(extensions.discussion_target("fakebudget.estimate"),)
    )
    monkeypatch.setitem(extensions._declarations, "twin", twin)
    with pytest.raises(ValueError, match="two discussion targets"):
        extensions.discussion_targets()
