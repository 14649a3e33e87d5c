"""The demo association's registry: two buildings, 120 premises, owners with shares, accounts.

Made through the registry's own services (validated, audited, personal data encrypted under a
key per holding), in one transaction, once: when the demo's buildings exist, nothing is done.
Deterministic (no randomness), so every demo looks the same. The demo owner
(``owner@demo.tszh.local``) owns a half of flat 15 with her husband and parking place М2, both
in building 1; the chairman owns flat 1 of building 2.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.db import transaction

from tenants.residents import services
from tenants.residents.models import Building, DocumentKind, PremisesKind


@dataclass(frozen=True)
class DemoBuilding:
    number: int
    name: str
    address: str
    entrances: int
    floors: int
    flats_per_floor: int
    non_residential: int
    parking: int
    quarter: str  # cadastral quarter


BUILDINGS = (
    DemoBuilding(1, "Дом 1", "г. Москва, ул. Садовая, д. 12", 4, 9, 2, 2, 6, "77:01:0004012"),
    DemoBuilding(2, "Дом 2", "г. Москва, ул. Садовая, д. 14", 2, 9, 2, 1, 3, "77:01:0004013"),
)
DEMO_OWNER_EMAIL = "owner@demo.tszh.local"
CHAIRMAN_EMAIL = "chairman@demo.tszh.local"

MEN = (
    ("Иванов", "Сергей", "Петрович"),
    ("Кузнецов", "Алексей", "Игоревич"),
    ("Попов", "Николай", "Андреевич"),
    ("Васильев", "Дмитрий", "Сергеевич"),
    ("Соколов", "Михаил", "Викторович"),
    ("Морозов", "Андрей", "Николаевич"),
    ("Волков", "Евгений", "Александрович"),
    ("Лебедев", "Владимир", "Юрьевич"),
    ("Новиков", "Артём", "Олегович"),
    ("Фёдоров", "Илья", "Дмитриевич"),
    ("Павлов", "Роман", "Михайлович"),
)
WOMEN = (
    ("Иванова", "Елена", "Викторовна"),
    ("Кузнецова", "Ольга", "Сергеевна"),
    ("Попова", "Татьяна", "Николаевна"),
    ("Васильева", "Наталья", "Андреевна"),
    ("Соколова", "Ирина", "Петровна"),
    ("Морозова", "Мария", "Александровна"),
    ("Волкова", "Светлана", "Игоревна"),
    ("Лебедева", "Екатерина", "Юрьевна"),
    ("Новикова", "Анастасия", "Олеговна"),
    ("Фёдорова", "Юлия", "Дмитриевна"),
    ("Павлова", "Галина", "Михайловна"),
    ("Николаева", "Дарья", "Романовна"),
    ("Орлова", "Вера", "Ильинична"),
)
FLAT_AREAS = (
    Decimal("34.20"),
    Decimal("46.80"),
    Decimal("58.35"),
    Decimal("72.10"),
    Decimal("38.90"),
    Decimal("64.45"),
    Decimal("81.70"),
)
ORGANISATION = {"name": "ООО «Садовая торговля»", "inn": "7704123450", "ogrn": "1027700123450"}


def _person(n: int) -> str:
    surname, first, patronymic = (MEN if n % 2 else WOMEN)[(n * 7) % (11 if n % 2 else 13)]
    return f"{surname} {first} {patronymic}"


def _phone(n: int) -> str:
    return f"+7 916 {100 + n % 900:03d}-{(n * 37) % 100:02d}-{(n * 53) % 100:02d}"


def _shares(n: int) -> tuple[Fraction, ...]:
    """Mostly one owner; some halves, a third and two thirds, three thirds, one incomplete."""
    if n % 29 == 5:
        return (Fraction(1, 3),) * 3
    if n % 10 == 3:
        return (Fraction(1, 2), Fraction(1, 2))
    if n % 10 == 7:
        return (Fraction(1, 3), Fraction(2, 3))
    if n % 31 == 11:
        return (Fraction(1, 2),)  # the register is incomplete: the board sees a warning
    return (Fraction(1),)


def _premises_of(building: DemoBuilding):
    """(kind, number, floor, entrance, area) of every premises of a building."""
    flat = 0
    for entrance in range(1, building.entrances + 1):
        for floor in range(1, building.floors + 1):
            for _ in range(building.flats_per_floor):
                flat += 1
                area = FLAT_AREAS[(flat + building.number) % len(FLAT_AREAS)]
                yield PremisesKind.FLAT, str(flat), floor, str(entrance), area
    for n in range(1, building.non_residential + 1):
        yield PremisesKind.NON_RESIDENTIAL, f"Н{n}", 1, "", Decimal("86.40") + n * 12
    for n in range(1, building.parking + 1):
        yield PremisesKind.PARKING, f"М{n}", -1, "", Decimal("13.25") + Decimal(n % 3)


def _started(n: int) -> datetime.date:
    return datetime.date(2008 + n % 15, 1 + n % 12, 1 + n % 27)


def seed_registry() -> bool:
    """Create the demo registry in the current schema unless it exists; True if created."""
    if Building.objects.filter(name__in=[b.name for b in BUILDINGS]).exists():
        return False
    User = get_user_model()
    owner_user = User.objects.with_email(DEMO_OWNER_EMAIL).first()
    chairman = User.objects.with_email(CHAIRMAN_EMAIL).first()
    with transaction.atomic():
        n = 0
        for demo in BUILDINGS:
            building = services.create_building(name=demo.name, address=demo.address)
            for kind, number, floor, entrance, area in _premises_of(demo):
                n += 1
                _seed_premises(
                    n, demo, building, kind, number, floor, entrance, area, owner_user, chairman
                )
    return True


def _seed_premises(n, demo, building, kind, number, floor, entrance, area, owner_user, chairman):
    started = _started(n)
    premises = services.create_premises(
        building=building,
        kind=kind,
        number=number,
        floor=floor,
        entrance=entrance,
        area=area,
        cadastral_number=f"{demo.quarter}:{100 + n}",
        registered_residents=0 if kind == PremisesKind.PARKING else 1 + n % 4,
    )
    key = (demo.number, kind, number)
    organisation = key == (1, PremisesKind.NON_RESIDENTIAL, "Н1")
    people: list[dict] = []
    if key == (1, PremisesKind.FLAT, "15"):  # the demo owner and her husband, halves
        people = [
            {
                "full_name": "Смирнова Анна Владимировна",
                "user": owner_user,
                "email": DEMO_OWNER_EMAIL,
                "share": Fraction(1, 2),
            },
            {"full_name": "Смирнов Дмитрий Олегович", "share": Fraction(1, 2)},
        ]
    elif key == (1, PremisesKind.PARKING, "М2"):
        people = [
            {
                "full_name": "Смирнова Анна Владимировна",
                "user": owner_user,
                "email": DEMO_OWNER_EMAIL,
                "share": Fraction(1),
            },
        ]
    elif key == (2, PremisesKind.FLAT, "1"):
        people = [
            {
                "full_name": "Козлов Пётр Ильич",
                "user": chairman,
                "email": CHAIRMAN_EMAIL,
                "share": Fraction(1),
            },
        ]
    elif not organisation:
        people = [
            {"full_name": _person(n + i), "share": share} for i, share in enumerate(_shares(n))
        ]
    holder = {"full_name": ORGANISATION["name"] if organisation else people[0]["full_name"]}
    if not organisation:
        holder["phones"] = [_phone(n)]
    _account, holding = services.open_account(
        number=f"{demo.number}{n:04d}", holder=holder, started_on=started, premises=premises
    )
    document = {
        "document_kind": DocumentKind.EGRN_EXTRACT,
        "document_number": f"КУВИ-001/{started.year}-{100000 + n * 7}",
        "document_date": started,
        "egrn_record": f"{demo.quarter}:{100 + n}-77/011/{started.year}-{1 + n % 9}",
    }
    if organisation:
        services.add_owner(
            holding,
            premises=premises,
            share=Fraction(1),
            started_on=started,
            organisation=ORGANISATION,
            document=document,
            membership={"is_member": True, "member_since": started},
        )
        return
    for i, person in enumerate(people):
        member = (n + i) % 3 != 0
        services.add_owner(
            holding,
            premises=premises,
            share=person["share"],
            started_on=started,
            person={
                "full_name": person["full_name"],
                "primary_phone": _phone(n * 3 + i),
                "primary_email": person.get("email"),
            },
            document=document,
            membership={"is_member": member, "member_since": started if member else None},
            user=person.get("user"),
        )
