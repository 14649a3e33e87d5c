"""The demo association's forum: two sections, a few topics with posts, a quote, a mention,
an edit (``manage.py seed_demo``; once: skipped when the forum has sections)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from core.access.roles import Role
from tenants.forum import services
from tenants.forum.models import Section


def _login(role: str, *, besides: tuple[str, ...] = ()):
    """The earliest active login holding ``role`` and none of ``besides``."""
    logins = get_user_model().objects.filter(roles__contains=[role], is_active=True)
    if besides:
        logins = logins.exclude(roles__overlap=list(besides))
    return logins.order_by("date_joined").first()


@transaction.atomic
def seed_demo() -> str:
    if Section.objects.exists():
        return ""
    chairman = _login(Role.CHAIRMAN)
    owner = _login(Role.OWNER, besides=(Role.CHAIRMAN, Role.BOARD_MEMBER))
    if chairman is None or owner is None:
        return ""
    house = services.save_section(
        actor=chairman,
        title="Дом и двор",
        description="Ремонт, уборка, благоустройство двора, парковка.",
        position=1,
    )
    money = services.save_section(
        actor=chairman,
        title="Смета и взносы",
        description="Обсуждение сметы доходов и расходов, тарифов и отчётов правления.",
        position=2,
    )
    meters = services.start_topic(
        actor=owner,
        section=house,
        title="Замена счётчиков воды в первом подъезде",
        body="Кто уже менял **счётчики** воды в этом году? Подскажите, какую организацию "
        "звали и сколько стоила поверка.",
    )
    first = meters.posts.get(number=1)
    answer = services.reply(
        actor=chairman,
        topic=meters,
        body="Правление договорилось с обслуживающей организацией: замена счетчиков по "
        "заявке через диспетчерскую, поверка — по графику.\n\n"
        "- заявку можно подать на портале;\n- акт поверки прикрепите к показаниям.",
        quote=first,
    )
    services.reply(
        actor=owner,
        topic=meters,
        body="Спасибо! Подам заявку на этой неделе.",
        quote=answer,
        mentions=[chairman],
    )
    services.edit_post(
        actor=owner,
        post=first,
        body=first.body + "\n\n_Дополнение:_ интересует и горячая вода.",
    )
    yard = services.start_topic(
        actor=chairman,
        section=house,
        title="Благоустройство двора весной",
        body="Предлагаем обновить детскую площадку и высадить кусты вдоль парковки. "
        "Пишите предложения до конца месяца.",
    )
    services.reply(actor=owner, topic=yard, body="Нужны ещё велопарковки у подъездов.")
    budget = services.start_topic(
        actor=chairman,
        section=money,
        title="Проект сметы на следующий год",
        body="Проект сметы опубликован в документах. Главные статьи: содержание общего "
        "имущества, текущий ремонт кровли, уборка снега. Вопросы — в этой теме.",
    )
    services.reply(
        actor=owner,
        topic=budget,
        body="Почему статья на уборку снега выросла на 12 %? Прошлой зимой техника "
        "приезжала нечасто.",
    )
    return "2 forum sections, 3 topics with posts"
