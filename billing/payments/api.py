"""REST API of members' online payments (``/api/v1/payments/...``), with the pages' rules.

* ``GET payments/``: the online payments the caller sees, newest first (a member: those of the
  accounts they hold or live on; the board and the accountant: every one);
* ``GET payments/<id>/``: one of them (someone else's: 404);
* ``POST payments/`` ``{"account": "<personal account id>", "amount": "1500.00",
  "period": "2026-05"}`` (a member): the same ``start_payment`` as the pay page; the answer is
  the payment waiting for its confirmation, with ``confirm_url``, the page where the member
  confirms and is sent to the provider. Refused with a 400 naming the field: an amount of
  zero or below or not in kopecks, a month never charged, online payment off; someone else's
  account is a 404.

Anonymous → 401; a role that opens none of it → 403.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from billing.payments import selectors, services
from billing.payments.models import OnlinePayment
from core.access.api import HasRole
from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES
from core.api_fields import MonthField

#: Members read their own and start payments; the board and the accountant read every one.
ACCESS = HasRole.of(*ACCOUNT_READERS, *MEMBER_ROLES, write=MEMBER_ROLES)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class OnlinePaymentSerializer(serializers.ModelSerializer):
    account = serializers.UUIDField(source="account_id", read_only=True)
    account_number = serializers.CharField(source="account.number", read_only=True)
    period = MonthField(source="named_period", read_only=True, allow_null=True)
    confirm_url = serializers.SerializerMethodField()

    class Meta:
        model = OnlinePayment
        fields = [
            "id",
            "account",
            "account_number",
            "amount",
            "period",
            "provider",
            "status",
            "refunded",
            "failure_code",
            "created_at",
            "confirmed_at",
            "confirm_url",
        ]

    def get_confirm_url(self, payment) -> str:
        return reverse("payments:payment", args=[payment.pk])


class StartSerializer(serializers.Serializer):
    account = serializers.UUIDField()
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("Enter an amount above zero.")},
    )
    period = MonthField(required=False, allow_null=True)


class PaymentList(generics.ListAPIView):
    serializer_class = OnlinePaymentSerializer
    permission_classes = [ACCESS]
    pagination_class = Pages

    def get_queryset(self):
        return selectors.payments_query(self.request.user)

    @extend_schema(request=StartSerializer, responses={201: OnlinePaymentSerializer})
    def post(self, request):
        incoming = StartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        access = selectors.payable_account(request.user, data["account"])  # 404 unless theirs
        payment = services.start_payment(
            actor=request.user,
            account_id=access.account.pk,
            amount=data["amount"],
            named_period=data.get("period"),
        )
        payment = selectors.payment_for(request.user, payment.pk)
        return Response(OnlinePaymentSerializer(payment).data, status=201)


class PaymentDetail(generics.RetrieveAPIView):
    serializer_class = OnlinePaymentSerializer
    permission_classes = [ACCESS]

    def get_object(self):
        return selectors.payment_for(self.request.user, self.kwargs["pk"])
