"""The estimate → rate arithmetic against worked cases (no database)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from tenants.budget import arithmetic
from tenants.budget.models import Article, Basis


def line(planned, basis=Basis.AREA, article=Article.MAINTENANCE, **more):
    return SimpleNamespace(planned=Decimal(planned), basis=basis, article=article, **more)


def test_per_m2_rate_is_the_year_over_area_and_twelve_months_to_four_places():
    # 1 000 000 ₽ a year over 4 321.50 m²: 1000000 / 4321.5 / 12 = 19.28342... → 19.2834
    bases = arithmetic.Bases(area=Decimal("4321.50"))
    [rate] = arithmetic.rates([line("600000"), line("400000")], bases)
    assert rate.yearly == Decimal("1000000")
    assert rate.rate == Decimal("19.2834")


def test_half_up_at_the_fifth_place():
    # 12.0006 / 1 / 12 = 1.00005 → 1.0001 (half up); 12.0005 / 12 = 1.0000417 → 1.0000
    assert arithmetic.monthly_rate(Decimal("12.0006"), Decimal(1), Basis.AREA) == Decimal("1.0001")
    assert arithmetic.monthly_rate(Decimal("12.0005"), Decimal(1), Basis.AREA) == Decimal("1.0000")


def test_per_premises_and_per_member_to_kopecks_half_up():
    # 100 000 ₽ over 120 premises: 100000 / 120 / 12 = 69.4444... → 69.44
    assert arithmetic.monthly_rate(Decimal("100000"), Decimal(120), Basis.PREMISES) == Decimal(
        "69.44"
    )
    # 3 ₽ over 1 member: 0.25 exactly; 0.125 → 0.13 (half up, not banker's 0.12)
    assert arithmetic.monthly_rate(Decimal("1.50"), Decimal(1), Basis.MEMBER) == Decimal("0.13")


def test_capital_repair_is_a_rate_of_its_own_and_no_base_gives_no_rate():
    bases = arithmetic.Bases(area=Decimal("1000.00"), premises=0)
    rates = arithmetic.rates(
        [
            line("120000"),
            line("60000", article=Article.CAPITAL_REPAIR),
            line("1200", basis=Basis.PREMISES),
        ],
        bases,
    )
    by_key = {r.key: r for r in rates}
    assert by_key[("area", False)].rate == Decimal("10.0000")
    assert by_key[("area", True)].rate == Decimal("5.0000")
    assert by_key[("premises", False)].rate is None
    assert [r.key for r in rates] == [("area", False), ("premises", False), ("area", True)]


def test_change_against_last_year():
    bases = arithmetic.Bases(sotki=Decimal("600.00"))
    # 72 000 ₽ over 600 сотки: 10 ₽ per сотка a month; last year 8 ₽: +2, +25.0 %
    [rate] = arithmetic.rates(
        [line("72000", basis=Basis.SOTKA)], bases, {("sotka", False): Decimal("8.0000")}
    )
    assert rate.rate == Decimal("10.0000")
    assert rate.change == Decimal("2.0000")
    assert rate.change_percent == Decimal("25.0")
    # 7.50 → 10: +33.3 % (33.333... half up to tenths)
    [rate] = arithmetic.rates(
        [line("72000", basis=Basis.SOTKA)], bases, {("sotka", False): Decimal("7.5")}
    )
    assert rate.change_percent == Decimal("33.3")


def test_hash_is_canonical_and_changes_with_any_field():
    estimate = SimpleNamespace(
        year=2026,
        total_area=Decimal("100"),
        premises_count=2,
        sotki=Decimal("0"),
        members_count=0,
    )
    a = line("100.00", id="b", name="B", comment="")
    b = line("200", id="a", name="A", comment="x")
    first = arithmetic.digest(arithmetic.content(estimate, [a, b]))
    assert first == arithmetic.digest(arithmetic.content(estimate, [b, a]))  # order-free
    assert len(first) == 64
    b.planned = Decimal("200.01")
    assert arithmetic.digest(arithmetic.content(estimate, [a, b])) != first


def test_diff_names_added_removed_and_changed_lines():
    before = {
        "lines": [
            {"id": "1", "article": "maintenance", "name": "A", "planned": "1.00", "comment": "",
             "basis": "area"},
            {"id": "2", "article": "salaries", "name": "B", "planned": "2.00", "comment": "",
             "basis": "area"},
        ]
    }  # fmt: skip
    after = {
        "lines": [
            {"id": "1", "article": "maintenance", "name": "A", "planned": "1.50", "comment": "c",
             "basis": "area"},
            {"id": "3", "article": "reserve", "name": "C", "planned": "3.00", "comment": "",
             "basis": "area"},
        ]
    }  # fmt: skip
    changes = arithmetic.diff(before, after)
    assert [(c.kind, c.name) for c in changes] == [
        ("changed", "A"),
        ("removed", "B"),
        ("added", "C"),
    ]
    assert changes[0].fields == {"planned": ("1.00", "1.50"), "comment": ("", "c")}
