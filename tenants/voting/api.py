"""REST API of the voting (``/api/v1/voting/...``), with the pages' access rules.

* ``GET meetings/``, ``GET meetings/<id>/``: the meetings the caller sees (the board every one,
  members those whose notice is published), with the rule each runs under and whether an online
  decision here binds;
* ``GET meetings/<id>/questions/``: the agenda; ``POST``: the board puts a question on a draft's
  agenda ``{"text": "...", "threshold": "majority_present", "gardeners_vote": false}`` (a
  question without a threshold, or with one the meeting cannot decide by, is a 400);
* ``GET meetings/<id>/ballots/``: the caller's own register lines and their current decision on
  each question (never anyone else's); ``POST``: submit or change a decision
  ``{"voter": "<line id>", "choices": {"<question id>": "for"}, "share": "1/2"}`` (``share``
  optional: when given it must be the line's own); the answer is the vote receipt (201);
* ``GET meetings/<id>/receipts/<n>/``: the vote receipt of one of the caller's own entries;
* ``GET meetings/<id>/results/``: the count; the board at any time (live turnout), everyone else
  once the meeting closed (403 before).

Anonymous → 401; a role that opens none of it → 403; someone else's meeting, line or entry →
404. Refusals are 400s with a message in the reader's language; nothing is stored.
"""

from __future__ import annotations

from fractions import Fraction

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import BOARD, MEMBER_ROLES
from tenants.residents.shares import parse_share
from tenants.voting import selectors, services
from tenants.voting.models import Choice, MeetingStatus, Question
from tenants.voting.rules import Threshold
from tenants.voting.shares import format_fraction

READERS = HasRole.of(*MEMBER_ROLES, *BOARD)
AGENDA = HasRole.of(*MEMBER_ROLES, *BOARD, write=BOARD)


class AgendaQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = [
            "id",
            "number",
            "text",
            "threshold",
            "gardeners_vote",
            "material_kind",
            "material_id",
            "material_digest",
            "takes_effect_on",
        ]
        read_only_fields = ["material_kind", "material_id", "material_digest", "takes_effect_on"]


class MeetingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    form = serializers.CharField()
    status = serializers.CharField()
    rule_version = serializers.CharField()
    online_binds = serializers.BooleanField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    notice_published_at = serializers.DateTimeField(allow_null=True)
    final_hash = serializers.CharField()


class MeetingDetailSerializer(MeetingSerializer):
    rule_basis = serializers.SerializerMethodField()
    questions = AgendaQuestionSerializer(many=True, source="ordered_questions")

    def get_rule_basis(self, meeting) -> str:
        return str(meeting.rule.basis)


def _meeting(request, pk):
    return selectors.meeting_for(request.user, pk)


class MeetingList(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=MeetingSerializer(many=True))
    def get(self, request):
        meetings = selectors.meetings_visible_to(request.user).order_by("-number")[:200]
        return Response(MeetingSerializer(meetings, many=True).data)


class MeetingDetail(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=MeetingDetailSerializer)
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        meeting.ordered_questions = meeting.questions.order_by("number")
        return Response(MeetingDetailSerializer(meeting).data)


class NewQuestionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    threshold = serializers.ChoiceField(choices=Threshold.choices, required=False, default="")
    gardeners_vote = serializers.BooleanField(default=False)


class Questions(APIView):
    permission_classes = [AGENDA]

    @extend_schema(responses=AgendaQuestionSerializer(many=True))
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        return Response(
            AgendaQuestionSerializer(meeting.questions.order_by("number"), many=True).data
        )

    @extend_schema(request=NewQuestionSerializer, responses={201: AgendaQuestionSerializer})
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        incoming = NewQuestionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        question = services.add_question(meeting, actor=request.user, **incoming.validated_data)
        return Response(AgendaQuestionSerializer(question).data, status=201)


class ChoiceOut(serializers.Serializer):
    question = serializers.UUIDField()
    choice = serializers.CharField()
    seq = serializers.IntegerField()
    source = serializers.CharField()


class LineSerializer(serializers.Serializer):
    voter = serializers.UUIDField()
    kind = serializers.CharField()
    premises = serializers.UUIDField(allow_null=True)
    label = serializers.CharField()
    share = serializers.CharField()
    weight = serializers.CharField()
    by_proxy = serializers.BooleanField()
    choices = ChoiceOut(many=True)


