"""REST API of the letters (``/api/v1/letters/...``), with the pages' access rules.

* ``GET questions/``: the caller's questions (a member their own, the board every one;
  ``?status=waiting|answered|closed|overdue``); ``POST questions/`` asks one:
  ``{"account": id, "subject": "…", "text": "…"}`` (members, for an account of their home);
* ``GET questions/<id>/``: the question with its thread; ``POST questions/<id>/messages/``
  ``{"text": "…"}``: the board's answer, or the asking member's reply;
* ``GET public/?q=…``: the published Q&A (``russian`` full-text search over it alone);
* ``GET templates/``: the kinds of application accepted now, with their fields;
* ``GET applications/``, ``POST applications/`` ``{"account": id, "template": "code",
  "values": {"f1": "…"}}``; ``GET applications/<id>/``; ``POST applications/<id>/answer/``
  ``{"text": "…"}`` (the board).

Anonymous → 401; a role that opens none of it → 403; someone else's letter → 404; a refusal
(empty text, unknown template, oversized text, another's account) → 400 naming the field, with
nothing written.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import BOARD, MEMBER_ROLES
from core.sensitive import sensitive_post
from tenants.letters import selectors, services
from tenants.letters.models import (
    Application,
    ApplicationStatus,
    ApplicationTemplate,
    PublicEntry,
    Question,
    QuestionMessage,
    QuestionStatus,
)
from tenants.residents.models import PersonalAccount

READERS = HasRole.of(*BOARD, *MEMBER_ROLES)
WRITERS = HasRole.of(*BOARD, *MEMBER_ROLES, write=MEMBER_ROLES)
BOARD_ONLY = HasRole.of(*BOARD)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _states(choices, name: str) -> type[serializers.CharField]:
    """A read-only status as a schema component of its own name (a plain ``status`` enum would
    clash with other apps' ``status`` enums in the schema's naming)."""

    @extend_schema_field({"type": "string", "enum": list(choices.values)}, component_name=name)
    class States(serializers.CharField):
        pass

    return States


QuestionStates = _states(QuestionStatus, "LetterQuestionStatus")
ApplicationStates = _states(ApplicationStatus, "LetterApplicationStatus")


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuestionMessage
        fields = ["id", "from_board", "text", "created_at"]


class QuestionSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account.number", read_only=True)
    status = QuestionStates(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "account",
            "account_number",
            "subject",
            "status",
            "asked_at",
            "received_on",
            "due_on",
            "term_days",
            "term_working",
            "term_rule",
            "answered_at",
            "last_message_at",
            "overdue",
            "erased_at",
        ]

    def get_overdue(self, question) -> bool:
        return (
            question.status == QuestionStatus.WAITING
            and question.due_on < selectors.association_today()
        )


class QuestionDetailSerializer(QuestionSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(QuestionSerializer.Meta):
        fields = [*QuestionSerializer.Meta.fields, "messages"]

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, question) -> list:
        return MessageSerializer(selectors.thread(question), many=True).data


class AskSerializer(serializers.Serializer):
    account = serializers.UUIDField()
    subject = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10000)
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20000)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20000)


class PublicSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicEntry
        fields = ["id", "title", "question_text", "answer_text", "published_at"]


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationTemplate
        fields = ["id", "code", "title", "description", "preamble", "fields"]


class ApplicationSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="account.number", read_only=True)
    template = serializers.CharField(source="template.code", read_only=True)
    journal_number = serializers.CharField(read_only=True)
    status = ApplicationStates(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "journal_number",
            "year",
            "number",
            "registered_on",
            "registered_at",
            "template",
            "title",
            "account",
            "account_number",
            "status",
            "content",
            "answer",
            "answered_at",
            "erased_at",
        ]


class FileSerializer(serializers.Serializer):
    account = serializers.UUIDField()
    template = serializers.CharField(max_length=100)
    values = serializers.DictField(child=serializers.JSONField(), allow_empty=True)


def _account(pk) -> PersonalAccount | None:
    return PersonalAccount.objects.filter(pk=pk).first()


@sensitive_post
class QuestionList(generics.ListAPIView):
    permission_classes = [WRITERS]
    serializer_class = QuestionSerializer
    pagination_class = Pages

    def get_queryset(self):
        found = selectors.questions_visible_to(self.request.user).select_related("account")
        wanted = self.request.query_params.get("status", "")
        if wanted == "overdue":
            found = found.filter(
                status=QuestionStatus.WAITING, due_on__lt=selectors.association_today()
            )
        elif wanted in QuestionStatus.values:
            found = found.filter(status=wanted)
        return found.order_by("-last_message_at", "id")

    @extend_schema(request=AskSerializer, responses={201: QuestionDetailSerializer})
    def post(self, request):
        data = AskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.ask(
            actor=request.user,
            account=_account(data.validated_data["account"]),
            subject=data.validated_data["subject"],
            text=data.validated_data["text"],
        )
        return Response(QuestionDetailSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionDetail(generics.RetrieveAPIView):
    permission_classes = [READERS]
    serializer_class = QuestionDetailSerializer

    def get_object(self):
        return selectors.question_for(self.request.user, self.kwargs["pk"])


@sensitive_post
class QuestionMessages(APIView):
    permission_classes = [READERS]

    @extend_schema(request=TextSerializer, responses={201: QuestionDetailSerializer})
    def post(self, request, pk):
        question = selectors.question_for(request.user, pk)
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if selectors.is_board(request.user):
            services.answer(actor=request.user, question=question, text=data.validated_data["text"])
        else:
            services.reply(actor=request.user, question=question, text=data.validated_data["text"])
        question = selectors.question_for(request.user, pk)
        return Response(QuestionDetailSerializer(question).data, status=status.HTTP_201_CREATED)


@sensitive_post
class PublicList(generics.ListAPIView):
    permission_classes = [READERS]
    serializer_class = PublicSerializer
    pagination_class = Pages

    def get_queryset(self):
        text = (self.request.query_params.get("q") or "")[:200]
        if text:
            return selectors.search_public(self.request.user, text)
        return selectors.public_visible_to(self.request.user).order_by("-published_at")


# Marked because its serializer names a field ``code`` (a template's code, no secret here).
@sensitive_post
class TemplateList(generics.ListAPIView):
    permission_classes = [READERS]
    serializer_class = TemplateSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.templates_for_members()


@sensitive_post
class ApplicationList(generics.ListAPIView):
    permission_classes = [WRITERS]
    serializer_class = ApplicationSerializer
    pagination_class = Pages

    def get_queryset(self):
        return (
            selectors.applications_visible_to(self.request.user)
            .select_related("account", "template")
            .order_by("-year", "-number")
        )

    @extend_schema(request=FileSerializer, responses={201: ApplicationSerializer})
    def post(self, request):
        data = FileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = ApplicationTemplate.objects.filter(
            code=data.validated_data["template"], is_active=True
        ).first()
        application = services.file_application(
            actor=request.user,
            account=_account(data.validated_data["account"]),
            template=template,
            values=data.validated_data["values"],
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationDetail(generics.RetrieveAPIView):
    permission_classes = [READERS]
    serializer_class = ApplicationSerializer

    def get_object(self):
        return selectors.application_for(self.request.user, self.kwargs["pk"])


@sensitive_post
class ApplicationAnswer(APIView):
    permission_classes = [BOARD_ONLY]

    @extend_schema(request=TextSerializer, responses={200: ApplicationSerializer})
    def post(self, request, pk):
        application = selectors.application_for(request.user, pk)
        data = TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.answer_application(
            actor=request.user, application=application, text=data.validated_data["text"]
        )
        return Response(ApplicationSerializer(application).data)
