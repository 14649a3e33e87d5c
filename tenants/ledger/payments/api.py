"""The payments' API under ``api/v1/ledger/``: payments (read by the board and the accountant,
recorded by the accountant) and debtors. The same answers as the pages; a refusal is a 400
(``core.access.api.exception_handler``). Members read their payments in their journal
(``api/v1/ledger/accounts/<id>/journal/``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import ACCOUNT_READERS
from tenants.ledger.declaration import LEDGER_KEEPERS
from tenants.ledger.payments import selectors, services
from tenants.ledger.payments.models import Payment, PaymentSource


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class PaymentSerializer(serializers.ModelSerializer):
    # A queued payment (no account found for it yet) has none: null.
    account = serializers.CharField(
        source="account.number", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "source",
            "status",
            "account",
            "amount",
            "paid_on",
            "named_period",
            "queue_reason",
            "created_at",
        ]


class NewPayment(serializers.Serializer):
    account = serializers.CharField(max_length=32)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_on = serializers.DateField()
    source = serializers.ChoiceField(choices=[PaymentSource.CASH, PaymentSource.BANK])
    source_id = serializers.CharField(max_length=120)
    named_period = serializers.DateField(required=False, allow_null=True)


class Payments(ListAPIView):
    """Payments, newest first; ``POST`` records one from the cash desk or the bank."""

    permission_classes = [HasRole.of(*ACCOUNT_READERS, write=LEDGER_KEEPERS)]
    serializer_class = PaymentSerializer
    pagination_class = Pages

    def get_queryset(self):
        return Payment.objects.select_related("account").order_by("-created_at")

    def post(self, request):
        given = NewPayment(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        with transaction.atomic():
            account = selectors.account_by_number(data.pop("account"))
            if account is None:
                raise ValidationError(
                    {"account": _("There is no personal account with this number.")}
                )
            payment = services.record_payment(actor=request.user, account=account, **data)
        return Response(PaymentSerializer(payment).data, status=201)


class DebtorSerializer(serializers.Serializer):
    """One account in debt as the API answers it (the schema of ``Debtors``)."""

    account = serializers.UUIDField()
    number = serializers.CharField()
    debt = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    penalties = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    months_overdue = serializers.IntegerField()
    oldest_unpaid = serializers.DateField(allow_null=True)


class Debtors(APIView):
    """Accounts in debt, largest first, with their penalties and months overdue."""

    permission_classes = [HasRole.of(*ACCOUNT_READERS)]

    @extend_schema(responses=DebtorSerializer(many=True))
    def get(self, request):
        return Response(
            [
                {
                    "account": str(d.account.pk),
                    "number": d.account.number,
                    "debt": str(d.debt),
                    "penalties": str(d.penalties),
                    "months_overdue": d.months_overdue,
                    "oldest_unpaid": d.oldest_unpaid.isoformat() if d.oldest_unpaid else None,
                }
                for d in selectors.debtors()
            ]
        )
