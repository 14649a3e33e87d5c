"""What the letters tell the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import BOARD, MEMBER_ROLES
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    HolderErasure,
    NotificationKind,
    PeriodicJob,
)


def erase_letters(erasure: HolderErasure) -> dict[str, int]:
    from tenants.letters import services

    return services.erase_holding(erasure.holding_id)


def seed_demo() -> str:
    from tenants.letters.demo import seed_demo as seed

    return seed()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "letters",
            _("Questions and applications"),
            _("Ask the chairman in writing, file an application, read the answers."),
            MEMBER_ROLES,
            url_name="letters:mine",
            order=50,
        ),
        DashboardSection(
            "letters-qa",
            _("Answers to common questions"),
            _("Questions of members and the chairman's answers, published for everyone."),
            MEMBER_ROLES | BOARD,
            url_name="letters:qa",
            order=51,
        ),
        DashboardSection(
            "letters-board",
            _("Members' questions"),
            _("Questions to the chairman waiting for an answer, their terms, overdue ones."),
            BOARD,
            url_name="letters:board",
            order=52,
        ),
        DashboardSection(
            "letters-journal",
            _("Journal of applications"),
            _("Applications registered by number and date, their answers, the templates."),
            BOARD,
            url_name="letters:journal",
            order=53,
        ),
    ),
    audit_labels={
        "letters.question_asked": _("Question to the chairman asked"),
        "letters.question_replied": _("Reply to an answer"),
        "letters.question_answered": _("Question answered"),
        "letters.question_closed": _("Question closed"),
        "letters.term_set": _("Answer term set"),
        "letters.answer_published": _("Answer published"),
        "letters.publication_corrected": _("Published answer corrected"),
        "letters.publication_withdrawn": _("Published answer withdrawn"),
        "letters.template_created": _("Application template created"),
        "letters.template_changed": _("Application template changed"),
        "letters.application_filed": _("Application registered"),
        "letters.application_answered": _("Application answered"),
    },
    notification_kinds=(
        NotificationKind(
            "letters.question_answered",
            _("Answer to your question"),
            _("When the board answers your question to the chairman."),
            roles=MEMBER_ROLES,
        ),
        NotificationKind(
            "letters.application_answered",
            _("Answer to your application"),
            _("When the board answers an application you filed."),
            roles=MEMBER_ROLES,
        ),
        NotificationKind(
            "letters.question_received",
            _("New question to the chairman"),
            _("When a member asks a question or replies to an answer."),
            roles=BOARD,
        ),
        NotificationKind(
            "letters.question_due",
            _("Questions due for an answer"),
            _("Two working days before an answer is due, and when its term has passed."),
            roles=BOARD,
        ),
        NotificationKind(
            "letters.application_filed",
            _("New application"),
            _("When a member files an application."),
            roles=BOARD,
        ),
    ),
    periodic_jobs=(
        PeriodicJob("letters-reminders", "tenants.letters.tasks.send_reminders", 3600.0),
    ),
    erasure=Erasure(
        destroys="the text of the erased holder's questions, replies, the board's answers to "
        "them and their applications (under the holding's key, shredded with it; the columns "
        "are cleared too)",
        keeps="each letter's number, dates, answer term, status and kind (the journal of "
        "applications and the record that a question was answered in time); the public Q&A "
        "entries, which the chairman wrote anonymised and which hold no personal data",
        hook=erase_letters,
    ),
    demo=seed_demo,
)
