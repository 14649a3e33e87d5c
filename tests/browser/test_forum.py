"""In a real browser on a 375 px phone: a member opens a thread, quotes the chairman's post,
mentions him through the picker (htmx search, the pick kept), publishes, and sees the reply with
its quote and mention; no horizontal scroll on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/forum-375.png"
CHAIRMAN_NAME = "Пётр Председателев"


@pytest.fixture
def thread(db_unblocked, alpha, browser_owner):
    """The chairman's topic with a long first post; committed, and removed afterwards."""
    from django.db import connection, connections
    from django_tenants.utils import schema_context

    from core.access.roles import Role
    from tenants.forum import services
    from tenants.forum.models import Section
    from tenants.notifications.models import Message
    from tests.factories import UserFactory
    from tests.tenants.meters.support import audit_ids

    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        chairman = UserFactory(roles=[Role.CHAIRMAN, Role.BOARD_MEMBER], full_name=CHAIRMAN_NAME)
        section = services.save_section(actor=chairman, title="Смета и взносы")
        topic = services.start_topic(
            actor=chairman,
            section=section,
            title="Проект сметы на 2027 год: вопросы и предложения собственников",
            body="Опубликован проект сметы. Главные статьи:\n\n"
            "- содержание общего имущества;\n- ремонт кровли над третьим подъездом;\n"
            "- уборка снега.\n\nСсылка: https://example.org/очень/длинный/адрес/документа/"
            "сметы/на/следующий/год/без/пробелов/чтобы/проверить/перенос",
        )
    try:
        yield topic
    finally:
        with schema_context(alpha.schema_name):
            Message.objects.filter(kind__startswith="forum.").delete()
            topic.delete()
            Section.objects.filter(pk=section.pk).delete()
            with connection.cursor() as cursor:  # append-only through the ORM
                cursor.execute(
                    "DELETE FROM audit_auditentry WHERE NOT (id = ANY(%s))", [list(audit_before)]
                )
            type(chairman).objects.filter(pk=chairman.pk).delete()
        connections.close_all()


def _no_horizontal_scroll(page) -> None:
    width = settled_scroll_width(page)
    assert width <= 375, f"horizontal scroll at 375 px: scrollWidth is {width}"


def test_a_member_replies_in_a_thread_from_a_phone(
    new_page, alpha_url, browser_owner, thread, alpha
):
    page = new_page(width=375, height=812)
    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", browser_owner.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    page.goto(f"{alpha_url}/forum/")
    page.get_by_role("link", name="Смета и взносы").click()
    page.get_by_role("link", name="Проект сметы на 2027 год").click()
    expect(page.locator("#post-1")).to_contain_text("ремонт кровли")
    _no_horizontal_scroll(page)

    page.locator("#post-1").get_by_role("link", name="Цитировать").click()
    expect(page.locator("h1")).to_have_text("Ответить")
    expect(page.locator(".forum-quote")).to_contain_text(CHAIRMAN_NAME)
    page.fill("textarea[name=body]", "Почему уборка снега **дороже**, чем в прошлом году?")
    page.locator(".forum-picker summary").click()
    page.fill("input[name=who]", "председ")
    found = page.locator("#forum-member-list label", has_text=CHAIRMAN_NAME)
    expect(found).to_be_visible()
    found.locator("input").check()
    # Picked: moved out of the results, so another search keeps it.
    expect(page.locator(".forum-picked")).to_contain_text(CHAIRMAN_NAME)
    page.fill("input[name=who]", "никто такой")
    expect(page.locator("#forum-member-list")).to_contain_text("нет никого")
    expect(page.locator(".forum-picked input")).to_be_checked()
    _no_horizontal_scroll(page)
    page.get_by_role("button", name="Опубликовать").click()

    expect(page.locator(".messages")).to_contain_text("Ваше сообщение опубликовано")
    reply = page.locator("#post-2")
    expect(reply.locator(".forum-quote")).to_contain_text("ремонт кровли")
    expect(reply.locator(".forum-text strong")).to_have_text("дороже")
    expect(reply.locator(".forum-mention")).to_have_text(f"@{CHAIRMAN_NAME}")
    _no_horizontal_scroll(page)
    page.screenshot(path=SCREENSHOT, full_page=True)

    from django_tenants.utils import schema_context

    from tenants.forum.models import Mention, Post

    with schema_context(alpha.schema_name):
        post = Post.objects.get(topic=thread, number=2)
        assert post.author_id == browser_owner.pk and post.quote.number == 1
        assert Mention.objects.filter(post=post).count() == 1
