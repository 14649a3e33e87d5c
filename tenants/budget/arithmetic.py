"""From an estimate to the rates members pay, and the estimate's canonical content and hash.

Pure functions over plain values (no queries): the services and selectors feed them.

**Rates.** The lines sharing one basis are summed; capital repair is a separate contribution
(ЖК РФ ст. 158 ч. 3; its own service in the ledger), so its lines make a rate of their own. A
year's amount is shared over the registry's total of the basis and over 12 months:

    rate = sum(planned) / base / 12

rounded once, at the end, ``ROUND_HALF_UP``: per m² and per сотка to **4 places** (the ledger's
``Tariff.rate`` has ``decimal_places=4``, so the tariff is exactly the rate shown); per premises
and per member to **kopecks** (2 places). A base of zero gives no rate (None), never a division
by zero. The change against last year is ``this - last`` and, where last year's rate is not
zero, ``(this - last) / last × 100`` rounded to 0.1 % ``ROUND_HALF_UP``.

**Hash.** The approved content is the canonical JSON of the estimate's year, bases and lines
(``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, amounts as strings
with two places, lines ordered by id) and its SHA-256 in hex.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tenants.budget.models import ARTICLE_ORDER, Article, Basis

ZERO = Decimal("0.00")
MONTHS = 12
TARIFF_PLACES = Decimal("0.0001")
KOPECK = Decimal("0.01")
PERCENT_PLACES = Decimal("0.1")

#: Places of each basis's rate.
PLACES = {
    Basis.AREA: TARIFF_PLACES,
    Basis.SOTKA: TARIFF_PLACES,
    Basis.PREMISES: KOPECK,
    Basis.MEMBER: KOPECK,
}
#: Units of each basis's rate (shown after "₽ per … per month").
UNITS = {Basis.AREA: "m²", Basis.SOTKA: "сотка", Basis.PREMISES: "premises", Basis.MEMBER: "member"}


@dataclass(frozen=True)
class Bases:
    """The registry's totals the year's amounts are shared over."""

    area: Decimal = ZERO
    premises: int = 0
    sotki: Decimal = ZERO
    members: int = 0

    def of(self, basis: str) -> Decimal:
        return Decimal(
            {
                Basis.AREA: self.area,
                Basis.PREMISES: self.premises,
                Basis.SOTKA: self.sotki,
                Basis.MEMBER: self.members,
            }[basis]
        )


def bases_of(estimate) -> Bases:
    """The totals kept on an estimate."""
    return Bases(
        area=estimate.total_area,
        premises=estimate.premises_count,
        sotki=estimate.sotki,
        members=estimate.members_count,
    )


@dataclass(frozen=True)
class Rate:
    basis: str
    capital: bool
    yearly: Decimal  # the year's amount shared this way
    base: Decimal  # the registry's total
    rate: Decimal | None  # ₽ per unit per month, rounded
    last: Decimal | None = None  # last year's rate of the same key

    @property
    def key(self) -> tuple[str, bool]:
        return (self.basis, self.capital)

    @property
    def change(self) -> Decimal | None:
        if self.rate is None or self.last is None:
            return None
        return self.rate - self.last

    @property
    def change_percent(self) -> Decimal | None:
        if self.change is None or not self.last:
            return None
        return (self.change * 100 / self.last).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def monthly_rate(yearly: Decimal, base: Decimal, basis: str) -> Decimal | None:
    """``yearly / base / 12`` rounded to the basis's places ``ROUND_HALF_UP``; None for no base."""
    if not base:
        return None
    return (Decimal(yearly) / Decimal(base) / MONTHS).quantize(
        PLACES[basis], rounding=ROUND_HALF_UP
    )


def rates(lines, bases: Bases, last: dict | None = None) -> list[Rate]:
    """The rates of ``lines`` (anything with ``planned``, ``basis``, ``article``), one per basis
    and capital flag, in the order of ``Basis``; ``last``: last year's rates by key."""
    sums: dict[tuple[str, bool], Decimal] = {}
    for line in lines:
        key = (line.basis, line.article == Article.CAPITAL_REPAIR)
        sums[key] = sums.get(key, ZERO) + Decimal(line.planned)
    order = {value: index for index, value in enumerate(Basis.values)}
    result = []
    for basis, capital in sorted(sums, key=lambda k: (k[1], order[k[0]])):
        yearly = sums[(basis, capital)]
        base = bases.of(basis)
        result.append(
            Rate(
                basis=basis,
                capital=capital,
                yearly=yearly,
                base=base,
                rate=monthly_rate(yearly, base, basis),
                last=(last or {}).get((basis, capital)),
            )
        )
    return result


def money(value) -> str:
    return str(Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP))


def line_content(line) -> dict:
    return {
        "id": str(line.id),
        "article": line.article,
        "name": line.name,
        "planned": money(line.planned),
        "comment": line.comment,
        "basis": line.basis,
    }


def content(estimate, lines) -> dict:
    """The canonical content of ``estimate`` with ``lines`` (ordered by id)."""
    return {
        "year": estimate.year,
        "bases": {
            "area": money(estimate.total_area),
            "premises": estimate.premises_count,
            "sotki": money(estimate.sotki),
            "members": estimate.members_count,
        },
        "lines": sorted((line_content(line) for line in lines), key=lambda row: row["id"]),
    }


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(data: dict) -> str:
    """SHA-256 (hex) of the canonical JSON of ``data``."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LineChange:
    """One line's difference between two versions: ``kind`` added, removed or changed, and the
    fields that changed (name → (before, after))."""

    kind: str
    name: str
    article: str
    fields: dict


def diff(before: dict, after: dict) -> list[LineChange]:
    """Line-by-line differences of two contents (lines matched by id)."""
    old = {row["id"]: row for row in before.get("lines", [])}
    new = {row["id"]: row for row in after.get("lines", [])}
    changes = []
    for key, row in new.items():
        if key not in old:
            changes.append(LineChange("added", row["name"], row["article"], {}))
            continue
        fields = {
            name: (old[key][name], row[name])
            for name in ("article", "name", "planned", "comment", "basis")
            if old[key][name] != row[name]
        }
        if fields:
            changes.append(LineChange("changed", row["name"], row["article"], fields))
    for key, row in old.items():
        if key not in new:
            changes.append(LineChange("removed", row["name"], row["article"], {}))
    changes.sort(key=lambda c: (ARTICLE_ORDER.get(c.article, 99), c.name))
    return changes
