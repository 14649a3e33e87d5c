"""Receipts in the API (``api/v1/ledger/receipts/``): the months each account the caller reads
has a receipt (квитанция) for, with the PDF's address, under the same rule as the page
(``selectors.months``: a member their own holdings' months, a former holder theirs while they
owe). The board reads every account, so it names one: ``?account=<id>``."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES
from tenants.ledger import selectors as ledger
from tenants.ledger.receipts import selectors

READERS = (*ACCOUNT_READERS, *MEMBER_ROLES)
#: A member's accounts are few; the board names one account, so a page holds its months.
MONTHS_PER_ACCOUNT = 120


class ReceiptMonthSerializer(serializers.Serializer):
    account = serializers.UUIDField()
    number = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    pdf = serializers.CharField(help_text="the receipt's PDF (same session or token)")


class Receipts(APIView):
    """The receipts the caller may open, newest month first."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(
        parameters=[OpenApiParameter("account", str, description="an account's id (the board)")],
        responses=ReceiptMonthSerializer(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("account")
        if selectors.reads_all(request.user):
            if not wanted:
                raise serializers.ValidationError({"account": ["Name the account."]})
            try:
                accesses = [ledger.account_for(request.user, wanted)]
            except (Http404, ValueError, TypeError):
                raise Http404 from None
        else:
            accesses = selectors.accounts_for(request.user)
            if wanted:
                accesses = [a for a in accesses if str(a.account.pk) == wanted]
                if not accesses:
                    raise Http404
        rows = []
        for access in accesses:
            months = selectors.months(access.account, holding_ids=access.holding_ids)
            for month in months[:MONTHS_PER_ACCOUNT]:
                rows.append(
                    {
                        "account": str(access.account.pk),
                        "number": access.account.number,
                        "month": f"{month:%Y-%m}",
                        "pdf": reverse(
                            "receipts:receipt", args=[access.account.pk, f"{month:%Y-%m}"]
                        ),
                    }
                )
        return Response(rows)