class BallotIn(serializers.Serializer):
    voter = serializers.UUIDField()
    choices = serializers.DictField(
        child=serializers.ChoiceField(choices=Choice.choices), allow_empty=False
    )
    share = serializers.CharField(max_length=30, required=False)


class ReceiptSerializer(serializers.Serializer):
    meeting = serializers.UUIDField()
    seq = serializers.IntegerField()
    entry_hash = serializers.CharField()
    salt = serializers.CharField()
    content = serializers.CharField()


def _line_data(line) -> dict:
    voter = line.voter
    return {
        "voter": voter.pk,
        "kind": voter.kind,
        "premises": voter.premises_id,
        "label": voter.label,
        "share": format_fraction(voter.share),
        "weight": format_fraction(voter.weight),
        "by_proxy": line.proxy is not None,
        "choices": [
            {
                "question": ballot.question_id,
                "choice": ballot.choice,
                "seq": ballot.seq,
                "source": ballot.source,
            }
            for ballot in line.choices.values()
        ],
    }


class Ballots(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=LineSerializer(many=True))
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        return Response([_line_data(line) for line in selectors.my_lines(request.user, meeting)])

    @extend_schema(request=BallotIn, responses={201: ReceiptSerializer})
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        if meeting.status == MeetingStatus.DRAFT:
            raise Http404
        incoming = BallotIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        line = next(
            (x for x in selectors.my_lines(request.user, meeting) if x.voter.pk == data["voter"]),
            None,
        )
        if line is None:
            raise ValidationError({"voter": _("You do not vote for these premises.")})
        if "share" in data:
            try:
                share = parse_share(data["share"])
            except ValidationError as error:
                raise ValidationError({"share": error.messages}) from None
            if share != line.voter.share:
                raise ValidationError(
                    {
                        "share": _("Your share here is %(share)s: you vote with it, no more.")
                        % {"share": format_fraction(line.voter.share)}
                    }
                )
        entry = services.cast(
            actor=request.user, voter=line.voter, choices=data["choices"], proxy=line.proxy
        )
        return Response(selectors.vote_receipt(entry).as_dict(), status=201)


class Receipt(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=ReceiptSerializer)
    def get(self, request, pk, seq):
        meeting = _meeting(request, pk)
        entry = selectors.entry_for(request.user, meeting, seq)
        return Response(selectors.vote_receipt(entry).as_dict())


class FigureSerializer(serializers.Serializer):
    choice = serializers.CharField()
    weight = serializers.CharField()
    of_all = serializers.CharField()
    of_present = serializers.CharField()


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.UUIDField()
    number = serializers.IntegerField()
    threshold = serializers.CharField()
    present = serializers.CharField()
    adopted = serializers.BooleanField()
    figures = FigureSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    status = serializers.CharField()
    online_binds = serializers.BooleanField()
    total = serializers.CharField()
    present = serializers.CharField()
    turnout_percent = serializers.CharField()
    quorum_met = serializers.BooleanField()
    participants = serializers.IntegerField()
    final_hash = serializers.CharField()
    questions = QuestionResultSerializer(many=True)


def _exact(value: Fraction) -> str:
    return format_fraction(value)


class Results(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=ResultsSerializer)
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        if meeting.status not in (MeetingStatus.VOTING, MeetingStatus.CLOSED):
            raise PermissionDenied(_("The voting has not started yet."))
        if not selectors.results_visible_to(request.user, meeting):
            raise PermissionDenied(_("The results are published when the voting closes."))
        tally = selectors.tally(meeting)
        rows = selectors.result_rows(meeting, tally)
        return Response(
            {
                "status": meeting.status,
                "online_binds": meeting.online_binds,
                "total": _exact(tally.total),
                "present": _exact(tally.present),
                "turnout_percent": str(tally.turnout),
                "quorum_met": tally.quorum_met,
                "participants": tally.participants,
                "final_hash": meeting.final_hash,
                "questions": [
                    {
                        "question": row.question.pk,
                        "number": row.question.number,
                        "threshold": row.result.threshold,
                        "present": _exact(row.result.present),
                        "adopted": row.result.adopted,
                        "figures": [
                            {
                                "choice": f["choice"],
                                "weight": _exact(f["weight"]),
                                "of_all": str(f["of_all"]),
                                "of_present": str(f["of_present"]),
                            }
                            for f in row.result.figures
                        ],
                    }
                    for row in rows
                ],
            }
        )
