"""What a receipt says: everything Правила 354 п. 69 lists, as plain data.

Правила предоставления коммунальных услуг (ПП РФ № 354 от 06.05.2011), п. 69: the payer and the
premises' address, its area, the number of residents, the personal account and the period
(п. 69 «а»); the recipient with its bank details and contacts (п. 69 «б», «в»); for each service
its unit, volume, tariff and the amount accrued (п. 69 «г», «д»), recalculations with their
reason (п. 69 «ж») and benefits (п. 69 «е»); the total, the debt or prepayment of earlier
periods, penalties (п. 69 «з»); meter readings (п. 69 «д(1)»). A receipt is built from the
ledger by :mod:`tenants.ledger.receipts.selectors` and rendered by
:mod:`tenants.ledger.receipts.render`; the QR code's fields come from here too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from tenants.ledger.receipts import qr

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ServiceLine:
    """One service on the receipt (п. 69 «г»-«ж»)."""

    name: str
    unit: str
    volume: Decimal | None
    tariff: Decimal | None
    accrued: Decimal
    recalculation: Decimal = ZERO
    recalculation_reason: str = ""
    benefit: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """What is due for the service this month: accrued, plus recalculations, less the
        benefit (a benefit is kept as a positive reduction)."""
        return self.accrued + self.recalculation - self.benefit


@dataclass(frozen=True)
class MeterLine:
    """A meter's readings for the period (п. 69 «д(1)»)."""

    resource: str
    serial_number: str
    register: str
    previous: Decimal | None
    current: Decimal | None
    consumption: Decimal | None


@dataclass(frozen=True)
class RecipientSection:
    """What the payer owes one recipient: its bank details, its services, and the figures its
    QR code carries. A premises may have several recipients (a special account for capital
    repairs, say); each gets its own section and its own QR code."""

    name: str
    inn: str
    kpp: str
    account: str
    bank_name: str
    bic: str
    correspondent_account: str
    lines: tuple[ServiceLine, ...] = ()
    #: The balance before the period: a debt (> 0) or a prepayment (< 0).
    opening: Decimal = ZERO
    #: Paid during the period.
    paid: Decimal = ZERO
    #: Penalties posted for the period (ЖК ст. 155 ч. 14).
    penalties: Decimal = ZERO

    @property
    def charged(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def debt(self) -> Decimal:
        return max(self.opening, ZERO)

    @property
    def prepayment(self) -> Decimal:
        return max(-self.opening, ZERO)

    @property
    def due(self) -> Decimal:
        """The amount to pay: the balance after the period's charges, penalties and payments;
        nothing when paid in advance."""
        return max(self.opening + self.charged + self.penalties - self.paid, ZERO)


@dataclass(frozen=True)
class ReceiptData:
    """One receipt: a personal account for one month."""

    period: datetime.date
    account_number: str
    payer: str
    address: str
    area: Decimal | None
    residents: int
    association_name: str
    association_inn: str
    association_kpp: str
    association_address: str = ""
    association_phone: str = ""
    association_email: str = ""
    office_hours: str = ""
    due_date: datetime.date | None = None
    sections: tuple[RecipientSection, ...] = ()
    meters: tuple[MeterLine, ...] = field(default_factory=tuple)

    @property
    def total_due(self) -> Decimal:
        return sum((section.due for section in self.sections), ZERO)

    @property
    def total_charged(self) -> Decimal:
        return sum((section.charged for section in self.sections), ZERO)

    def purpose(self, section: RecipientSection) -> str:
        """The payment's purpose as the bank's statement will show it: account and month, so
        the import matches it (the account number in the purpose)."""
        return f"Оплата ЖКУ, л/с {self.account_number}, период {self.period:%m.%Y}"

    def payment(self, section: RecipientSection) -> qr.Payment:
        return qr.Payment(
            name=section.name,
            personal_acc=section.account,
            bank_name=section.bank_name,
            bic=section.bic,
            correspondent_acc=section.correspondent_account,
            payee_inn=section.inn,
            kpp=section.kpp,
            amount=section.due,
            purpose=self.purpose(section),
            pers_acc=self.account_number,
            period=self.period,
        )

    def payload(self, section: RecipientSection) -> str:
        return qr.build(self.payment(section))
