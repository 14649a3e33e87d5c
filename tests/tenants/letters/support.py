"""Letters for tests, made through the services (valid, encrypted and audited like the real
thing). Call inside a tenant schema (``in_alpha``)."""

from __future__ import annotations

from core.access.roles import Role
from tenants.letters import services
from tenants.letters.models import ApplicationTemplate
from tests.factories import UserFactory
from tests.tenants.residents.factories import make_owner, make_premises


def member_with_home(*, roles=(Role.OWNER,), **user_fields):
    """An owner with a login and premises of their own; (user, premises, account)."""
    user = UserFactory(roles=list(roles), **user_fields)
    premises = make_premises()
    make_owner(premises, user=user)
    return user, premises, premises.accounts.get()


def ask(user=None, *, account=None, subject="Протечка в подвале", text="В подвале течёт труба."):
    if user is None:
        user, _premises, account = member_with_home()
    if account is None:
        account = user_account(user)
    return services.ask(actor=user, account=account, subject=subject, text=text)


def user_account(user):
    from tenants.letters import selectors

    return selectors.writing_accounts(user).first()


def board_user(**fields):
    return UserFactory(roles=[Role.CHAIRMAN, Role.BOARD_MEMBER], **fields)


def answered_question(**kwargs):
    question = ask(**kwargs)
    services.answer(actor=board_user(), question=question, text="Сантехник придёт в четверг.")
    question.refresh_from_db()
    return question


def free_form() -> ApplicationTemplate:
    return ApplicationTemplate.objects.get(code="free-form")


def file_application(user=None, *, account=None, template=None, values=None):
    if user is None:
        user, _premises, account = member_with_home()
    if account is None:
        account = user_account(user)
    return services.file_application(
        actor=user,
        account=account,
        template=template or free_form(),
        values=values or {"f1": "Ключи от подвала", "f2": "Прошу выдать ключ от подвала."},
    )


def published_entry(**fields):
    question = answered_question()
    fields.setdefault("title", "Когда починят трубу в подвале")
    fields.setdefault("question_text", "В подвале протекает труба. Когда её починят?")
    fields.setdefault("answer_text", "Сантехник заменит участок трубы на этой неделе.")
    return services.publish(actor=board_user(), question=question, **fields)
