"""The budget's API under ``api/v1/budget/``: estimates, lines, versions, expenditures.

The same access as the pages: the selectors scope every read (a draft, for a member, is a 404);
the board writes estimates and lines, the accountant posts expenditures. Input is handed to the
services as typed, so a refusal (a negative amount, an approved estimate, a closed month) is
their own Russian message as a 400, with nothing written.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import ACCOUNT_READERS, BOARD, MEMBER_ROLES, has_role
from tenants.budget import selectors, services
from tenants.budget.models import (
    Article,
    Basis,
    Estimate,
    Expenditure,
    Line,
    Status,
    Version,
    VersionKind,
)
from tenants.ledger.declaration import LEDGER_KEEPERS

READERS = (*ACCOUNT_READERS, *MEMBER_ROLES)


def _choices(choices, name: str) -> type[serializers.CharField]:
    """A read-only choice as a schema component of its own name (a plain ``status`` or ``kind``
    enum would clash with other apps' enums in the schema's naming)."""

    @extend_schema_field({"type": "string", "enum": list(choices.values)}, component_name=name)
    class Choice(serializers.CharField):
        pass

    return Choice


EstimateStates = _choices(Status, "BudgetEstimateStatus")
Articles = _choices(Article, "BudgetArticle")
Bases = _choices(Basis, "BudgetBasis")
VersionKinds = _choices(VersionKind, "BudgetVersionKind")


def _require(user, roles) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied


class BudgetLineSerializer(serializers.ModelSerializer):
    article = Articles(read_only=True)
    basis = Bases(read_only=True)

    class Meta:
        model = Line
        fields = ["id", "article", "name", "planned", "comment", "basis", "order"]


class BudgetLineInput(serializers.Serializer):
    """A line as typed: the amount as a string, checked by the service."""

    article = serializers.CharField(required=False)
    name = serializers.CharField(required=False, allow_blank=True)
    planned = serializers.CharField(required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
    basis = serializers.CharField(required=False)
    order = serializers.IntegerField(required=False, min_value=0, max_value=32000)


class BudgetRateSerializer(serializers.Serializer):
    basis = serializers.CharField()
    capital_repair = serializers.BooleanField(source="capital")
    yearly = serializers.DecimalField(max_digits=14, decimal_places=2)
    rate = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    last_year = serializers.DecimalField(
        source="last", max_digits=14, decimal_places=4, allow_null=True
    )


class BudgetEstimateSerializer(serializers.ModelSerializer):
    status = EstimateStates(read_only=True)

    class Meta:
        model = Estimate
        fields = [
            "id",
            "year",
            "title",
            "status",
            "total_area",
            "premises_count",
            "sotki",
            "members_count",
            "approved_hash",
            "rates_from",
        ]


class BudgetEstimateInput(serializers.Serializer):
    year = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class Estimates(APIView):
    """Estimates the caller reads; POST (the board): a new draft."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(responses=BudgetEstimateSerializer(many=True))
    def get(self, request):
        rows = selectors.estimates_visible_to(request.user)[:100]
        return Response(BudgetEstimateSerializer(rows, many=True).data)

    @extend_schema(request=BudgetEstimateInput, responses={201: BudgetEstimateSerializer})
    def post(self, request):
        _require(request.user, BOARD)
        data = BudgetEstimateInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.create_estimate(actor=request.user, **data.validated_data)
        return Response(BudgetEstimateSerializer(made).data, status=status.HTTP_201_CREATED)


class EstimateDetail(APIView):
    """One estimate with its lines, rates (with last year's) and the approved hash's check."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(responses=BudgetEstimateSerializer)
    def get(self, request, pk):
        found = selectors.estimate_for(request.user, pk)
        lines = list(found.lines.all())
        check = services.verify(found)
        return Response(
            {
                **BudgetEstimateSerializer(found).data,
                "lines": BudgetLineSerializer(lines, many=True).data,
                "rates": BudgetRateSerializer(selectors.rates_of(found, lines), many=True).data,
                "intact": check.intact,
                "altered": check.altered,
            }
        )


class Lines(APIView):
    """An estimate's lines; POST (the board): a new line of an estimate still edited."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(responses=BudgetLineSerializer(many=True))
    def get(self, request, pk):
        found = selectors.estimate_for(request.user, pk)
        return Response(BudgetLineSerializer(found.lines.all(), many=True).data)

    @extend_schema(request=BudgetLineInput, responses={201: BudgetLineSerializer})
    def post(self, request, pk):
        _require(request.user, BOARD)
        found = selectors.estimate_for(request.user, pk)
        data = BudgetLineInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.add_line(found, actor=request.user, **data.validated_data)
        return Response(BudgetLineSerializer(line).data, status=status.HTTP_201_CREATED)


