"""REST API of the meters (``/api/v1/meters/...``), with the pages' access rules.

* ``GET meters/``, ``GET meters/<id>/``: the meters the caller sees (a member their own
  premises', the board and the accountant every one; ``?premises=<id>`` filters);
* ``GET meters/<id>/readings/``: the meter's readings, corrections included (``current``);
* ``POST meters/readings/``: submit readings ``{"readings": [{"register": id, "value": "123.4"}],
  "confirm": false, "period": "2026-05", "taken_on": "2026-05-20"}`` through the same service
  as the page: a member for their own meters, the board for any (marked as entered by the
  board); refusals are 400s naming ``r-<register id>``, ``period`` or ``taken_on``; a register
  the caller does not see is a 404;
* ``GET meters/status/``: the open period, its window, and per meter whether it was submitted.

Anonymous → 401; a role that opens none of it → 403; someone else's meter → 404.
"""

from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import ACCOUNT_READERS, BOARD, MEMBER_ROLES
from core.api_fields import MonthField
from core.sensitive import sensitive_post
from tenants.meters import periods, selectors, services
from tenants.meters.models import Meter, Reading, ReadingSource, Register

READERS = HasRole.of(*ACCOUNT_READERS, *MEMBER_ROLES)
SUBMITTERS = HasRole.of(*ACCOUNT_READERS, *MEMBER_ROLES, write=BOARD | MEMBER_ROLES)


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class RegisterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Register
        fields = ["id", "code", "initial_value", "final_value"]


class MeterSerializer(serializers.ModelSerializer):
    registers = RegisterSerializer(many=True, read_only=True)
    unit = serializers.CharField(read_only=True)
    verification_due_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Meter
        fields = [
            "id",
            "premises",
            "building",
            "kind",
            "tariff",
            "unit",
            "serial_number",
            "place",
            "digits",
            "decimals",
            "installed_on",
            "verified_on",
            "verification_interval_years",
            "verification_due_on",
            "replaces",
            "closed_on",
            "close_reason",
            "registers",
        ]


class ReadingSerializer(serializers.ModelSerializer):
    register = serializers.UUIDField(source="register_id", read_only=True)
    current = serializers.BooleanField(source="is_current", read_only=True)
    entered_by_board = serializers.SerializerMethodField()

    class Meta:
        model = Reading
        fields = [
            "id",
            "register",
            "period",
            "value",
            "consumption",
            "rolled_over",
            "taken_on",
            "submitted_at",
            "source",
            "entered_by_board",
            "late",
            "flagged",
            "current",
        ]

    def get_entered_by_board(self, reading) -> bool:
        return reading.source == ReadingSource.BOARD


def _meters(request):
    meters = selectors.meters_visible_to(request.user).prefetch_related("registers")
    premises = request.query_params.get("premises")
    if premises:
        try:
            meters = meters.filter(premises_id=uuid.UUID(premises))
        except ValueError:
            return Meter.objects.none()
    return meters.order_by("premises_id", "kind", "installed_on", "id")


class MeterList(generics.ListAPIView):
    serializer_class = MeterSerializer
    permission_classes = [READERS]
    pagination_class = Pages

    def get_queryset(self):
        return _meters(self.request)


class MeterDetail(generics.RetrieveAPIView):
    serializer_class = MeterSerializer
    permission_classes = [READERS]

    def get_object(self):
        return selectors.meter_for(self.request.user, self.kwargs["pk"])


class ReadingHistory(generics.ListAPIView):
    serializer_class = ReadingSerializer
    permission_classes = [READERS]
    pagination_class = Pages

    def get_queryset(self):
        meter = selectors.meter_for(self.request.user, self.kwargs["pk"])
        return Reading.objects.filter(meter=meter).order_by(
            "-period", "register_id", "-submitted_at"
        )


class ItemSerializer(serializers.Serializer):
    register = serializers.UUIDField()
    value = serializers.CharField(max_length=64, allow_blank=True, trim_whitespace=False)


class SubmitSerializer(serializers.Serializer):
    readings = ItemSerializer(many=True, allow_empty=False)
    confirm = serializers.BooleanField(default=False)
    period = MonthField(required=False)
    taken_on = serializers.DateField(required=False)


class SubmittedSerializer(serializers.Serializer):
    period = MonthField()
    late = serializers.BooleanField()
    readings = ReadingSerializer(many=True)


@sensitive_post
class SubmitReadings(APIView):
    permission_classes = [SUBMITTERS]

    @extend_schema(request=SubmitSerializer, responses={201: SubmittedSerializer})
    def post(self, request):
        incoming = SubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        ids = [item["register"] for item in data["readings"]]
        visible = selectors.registers_visible_to(request.user).filter(pk__in=ids)
        registers = {r.pk: r for r in visible}
        if len(registers) != len(set(ids)):
            raise Http404
        own = set(
            selectors.home_meters(request.user)
            .filter(pk__in={r.meter_id for r in registers.values()})
            .values_list("pk", flat=True)
        )
        if not own >= {r.meter_id for r in registers.values()} and not selectors.keeps_meters(
            request.user
        ):
            raise Http404
        source = (
            ReadingSource.MEMBER
            if own >= {r.meter_id for r in registers.values()}
            else ReadingSource.BOARD
        )
        result = services.submit_readings(
            actor=request.user,
            entries=[
                services.Entry(registers[item["register"]], item["value"])
                for item in data["readings"]
            ],
            source=source,
            confirm=data["confirm"],
            period=data.get("period"),
            taken_on=data.get("taken_on"),
        )
        return Response(SubmittedSerializer(result).data, status=201)


class MeterStatusSerializer(serializers.Serializer):
    meter = serializers.UUIDField()
    premises = serializers.UUIDField(allow_null=True)
    submitted = serializers.BooleanField()


class StatusSerializer(serializers.Serializer):
    period = serializers.CharField()
    late = serializers.BooleanField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    meters = MeterStatusSerializer(many=True)


class SubmissionStatus(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=StatusSerializer)
    def get(self, request):
        window = periods.current_window()
        meters = list(_meters(request).filter(closed_on__isnull=True)[:1000])
        submitted = selectors.submitted_meter_ids([m.pk for m in meters], window.period)
        return Response(
            {
                "period": window.period.strftime("%Y-%m"),
                "late": window.late,
                "opens_on": window.opens_on,
                "closes_on": window.closes_on,
                "meters": [
                    {"meter": str(m.pk), "premises": m.premises_id, "submitted": m.pk in submitted}
                    for m in meters
                ],
            }
        )
