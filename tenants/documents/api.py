"""REST API of the documents and news (``/api/v1/documents/...``), with the pages' access rules.

* ``GET documents/`` (``?section=``, ``?q=``), ``GET documents/<id>/``: the documents the caller's
  reader groups open, each with its versions (newest first) and the link to each file (the
  access-checked view that logs the read); someone else's document is a 404;
* ``POST documents/`` (the board, multipart: ``section``, ``title``, ``readers``, ``file``,
  optional ``description``, ``dated``, ``note``) publishes a document;
  ``POST documents/<id>/versions/`` (``file``, ``note``) adds a version. Refusals are 400s naming
  the field (a reader group that does not exist, a file of a type not accepted, an empty one),
  413 for a body over the size limit (never read); nothing is stored;
* ``GET documents/disclosure/``: the list of ЖК РФ ст. 143.1 with the documents every owner may
  read (owners and the board);
* ``GET documents/news/`` (``?q=``), ``GET documents/news/<id>/``: the news, emergency notices
  with ``active``; ``POST documents/news/`` (the board) publishes one (an emergency is sent at
  once).

Anonymous → 401; a role the page refuses → 403; someone else's object → 404.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import BOARD
from core.uploads import LimitedUpload
from tenants.documents import selectors, services
from tenants.documents.declaration import EVERYONE
from tenants.documents.models import Document, DocumentVersion, News, NewsKind
from tenants.documents.purposes import DOCUMENT_FILE
from tenants.documents.sections import ReaderGroup, Section
from tenants.documents.views import DISCLOSURE_READERS

READERS = HasRole.of(*EVERYONE, write=BOARD)
DISCLOSURE = HasRole.of(*DISCLOSURE_READERS)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class VersionSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()
    content_type = serializers.CharField(source="file.content_type", read_only=True)
    size = serializers.IntegerField(source="file.size", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = ["id", "number", "note", "created_at", "content_type", "size", "file_url"]

    def get_file_url(self, version) -> str:
        return reverse("documents:file", kwargs={"pk": version.document_id, "version": version.pk})


class DocumentSerializer(serializers.ModelSerializer):
    current = VersionSerializer(read_only=True)
    section_title = serializers.CharField(source="get_section_display", read_only=True)
    readers_title = serializers.CharField(source="get_readers_display", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "section",
            "section_title",
            "title",
            "description",
            "readers",
            "readers_title",
            "dated",
            "created_at",
            "updated_at",
            "current",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions"]

    def get_versions(self, document) -> list[dict]:
        return VersionSerializer(selectors.history(document), many=True).data


class NewDocumentSerializer(serializers.Serializer):
    # Plain strings: the service names the refusal (a section or group that does not exist).
    section = serializers.CharField(max_length=32, help_text=", ".join(Section.values))
    title = serializers.CharField(max_length=300)
    readers = serializers.CharField(max_length=16, help_text=", ".join(ReaderGroup.values))
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    dated = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    file = serializers.FileField(allow_empty_file=True)


class NewVersionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    file = serializers.FileField(allow_empty_file=True)


def _too_large() -> Response:
    return Response(
        {
            "file": [
                _("The file is too large: at most %(size)s.")
                % {"size": DOCUMENT_FILE.describe_size()}
            ]
        },
        status=413,
    )


def _limited(request) -> LimitedUpload | None:
    """Put the size limit in front of the body's parsing (multipart only)."""
    if not request.content_type.startswith("multipart/"):
        return None
    limit = LimitedUpload(DOCUMENT_FILE.max_bytes, request._request)
    request._request.upload_handlers.insert(0, limit)
    return limit


class DocumentList(generics.ListAPIView):
    serializer_class = DocumentSerializer
    permission_classes = [READERS]
    pagination_class = Pages
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        documents = selectors.documents_visible_to(self.request.user)
        section = self.request.query_params.get("section")
        if section:
            documents = documents.filter(section=section)
        return selectors.search_documents(documents, self.request.query_params.get("q", ""))

    @extend_schema(request=NewDocumentSerializer, responses={201: DocumentDetailSerializer})
    def post(self, request):
        limit = _limited(request)
        incoming = NewDocumentSerializer(data=request.data)
        if limit is not None and limit.exceeded:
            return _too_large()
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        document = services.publish_document(
            actor=request.user,
            section=data["section"],
            title=data["title"],
            readers=data["readers"],
            description=data.get("description", ""),
            dated=data.get("dated"),
            note=data.get("note", ""),
            upload=data["file"],
        )
        return Response(DocumentDetailSerializer(document).data, status=201)


class DocumentDetail(generics.RetrieveAPIView):
    serializer_class = DocumentDetailSerializer
    permission_classes = [READERS]

    def get_object(self):
        return selectors.document_for_reader(self.request.user, self.kwargs["pk"])


class VersionCreate(APIView):
    permission_classes = [HasRole.of(*BOARD)]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=NewVersionSerializer, responses={201: DocumentDetailSerializer})
    def post(self, request, pk):
        document = selectors.document_for_reader(request.user, pk)
        limit = _limited(request)
        incoming = NewVersionSerializer(data=request.data)
        if limit is not None and limit.exceeded:
            return _too_large()
        incoming.is_valid(raise_exception=True)
        services.add_version(
            actor=request.user,
            document=document,
            upload=incoming.validated_data["file"],
            note=incoming.validated_data.get("note", ""),
        )
        document = selectors.document_for_reader(request.user, pk)
        return Response(DocumentDetailSerializer(document).data, status=201)


class DisclosurePartSerializer(serializers.Serializer):
    section = serializers.CharField(source="section.value")
    section_title = serializers.CharField(source="section.label")
    required = serializers.BooleanField()
    missing = serializers.BooleanField()
    documents = DocumentSerializer(many=True)


class DisclosureItemSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="item.number")
    title = serializers.CharField(source="item.title")
    generated = serializers.CharField(source="item.generated")
    missing = serializers.BooleanField()
    parts = DisclosurePartSerializer(many=True)


class DisclosureList(APIView):
    permission_classes = [DISCLOSURE]

    @extend_schema(responses=DisclosureItemSerializer(many=True))
    def get(self, request):
        return Response(DisclosureItemSerializer(selectors.disclosure(), many=True).data)


class NewsSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = News
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "starts_at",
            "ends_at",
            "published_at",
            "updated_at",
            "active",
        ]

    def get_active(self, item) -> bool:
        return item.active()


class NewNewsSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=16, help_text=", ".join(NewsKind.values))
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)


class NewsList(generics.ListAPIView):
    serializer_class = NewsSerializer
    permission_classes = [READERS]
    pagination_class = Pages

    def get_queryset(self):
        items = selectors.news_visible_to(self.request.user)
        return selectors.search_news(items, self.request.query_params.get("q", ""))

    @extend_schema(request=NewNewsSerializer, responses={201: NewsSerializer})
    def post(self, request):
        incoming = NewNewsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        item = services.publish_news(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            body=data.get("body", ""),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
        )
        return Response(NewsSerializer(item).data, status=201)


class NewsDetail(generics.RetrieveAPIView):
    serializer_class = NewsSerializer
    permission_classes = [READERS]

    def get_object(self):
        return selectors.news_for_reader(self.request.user, self.kwargs["pk"])
