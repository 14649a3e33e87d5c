"""Questions to the chairman: asked under the holding's key with a due date, answered in
writing, the member told and able to reply; refusals write nothing; someone else's question is
a 404; overdue questions shown to the board; reminders once per due date; erasure."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.letters import reminders, selectors, services
from tenants.letters.models import Question, QuestionMessage, QuestionStatus
from tenants.notifications.models import InboxItem, Message
from tests.factories import UserFactory
from tests.tenants.letters.support import ask, board_user, member_with_home

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 1, 30)


@pytest.fixture
def on_day(monkeypatch):
    """``on_day(date)``: the association's date the letters' code sees."""

    def set_day(day):
        monkeypatch.setattr(selectors, "association_today", lambda: day)
        return day

    return set_day


def raw(table: str, column: str, pk) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_a_question_is_stored_encrypted_under_the_holding_key_with_its_due_date(in_alpha, on_day):
    on_day(FRIDAY)
    member, premises, account = member_with_home()
    chairman = board_user()
    question = services.ask(
        actor=member, account=account, subject="Протечка", text="Течёт труба в подвале."
    )

    assert question.holding_id == selectors.current_holding_id(account.pk)
    assert question.encryption_key_name().endswith(str(question.holding_id))
    assert (question.received_on, question.due_on) == (FRIDAY, datetime.date(2026, 2, 13))
    assert (question.term_days, question.term_working, question.term_rule) == (
        10,
        True,
        "pp416-p36",
    )
    # The database holds ciphertext only.
    message = question.messages.get()
    assert raw("letters_questionmessage", "text", message.pk).startswith("e1.")
    assert "Течёт" not in raw("letters_questionmessage", "text", message.pk)
    assert raw("letters_question", "subject", question.pk).startswith("e1.")
    assert QuestionMessage.objects.get(pk=message.pk).text == "Течёт труба в подвале."
    # Audited, and the board told without the question's words.
    entry = AuditEntry.objects.get(action="letters.question_asked", target_id=str(question.pk))
    assert "Течёт" not in str(entry.details)
    told = Message.objects.get(kind="letters.question_received")
    assert told.holding_id == question.holding_id
    assert "Течёт" not in told.subject + told.body
    assert InboxItem.objects.filter(message=told, user=chairman).exists()


@pytest.mark.parametrize(
    ("subject", "text", "field"),
    [
        ("Тема", "   ", "text"),
        ("", "Вопрос", "subject"),
        ("Тема", "я" * 5001, "text"),
        ("т" * 201, "Вопрос", "subject"),
    ],
)
def test_empty_or_oversized_text_is_refused_and_nothing_is_written(in_alpha, subject, text, field):
    member, _premises, account = member_with_home()
    with pytest.raises(ValidationError) as refused:
        services.ask(actor=member, account=account, subject=subject, text=text)
    assert field in refused.value.message_dict
    assert Question.objects.count() == 0
    assert not AuditEntry.objects.filter(action="letters.question_asked").exists()


def test_a_member_cannot_write_for_someone_elses_account(in_alpha):
    member, _premises, _account = member_with_home()
    _other, _premises2, elsewhere = member_with_home()
    with pytest.raises(ValidationError) as refused:
        services.ask(actor=member, account=elsewhere, subject="Тема", text="Вопрос")
    assert "account" in refused.value.message_dict
    assert Question.objects.count() == 0


def test_the_board_answers_the_member_is_told_and_replies(in_alpha, on_day):
    on_day(FRIDAY)
    member, _premises, account = member_with_home()
    chairman = board_user()
    question = ask(member, account=account)

    on_day(datetime.date(2026, 2, 5))
    services.answer(actor=chairman, question=question, text="Сантехник придёт в четверг.")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_at is not None
    told = Message.objects.get(kind="letters.question_answered")
    assert InboxItem.objects.filter(message=told, user=member).exists()
    assert told.holding_id == question.holding_id

    on_day(datetime.date(2026, 2, 6))
    services.reply(actor=member, question=question, text="Не пришёл.")
    question.refresh_from_db()
    # A reply is a new written request: waiting again, the term counted from the reply.
    assert question.status == QuestionStatus.WAITING
    assert (question.received_on, question.due_on) == (
        datetime.date(2026, 2, 6),
        datetime.date(2026, 2, 20),
    )
    texts = [(m.from_board, m.text) for m in selectors.thread(question)]
    assert texts == [
        (False, "В подвале течёт труба."),
        (True, "Сантехник придёт в четверг."),
        (False, "Не пришёл."),
    ]


def test_only_the_member_who_asked_replies(in_alpha):
    question = ask()
    stranger, _premises, _account = member_with_home()
    with pytest.raises(ValidationError):
        services.reply(actor=stranger, question=question, text="Чужой ответ")
    assert question.messages.count() == 1


def test_the_associations_own_term_applies_when_shorter(in_alpha, on_day):
    on_day(FRIDAY)
    chairman = board_user()
    services.set_answer_term(actor=chairman, days=3, valid_from=FRIDAY)
    question = ask()
    assert (question.due_on, question.term_rule) == (datetime.date(2026, 2, 4), "own")
    with pytest.raises(ValidationError) as refused:
        services.set_answer_term(actor=chairman, days=11, valid_from=FRIDAY)
    assert "days" in refused.value.message_dict


def test_someone_elses_question_is_a_404(alpha, client_of, in_alpha):
    question = ask()
    stranger, _premises, _account = member_with_home()
    client = client_of(alpha, stranger)
    assert client.get(f"/letters/questions/{question.pk}/").status_code == 404
    assert client.post(f"/letters/questions/{question.pk}/", {"text": "x"}).status_code == 404
    assert client.get(f"/api/v1/letters/questions/{question.pk}/").status_code == 404
    assert question.messages.count() == 1


def test_asking_through_the_page(alpha, client_of, in_alpha):
    member, _premises, account = member_with_home()
    client = client_of(alpha, member)
    page = client.get("/letters/ask/")
    assert page.status_code == 200
    assert "Answer due" not in page.content.decode()  # the term is said in words
    response = client.post(
        "/letters/ask/",
        {
            "account": account.pk,
            "subject": "Домофон",
            "text": "Не работает домофон.",
            "action": "send",
        },
    )
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/letters/questions/{question.pk}/"
    thread = client.get(response["Location"]).content.decode()
    assert "Не работает домофон." in thread and "Домофон" in thread


def test_the_page_refuses_an_empty_question_with_nothing_written(alpha, client_of, in_alpha):
    member, _premises, account = member_with_home()
    client = client_of(alpha, member)
    response = client.post(
        "/letters/ask/", {"account": account.pk, "subject": "Тема", "text": "", "action": "send"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["text"] == ["Write the text: it cannot be empty."]
    assert Question.objects.count() == 0


def test_the_board_answers_through_the_page_and_sees_overdue_ones(
    alpha, client_of, in_alpha, on_day
):
    on_day(FRIDAY)
    late = ask(subject="Старый вопрос")
    on_day(datetime.date(2026, 2, 16))
    fresh = ask(subject="Новый вопрос")
    chairman = board_user()
    client = client_of(alpha, chairman)
    client.cookies["django_language"] = "en"

    board = client.get("/letters/board/")
    html = board.content.decode()
    assert board.context["overdue"] == 1 and board.context["waiting"] == 2
    assert "1 overdue" in html
    overdue = client.get("/letters/board/?status=overdue")
    assert [q.pk for q in overdue.context["page"].object_list] == [late.pk]
    assert "Старый вопрос" in html and "Новый вопрос" in html

    response = client.post(f"/letters/questions/{fresh.pk}/", {"text": "Ответ правления."})
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.status == QuestionStatus.ANSWERED
    late_entry = AuditEntry.objects.get(action="letters.question_answered", target_id=str(fresh.pk))
    assert late_entry.details["late"] is False


def test_the_reminders_go_once_per_due_date(in_alpha, on_day):
    on_day(FRIDAY)
    question = ask()  # due 13 February
    chairman = board_user()

    assert reminders.send_due_reminders(today=datetime.date(2026, 2, 11)) == {
        "due_soon": 0,
        "overdue": 0,
    }
    assert reminders.send_due_reminders(today=datetime.date(2026, 2, 12)) == {
        "due_soon": 1,
        "overdue": 0,
    }
    assert reminders.send_due_reminders(today=datetime.date(2026, 2, 13)) == {
        "due_soon": 0,
        "overdue": 0,
    }
    assert reminders.send_due_reminders(today=datetime.date(2026, 2, 16)) == {
        "due_soon": 0,
        "overdue": 1,
    }
    assert reminders.send_due_reminders(today=datetime.date(2026, 2, 17)) == {
        "due_soon": 0,
        "overdue": 0,
    }
    sent = Message.objects.filter(kind="letters.question_due")
    assert sent.count() == 2
    assert InboxItem.objects.filter(message__in=sent, user=chairman).count() == 2
    # Answered questions are never reminded of.
    services.answer(actor=chairman, question=question, text="Ответ.")
    Question.objects.filter(pk=question.pk).update(overdue_warned_for=None)
    assert reminders.send_due_reminders(today=datetime.date(2026, 2, 18))["overdue"] == 0


def test_erasing_the_holder_erases_the_letters_text_and_keeps_the_record(in_alpha):
    from tenants.residents import services as residents

    member, premises, account = member_with_home()
    question = ask(member, account=account)
    services.answer(actor=board_user(), question=question, text="Ответ правления.")
    other = ask()  # another holder's question stays
    residents.change_holder(
        account, holder={"full_name": "Новый Владелец"}, on=datetime.date.today()
    )
    holding = account.holdings.get(pk=question.holding_id)
    residents.erase_holder(holding)

    question.refresh_from_db()
    assert question.erased_at is not None and question.subject is None
    assert question.status == QuestionStatus.ANSWERED and question.due_on is not None
    assert all(m.text is None for m in question.messages.all())
    assert other.messages.get().text == "В подвале течёт труба."
    erased = AuditEntry.objects.get(action="residents.holder_erased")
    assert erased.details["questions_erased"] == 1
    assert erased.details["question_messages_erased"] == 2


def test_an_accountant_or_dispatcher_sees_no_letters(alpha, client_of, in_alpha):
    question = ask()
    for role in (Role.ACCOUNTANT, Role.DISPATCHER):
        client = client_of(alpha, UserFactory(roles=[role]))
        assert client.get(f"/letters/questions/{question.pk}/").status_code == 403
        assert client.get("/api/v1/letters/questions/").status_code == 403


def test_the_reminder_job_is_a_known_task_on_the_beat():
    from config.celery import app
    from core.extensions import beat_schedule

    app.loader.import_default_modules()
    assert "tenants.letters.tasks.send_reminders" in app.tasks
    entry = beat_schedule()["letters-reminders"]
    assert entry["task"] == "core.tasks.fan_out"
    assert entry["args"] == ("tenants.letters.tasks.send_reminders",)
