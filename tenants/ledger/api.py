"""The ledger's API under ``api/v1/ledger/``: balances, an account's journal, runs, tariffs.
The same answers as the pages: the selectors scope every read (someone else's account is a 404)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES
from tenants.ledger import selectors
from tenants.ledger.models import AccrualRun, Entry, Tariff

READERS = (*ACCOUNT_READERS, *MEMBER_ROLES)


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class BalanceSerializer(serializers.Serializer):
    """One account's balance as the API answers it (the schema of ``Balances``)."""

    account = serializers.UUIDField()
    number = serializers.CharField()
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    due_on = serializers.DateField(allow_null=True)
    former_holder = serializers.BooleanField()


class Balances(APIView):
    """The balance of each account the caller reads (positive: owed; negative: prepaid)."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(responses=BalanceSerializer(many=True))
    def get(self, request):
        accesses = selectors.accounts_visible_to(request.user)
        pages = selectors.balances(accesses[:500])
        return Response(
            [
                {
                    "account": str(p.access.account.pk),
                    "number": p.access.account.number,
                    "balance": str(p.balance),
                    "due_on": p.due_on.isoformat() if p.due_on else None,
                    "former_holder": p.access.former,
                }
                for p in pages
            ]
        )


class EntrySerializer(serializers.ModelSerializer):
    # A payment or a penalty names no service: null.
    service = serializers.CharField(
        source="service.code", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Entry
        fields = [
            "id",
            "kind",
            "period",
            "corrects_period",
            "service",
            "amount",
            "booked_on",
            "reason",
            "source",
            "calculation",
            "created_at",
        ]


class Journal(ListAPIView):
    """An account's journal as the caller may read it (their own holding's entries)."""

    permission_classes = [HasRole.of(*READERS)]
    serializer_class = EntrySerializer
    pagination_class = Pages

    def get_queryset(self):
        access = selectors.account_for(self.request.user, self.kwargs["pk"])
        return access.entries().select_related("service").order_by("-period", "id")


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccrualRun
        fields = [
            "id",
            "period",
            "status",
            "done",
            "total",
            "summary",
            "posted_entries",
            "created_at",
            "finished_at",
        ]


class Runs(ListAPIView):
    permission_classes = [HasRole.of(*ACCOUNT_READERS)]
    serializer_class = RunSerializer
    pagination_class = Pages

    def get_queryset(self):
        return selectors.runs_visible_to(self.request.user)


class TariffSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.code")
    service_name = serializers.CharField(source="service.name")

    class Meta:
        model = Tariff
        fields = ["id", "service", "service_name", "valid_from", "rate", "norm", "basis"]


class Tariffs(ListAPIView):
    """Tariffs with their history: the association's decisions, read by every member."""

    permission_classes = [HasRole.of(*READERS)]
    serializer_class = TariffSerializer
    pagination_class = Pages

    def get_queryset(self):
        return selectors.tariffs_visible_to(self.request.user)
