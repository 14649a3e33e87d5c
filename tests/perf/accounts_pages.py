"""Bench-only pages: 50 accounts with their holders, decrypted vs read as plain text columns.

Both go through the whole stack (middleware, session, template with the base layout); the only
difference is whether the holder's name and phones are opened (decrypted) or shown as stored.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import models
from django.shortcuts import render

from tenants.residents.models import Holding, PersonalAccount

ROWS = 50


class PlainHolding(models.Model):
    """The same table read through plain text columns: the page without decryption."""

    account = models.ForeignKey(PersonalAccount, on_delete=models.DO_NOTHING, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True)
    erased_at = models.DateTimeField(null=True)
    full_name = models.TextField(null=True)
    phones = models.TextField(null=True)
    emails = models.TextField(null=True)
    documents = models.TextField(null=True)

    class Meta:
        app_label = "residents"
        managed = False
        db_table = "residents_holding"

    def __str__(self) -> str:
        return f"PlainHolding {self.pk}"


def account_rows(model) -> list[dict]:
    # The bench's own 50 accounts (B-0000…), not the demo's registry.
    holdings = (
        model.objects.select_related("account")
        .filter(account__number__startswith="B-", ended_on__isnull=True)
        .order_by("account__number")[:ROWS]
    )
    return [{"number": h.account.number, "name": h.full_name, "phones": h.phones} for h in holdings]


@login_required
def encrypted_accounts(request):
    return render(request, "perf/accounts.html", {"rows": account_rows(Holding)})


@login_required
def plain_accounts(request):
    return render(request, "perf/accounts.html", {"rows": account_rows(PlainHolding)})
