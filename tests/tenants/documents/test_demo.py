"""The demo association's documents and news."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from tenants.documents import selectors
from tenants.documents.demo import seed_demo
from tenants.documents.models import Document, News
from tenants.documents.sections import Section
from tenants.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_charter_a_report_a_protocol_news_and_an_ended_emergency(
    in_alpha, alpha, make_user
):
    assert seed_demo() == ""  # no chairman yet: nothing
    make_user(alpha, roles=[Role.CHAIRMAN, Role.BOARD_MEMBER])
    assert seed_demo().startswith("Demo documents")
    sections = set(Document.objects.values_list("section", flat=True))
    assert {Section.CHARTER, Section.ANNUAL_REPORT, Section.GENERAL_MEETING} <= sections
    charter = Document.objects.get(section=Section.CHARTER)
    assert charter.versions.count() == 2 and charter.current.number == 2
    assert charter.current.file.content_type == "application/pdf"
    assert News.objects.filter(kind="news").count() == 1
    ended = News.objects.get(kind="emergency")
    assert not ended.active()
    assert selectors.active_emergencies() == []
    assert not Message.objects.filter(kind="notifications.emergency").exists()
    # The ст. 143.1 page finds the charter and the protocol.
    entries = {entry.item.number: entry for entry in selectors.disclosure()}
    assert entries[1].parts[0].documents == [charter]
    assert seed_demo() == ""  # once
