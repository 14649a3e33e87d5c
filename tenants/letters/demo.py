"""The demo association's letters: the demo owner's questions to the chairman (one answered and
published in the Q&A, one answered with a reply waiting again, one waiting, one overdue), three
more published answers, and two applications in the journal (one answered).

Made through the services (encrypted, numbered, audited like the real thing), then dated back
so the terms and the overdue mark show; made once (skipped when any question exists).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tenants.letters import selectors, services, workdays
from tenants.letters.models import ApplicationTemplate, Question, QuestionMessage
from tenants.portal.demo_registry import CHAIRMAN_EMAIL, DEMO_OWNER_EMAIL

QUESTIONS = [
    # (subject, text, answer, member's reply, working days ago, public version or None)
    (
        "Замена почтовых ящиков",
        "Добрый день! В первом подъезде почтовые ящики сломаны, мой не закрывается. "
        "Когда их заменят?",
        "Здравствуйте! Новые почтовые ящики заказаны, установка в первом и втором подъездах "
        "запланирована на следующий месяц. Ключи выдадим в офисе правления.",
        "",
        12,
        (
            "Когда заменят почтовые ящики",
            "Почтовые ящики в подъезде сломаны и не закрываются. Когда их заменят?",
            "Новые почтовые ящики заказаны; установка в подъездах — в следующем месяце. "
            "Ключи выдаются в офисе правления.",
        ),
    ),
    (
        "Перерасчёт за горячую воду",
        "В прошлом месяце горячей воды не было 5 дней, а в квитанции начислено полностью. "
        "Будет ли перерасчёт?",
        "Перерасчёт за период отключения сделан, он будет в квитанции за текущий месяц.",
        "Спасибо. А перерасчёт будет и по общедомовым нуждам?",
        8,
        None,
    ),
    (
        "Парковка у второго подъезда",
        "Можно ли нанести разметку у второго подъезда? Машины ставят вплотную к входу.",
        "",
        "",
        3,
        None,
    ),
    (
        "Протечка на техническом этаже",
        "С техэтажа над нашей квартирой после дождя капает вода на потолок в коридоре.",
        "",
        "",
        14,
        None,
    ),
]

GENERAL = [
    (
        "Как передать показания счётчиков",
        "Куда и до какого числа передавать показания счётчиков воды и электроэнергии?",
        "Показания передаются на портале в разделе «Показания счётчиков» до 25-го числа. "
        "Поздние показания учитываются в следующем месяце.",
    ),
    (
        "Кто оплачивает поверку счётчика",
        "Счётчику воды пора на поверку. Кто её оплачивает?",
        "Поверку индивидуального прибора учёта организует и оплачивает собственник "
        "помещения. После поверки сообщите в правление новую дату.",
    ),
    (
        "Протекает кровля или стояк: куда звонить",
        "Протечка с крыши или из стояка — куда обращаться в выходные?",
        "Аварийная служба работает круглосуточно, её телефон — на странице товарищества. "
        "Протечку из общего имущества устраняет товарищество.",
    ),
]


def _working_days_ago(days: int) -> datetime.date:
    day = selectors.association_today()
    while days > 0:
        day -= datetime.timedelta(days=1)
        if workdays.is_working_day(day):
            days -= 1
    return day


def _back_date(question: Question, asked_on: datetime.date) -> None:
    asked_at = timezone.make_aware(datetime.datetime.combine(asked_on, datetime.time(10, 30)))
    due = selectors.due_for(asked_on)
    Question.objects.filter(pk=question.pk).update(
        asked_at=asked_at,
        received_on=asked_on,
        due_on=due.on,
        term_days=due.days,
        term_working=due.working,
        term_rule=due.rule,
    )
    first = question.messages.order_by("created_at").first()
    QuestionMessage.objects.filter(pk=first.pk).update(created_at=asked_at)


def seed_demo() -> str:
    if Question.objects.exists():
        return ""
    User = get_user_model()
    owner = User.objects.with_email(DEMO_OWNER_EMAIL).first()
    chairman = User.objects.with_email(CHAIRMAN_EMAIL).first()
    if owner is None or chairman is None:
        return ""
    account = selectors.writing_accounts(owner).filter(premises__kind="flat").first()
    if account is None:
        return ""
    with transaction.atomic():
        for subject, text, answer, reply, ago, public in QUESTIONS:
            question = services.ask(actor=owner, account=account, subject=subject, text=text)
            _back_date(question, _working_days_ago(ago))
            question.refresh_from_db()
            if answer:
                services.answer(actor=chairman, question=question, text=answer)
            if reply:
                services.reply(actor=owner, question=question, text=reply)
            if public:
                title, public_question, public_answer = public
                services.publish(
                    actor=chairman,
                    question=question,
                    title=title,
                    question_text=public_question,
                    answer_text=public_answer,
                )
        for title, public_question, public_answer in GENERAL:
            services.publish(
                actor=chairman,
                question=None,
                title=title,
                question_text=public_question,
                answer_text=public_answer,
            )
        meter = ApplicationTemplate.objects.filter(code="meter-replacement").first()
        access = ApplicationTemplate.objects.filter(code="access").first()
        filed = 0
        if meter is not None:
            application = services.file_application(
                actor=owner,
                account=account,
                template=meter,
                values={
                    "f1": "ХВС",
                    "f2": "DEMO-CO-00029",
                    "f3": "312,456",
                    "f4": "ВСКМ-90-15 № 2417735",
                    "f5": "0,000",
                    "f6": selectors.association_today().strftime("%d.%m.%Y"),
                    "f8": "будни после 18:00",
                },
            )
            services.answer_application(
                actor=chairman,
                application=application,
                text="Опломбирование назначено на ближайший четверг, 18:30. Возьмите паспорт "
                "прибора.",
            )
            filed += 1
        if access is not None:
            services.file_application(
                actor=owner,
                account=account,
                template=access,
                values={
                    "f1": "Въезд во двор (шлагбаум)",
                    "f2": "Смирнова А. В., автомобиль А123ВС777",
                    "f3": "постоянно",
                },
            )
            filed += 1
    return (
        f"letters: {len(QUESTIONS)} questions, {len(GENERAL) + 1} published answers, "
        f"{filed} applications"
    )