class LineDetail(APIView):
    """One line; PATCH and DELETE (the board) while the estimate is edited."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(responses=BudgetLineSerializer)
    def get(self, request, pk):
        return Response(BudgetLineSerializer(selectors.line_for(request.user, pk)).data)

    @extend_schema(request=BudgetLineInput, responses=BudgetLineSerializer)
    def patch(self, request, pk):
        _require(request.user, BOARD)
        line = selectors.line_for(request.user, pk)
        data = BudgetLineInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        line = services.update_line(line, actor=request.user, **data.validated_data)
        return Response(BudgetLineSerializer(line).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        _require(request.user, BOARD)
        services.delete_line(selectors.line_for(request.user, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BudgetVersionSerializer(serializers.ModelSerializer):
    kind = VersionKinds(read_only=True)

    class Meta:
        model = Version
        fields = ["number", "kind", "reason", "digest", "created_at", "content"]


class Versions(APIView):
    """Every published version of an estimate, oldest first, with its content."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(responses=BudgetVersionSerializer(many=True))
    def get(self, request, pk):
        found = selectors.estimate_for(request.user, pk)
        return Response(BudgetVersionSerializer(selectors.versions_of(found), many=True).data)


class BudgetExpenditureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Expenditure
        fields = [
            "id",
            "line",
            "supplier",
            "document",
            "spent_on",
            "amount",
            "work_order",
            "created_at",
        ]


class BudgetExpenditureInput(serializers.Serializer):
    """An expenditure typed in, or (``work_order``) a closed dispatch work order with a cost,
    whose supplier, number, closing day and cost are posted."""

    line = serializers.UUIDField()
    work_order = serializers.UUIDField(required=False, allow_null=True)
    supplier = serializers.CharField(required=False, allow_blank=True, max_length=200)
    document = serializers.CharField(required=False, allow_blank=True, max_length=200)
    spent_on = serializers.DateField(required=False)
    amount = serializers.CharField(required=False)

    def validate(self, attrs):
        if not attrs.get("work_order"):
            missing = {
                name: [serializers.Field.default_error_messages["required"]]
                for name in ("supplier", "spent_on", "amount")
                if name not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class Expenditures(APIView):
    """Expenditures posted against an approved estimate (the board and the accountant); POST
    (the accountant): a new one."""

    permission_classes = [HasRole.of(*ACCOUNT_READERS)]

    @extend_schema(responses=BudgetExpenditureSerializer(many=True))
    def get(self, request, pk):
        found = selectors.estimate_for(request.user, pk)
        return Response(
            BudgetExpenditureSerializer(selectors.expenditures_of(found), many=True).data
        )

    @extend_schema(request=BudgetExpenditureInput, responses={201: BudgetExpenditureSerializer})
    def post(self, request, pk):
        _require(request.user, LEDGER_KEEPERS)
        found = selectors.estimate_for(request.user, pk)
        data = BudgetExpenditureInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        line = found.lines.filter(pk=values.pop("line")).first()
        if line is None:
            raise serializers.ValidationError({"line": [_no_line()]})
        order = values.pop("work_order", None)
        if order:
            made = services.post_work_order(line, actor=request.user, work_order_id=order)
        else:
            made = services.post_expenditure(line, actor=request.user, **values)
        return Response(BudgetExpenditureSerializer(made).data, status=status.HTTP_201_CREATED)


class BudgetDecisionInput(serializers.Serializer):
    adopted = serializers.BooleanField()
    decided_on = serializers.DateField()
    form = serializers.CharField()
    protocol_number = serializers.CharField(allow_blank=True, max_length=40)
    rates_from = serializers.DateField(required=False, allow_null=True)


class BudgetDecisionSerializer(serializers.Serializer):
    adopted = serializers.BooleanField()
    decided_on = serializers.DateField()
    form = serializers.CharField()
    protocol_number = serializers.CharField()
    status = serializers.CharField(source="estimate.status")
    approved_hash = serializers.CharField(source="estimate.approved_hash")


class RecordDecision(APIView):
    """The board enters the general meeting's decision from its protocol (the protocol's file
    through the page); the voting app calls ``services.record_decision`` itself."""

    permission_classes = [HasRole.of(*BOARD)]

    @extend_schema(request=BudgetDecisionInput, responses={201: BudgetDecisionSerializer})
    def post(self, request, pk):
        found = selectors.estimate_for(request.user, pk)
        data = BudgetDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.record_decision(
            found, actor=request.user, source="protocol", **data.validated_data
        )
        return Response(BudgetDecisionSerializer(made).data, status=status.HTTP_201_CREATED)


class BudgetTariffSerializer(serializers.Serializer):
    service = serializers.CharField(source="service.code")
    valid_from = serializers.DateField()
    rate = serializers.DecimalField(max_digits=12, decimal_places=4)


class ApplyRates(APIView):
    """The approved rates become the ledger's tariffs (the board or the accountant), only from
    an adopted decision."""

    permission_classes = [HasRole.of(*ACCOUNT_READERS)]

    @extend_schema(request=None, responses=BudgetTariffSerializer(many=True))
    def post(self, request, pk):
        found = selectors.estimate_for(request.user, pk)
        tariffs = services.apply_rates(found, actor=request.user)
        return Response(BudgetTariffSerializer(tariffs, many=True).data)


def _no_line() -> str:
    from django.utils.translation import gettext as _

    return _("No such line in this estimate.")
