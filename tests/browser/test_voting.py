"""In a real browser on a 375 px phone: a member of an СНТ voting online opens their ballot,
chooses for/against per question, sends it and reads their vote receipt; the meeting's page and
the ballot fit the screen (no horizontal scroll)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.phone import settled_scroll_width
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOT = "/tmp/voting-375.png"


@pytest.fixture
def snt_meeting(db_unblocked, alpha, browser_owner, monkeypatch):
    """An online members' meeting of an СНТ voting now, the browser owner a member with a plot;
    committed, and removed afterwards."""
    from django.db import connection, connections, transaction
    from django_tenants.utils import schema_context

    from tenants.notifications.models import Message
    from tenants.voting.models import Meeting
    from tenants.voting.rules import MeetingForm, MeetingKind
    from tests.tenants.meters.support import audit_ids
    from tests.tenants.residents.factories import BuildingFactory
    from tests.tenants.voting.support import live, owned, remove_committed_building, use_kind

    use_kind(monkeypatch, "snt")
    with schema_context(alpha.schema_name):
        audit_before = audit_ids()
        with transaction.atomic():
            building = BuildingFactory(name="Линия 7")
            owned(building, "600.00", members=True, users={0: browser_owner}, number="12")
            owned(building, "600.00", members=True, number="13")
            meeting = live(
                kind=MeetingKind.MEMBERS,
                form=MeetingForm.ONLINE,
                online_basis="Устав п. 9.3; решение общего собрания от 01.06.2025",
                questions=(
                    ("Утвердить приходно-расходную смету на 2026 год", "majority_present", True),
                    ("Избрать правление товарищества в составе пяти человек", "two_thirds_present"),
                ),
            )
    try:
        yield meeting
    finally:
        with schema_context(alpha.schema_name):
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('tszh.voting_maintenance', 'on', false)")
                cursor.execute("DELETE FROM voting_ballot WHERE meeting_id = %s", [meeting.pk])
                cursor.execute("DELETE FROM voting_chainentry WHERE meeting_id = %s", [meeting.pk])
                cursor.execute("SELECT set_config('tszh.voting_maintenance', '', false)")
            Meeting.objects.filter(pk=meeting.pk).delete()
            Message.objects.filter(kind="voting.notice").delete()
            remove_committed_building(building, audit_before=audit_before)
        connections.close_all()


def test_a_member_votes_from_a_phone_and_reads_the_vote_receipt(
    new_page, alpha_url, browser_owner, snt_meeting, alpha
):
    from django_tenants.utils import schema_context

    page = new_page(width=375, height=812)
    page.goto(f"{alpha_url}/accounts/login/")
    page.fill("input[name=username]", browser_owner.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{alpha_url}/")

    page.goto(f"{alpha_url}/voting/{snt_meeting.pk}/")
    expect(page.locator("h1")).to_contain_text("Годовое собрание")
    expect(page.locator(".vote-ok")).to_contain_text("голоса этого собрания")
    width = settled_scroll_width(page)
    assert width <= 375, f"horizontal scroll on the meeting page: {width}"

    page.click("text=Открыть бюллетень")
    expect(page.locator("h1")).to_have_text("Ваш бюллетень")
    questions = page.locator(".vote-question")
    expect(questions).to_have_count(2)
    questions.nth(0).locator("label", has_text="За").click()
    questions.nth(1).locator("label", has_text="Против").click()
    width = settled_scroll_width(page)
    assert width <= 375, f"horizontal scroll on the ballot: {width}"
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.click("button[type=submit].primary")

    expect(page.locator("h1")).to_have_text("Подтверждение голоса")
    expect(page.locator(".vote-ok")).to_contain_text("звено № 1")
    expect(page.locator("main")).to_contain_text("Против")
    with schema_context(alpha.schema_name):
        entry_hash = snt_meeting.chain.get().entry_hash
    expect(page.locator(".vote-hash").first).to_have_text(entry_hash)
    width = settled_scroll_width(page)
    assert width <= 375, f"horizontal scroll on the vote receipt: {width}"
