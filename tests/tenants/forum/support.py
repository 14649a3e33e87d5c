"""A small forum for the tests: a chairman, two owners, a resident, a section, a topic."""

from __future__ import annotations

from dataclasses import dataclass

from core.access.roles import Role
from tenants.forum import services
from tenants.forum.models import Section, Topic
from tests.factories import UserFactory


@dataclass
class Forum:
    chairman: object
    anna: object
    boris: object
    section: Section
    topic: Topic

    @classmethod
    def make(cls) -> Forum:
        chairman = UserFactory(
            roles=[Role.CHAIRMAN, Role.BOARD_MEMBER, Role.OWNER], full_name="Председатель Пётр"
        )
        anna = UserFactory(roles=[Role.OWNER], full_name="Анна Соседова")
        boris = UserFactory(roles=[Role.OWNER], full_name="Борис Жильцов")
        section = services.save_section(actor=chairman, title="Дом", description="О доме")
        topic = services.start_topic(
            actor=anna,
            section=section,
            title="Счётчики воды",
            body="Кто менял **счётчики** воды?",
        )
        return cls(chairman, anna, boris, section, topic)


def board_topic():
    """A topic of someone else's, for the access matrix (made in the association's schema)."""
    chairman = UserFactory(roles=[Role.CHAIRMAN, Role.BOARD_MEMBER])
    section = services.save_section(actor=chairman, title="Matrix section")
    return services.start_topic(actor=chairman, section=section, title="Matrix", body="Text")
