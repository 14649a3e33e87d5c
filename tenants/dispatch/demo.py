"""The demo association's dispatch desk: three suppliers with contracts, a board's deadline rule,
half a year of finished requests (the shipped sample's texts, filed for premises of both
buildings, as if phoned in to the desk), the classifier trained on them, and the demo owner's
own requests in every state: new, assigned, in progress, done (waiting for her rating), closed
and rated, and one joined with a neighbour's into a collective request.

Deterministic (no randomness) and made once: skipped when any request or supplier exists.
The classifier is trained by the worker right after (``tasks.train_classifier``, queued on
commit; the hourly job would do it anyway): importing scikit-learn and fitting would add
seconds to ``seed_demo``.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core import relay
from tenants.dispatch import classifier, selectors, services, sla, tasks
from tenants.dispatch.models import (
    Category,
    Event,
    EventAction,
    Place,
    Request,
    Status,
    Supplier,
    Urgency,
)
from tenants.dispatch.sample_ru import SAMPLE
from tenants.residents.models import Building, Premises

logger = logging.getLogger(__name__)
DEMO_OWNER_EMAIL = "owner@demo.tszh.local"
DISPATCHER_EMAIL = "dispatcher@demo.tszh.local"

SUPPLIERS = (
    (
        "ООО «Сантехсервис»",
        "7701000001",
        [Category.PLUMBING, Category.HEATING],
        "Павел Сергеевич Трубин",
        "+7 495 100-00-01",
    ),
    ("ООО «Лифтсервис-М»", "7701000002", [Category.ELEVATOR], "Ирина Лифтова", "+7 495 100-00-02"),
    (
        "ИП Электров А. В.",
        "770100000312",
        [Category.ELECTRICITY, Category.DOORS],
        "Андрей Электров",
        "+7 900 100-00-03",
    ),
    (
        "ООО «Чистый двор»",
        "7701000004",
        [Category.CLEANING, Category.TERRITORY, Category.ROOF, Category.BUILDING],
        "Марина Дворова",
        "+7 495 100-00-04",
    ),
)


def _suppliers(actor) -> dict[str, Supplier]:
    by_category: dict[str, Supplier] = {}
    for n, (name, inn, categories, person, phone) in enumerate(SUPPLIERS, start=1):
        supplier = services.save_supplier(
            None,
            actor=actor,
            name=name,
            inn=inn,
            categories=[str(c) for c in categories],
            contact_person=person,
            phone=phone,
            email=f"office{n}@example.test",
        )
        services.add_contract(
            supplier,
            actor=actor,
            number=f"{n}/2025-ТО",
            signed_on=datetime.date(2025, 1, 10),
            valid_from=datetime.date(2025, 1, 15),
            valid_to=datetime.date(2026, 12, 31),
            subject="Техническое обслуживание и ремонт",
            amount=Decimal(240000 + n * 60000),
        )
        for category in categories:
            by_category.setdefault(str(category), supplier)
    return by_category


def _history(premises: list[Premises], suppliers: dict, now) -> int:
    """Finished requests of the last six months from the shipped sample: filed, assigned, done
    (some after their deadline, a few reopened once), most rated; none of them has a login."""
    zone = sla.association_zone()
    table = sla.table_in_force(now.date())
    made = 0
    for index, (text, category) in enumerate(SAMPLE):
        home = premises[(index * 7) % len(premises)]
        holding_id = selectors.holding_id_of(home.pk)
        if holding_id is None:
            continue
        urgency = (Urgency.NORMAL, Urgency.NORMAL, Urgency.URGENT, Urgency.EMERGENCY)[index % 4]
        filed = now - datetime.timedelta(days=7 + (index * 37) % 175, hours=(index * 5) % 11)
        due = sla.deadline(filed, table[(category, urgency)], urgency, zone)
        took = (due - filed) * ((index * 29) % 13 + 3) / 10  # 30 %…150 % of the time allowed
        done = filed + took
        rated = index % 5 != 0
        request = Request(
            number=services._next_number(),
            kind="complaint" if category == Category.NOISE else "repair",
            category=category,
            suggested_category=classifier.by_rules(text).category,
            category_confirmed_at=filed + datetime.timedelta(minutes=20),
            place=Place.PREMISES if index % 3 else Place.COMMON,
            premises=home if index % 3 else None,
            building_id=home.building_id,
            urgency=urgency,
            status=Status.CLOSED,
            holding_id=holding_id,
            description=text,
            supplier=suppliers.get(category),
            cost=Decimal(800 + (index * 450) % 9000) if index % 2 else None,
            filed_at=filed,
            due_at=due,
            assigned_at=filed + datetime.timedelta(minutes=40),
            started_at=filed + datetime.timedelta(hours=1),
            done_at=done,
            closed_at=done + datetime.timedelta(days=1),
            reopen_count=1 if index % 17 == 0 else 0,
            rating=(5, 4, 5, 3, 4, 2, 5)[index % 7] if rated else None,
            rated_at=done + datetime.timedelta(days=1) if rated else None,
        )
        request.save(force_insert=True)
        Event.objects.bulk_create(
            [
                Event(
                    request=request,
                    at=filed,
                    action=EventAction.FILED,
                    status_to=Status.NEW,
                    by_desk=True,
                ),
                Event(
                    request=request,
                    at=done,
                    action=EventAction.STATUS,
                    status_from=Status.IN_PROGRESS,
                    status_to=Status.DONE,
                    by_desk=True,
                ),
            ]
        )
        made += 1
    return made


def _owners_requests(owner, dispatcher, neighbour_home, suppliers) -> int:
    homes = selectors.home_choices(owner)
    if not homes:
        return 0
    flat = next((h for h in homes if h.kind == "flat"), homes[0])
    services.file_request(
        actor=owner,
        category=Category.PLUMBING,
        place=Place.PREMISES,
        premises=flat,
        description="Капает смеситель в ванной, под раковиной мокро",
        access_time="будни после 19:00, суббота весь день",
        contact_phone="+7 900 555-15-15",
        share_phone=True,
    )
    assigned = services.file_request(
        actor=owner,
        category=Category.ELECTRICITY,
        place=Place.COMMON,
        building=flat.building,
        location_note="3-й подъезд, 5 этаж",
        description="На площадке не горит свет уже два дня",
        urgency=Urgency.URGENT,
    )
    services.assign(
        assigned,
        actor=dispatcher,
        supplier=suppliers.get(Category.ELECTRICITY),
        work_description="Заменить лампу и проверить датчик движения на площадке 5 этажа",
    )
    working = services.file_request(
        actor=owner,
        category=Category.HEATING,
        place=Place.PREMISES,
        premises=flat,
        description="Батарея в детской еле тёплая",
        access_time="в любой день с 10 до 13",
    )
    services.assign(
        working,
        actor=dispatcher,
        supplier=suppliers.get(Category.HEATING),
        work_description="Стравить воздух из радиатора в детской, проверить стояк",
    )
    services.change_status(working, actor=dispatcher, to=Status.IN_PROGRESS)
    services.add_comment(
        working, actor=dispatcher, text="Мастер придёт в четверг с 10 до 12.", by_desk=True
    )
    done = services.file_request(
        actor=owner,
        category=Category.DOORS,
        place=Place.COMMON,
        building=flat.building,
        description="Не работает домофон в нашем подъезде",
    )
    services.assign(done, actor=dispatcher, supplier=suppliers.get(Category.DOORS))
    services.change_status(done, actor=dispatcher, to=Status.IN_PROGRESS)
    services.change_status(done, actor=dispatcher, to=Status.DONE, cost="3200")
    rated = services.file_request(
        actor=owner,
        category=Category.CLEANING,
        place=Place.COMMON,
        building=flat.building,
        description="Переполнены контейнеры у второго подъезда",
    )
    services.change_status(rated, actor=dispatcher, to=Status.IN_PROGRESS)
    services.change_status(rated, actor=dispatcher, to=Status.DONE)
    services.rate(rated, actor=owner, rating=5, comment="Вывезли в тот же день, спасибо!")
    joined = services.file_request(
        actor=owner,
        category=Category.ELEVATOR,
        place=Place.COMMON,
        building=flat.building,
        description="Лифт во 2-м подъезде останавливается между этажами",
        urgency=Urgency.URGENT,
    )
    made = 6
    holding_id = selectors.holding_id_of(neighbour_home.pk) if neighbour_home else None
    if holding_id is not None:
        now = timezone.now()
        neighbours = Request(
            number=services._next_number(),
            category=Category.ELEVATOR,
            suggested_category=Category.ELEVATOR,
            place=Place.COMMON,
            building_id=neighbour_home.building_id,
            urgency=Urgency.URGENT,
            status=Status.NEW,
            holding_id=holding_id,
            description="Лифт дёргается и встаёт, вчера застряли с ребёнком",
            filed_at=now,
            due_at=sla.due_at(Category.ELEVATOR, Urgency.URGENT, now),
        )
        neighbours.save(force_insert=True)
        collective = services.merge(
            [joined, neighbours],
            actor=dispatcher,
            description="Лифт во 2-м подъезде Дома 1 останавливается между этажами",
        )
        services.assign(collective, actor=dispatcher, supplier=suppliers.get(Category.ELEVATOR))
        made += 2
    return made


@transaction.atomic
def seed_demo() -> str:
    if Request.objects.exists() or Supplier.objects.exists():
        return ""
    User = get_user_model()
    owner = User.objects.with_email(DEMO_OWNER_EMAIL).first()
    dispatcher = User.objects.with_email(DISPATCHER_EMAIL).first()
    first = Building.objects.filter(name="Дом 1").first()
    if first is None:
        return ""
    suppliers = _suppliers(dispatcher)
    services.set_sla_hours(
        actor=None,
        category=Category.ELEVATOR,
        urgency=Urgency.EMERGENCY,
        hours=1,
        valid_from=datetime.date(2025, 1, 1),
    )
    premises = list(Premises.objects.filter(kind="flat").order_by("building__name", "number"))
    history = _history(premises, suppliers, timezone.now())
    transaction.on_commit(_queue_training)
    own = 0
    if owner is not None:
        neighbour = Premises.objects.filter(building=first, kind="flat", number="27").first()
        own = _owners_requests(owner, dispatcher, neighbour, suppliers)
    return (
        f"Demo dispatch: {len(SUPPLIERS)} suppliers, {history} past requests, {own} of the "
        "owner's; the classifier is trained by the worker"
    )


def _queue_training() -> None:
    relay.send(tasks.train_classifier)  # Redis down: kept for the relay; the hourly job trains too
