"""REST API of the dispatch desk (``/api/v1/dispatch/...``), with the pages' access rules.

* ``GET requests/``: the requests the caller sees (a member their own and the collective ones
  they joined, the desk every one; ``?status=``, ``category``, ``building``, ``urgency``,
  ``overdue=1`` filter the desk's list);
* ``POST requests/`` (members): file a request, as JSON or multipart with up to 10 ``photos``,
  through the same service as the page (all or nothing; refusals are 400s naming the field;
  a body over 50 MB is a 413 before it is read);
* ``GET requests/<id>/``: one request (someone else's is a 404);
* ``GET|POST requests/<id>/comments/``: the comments the caller may read; a member comments
  on their own request, the desk on any;
* ``GET|POST requests/<id>/photos/``: the photos the caller may read (download links through
  the file store's access-checked view); a member adds photos to their own request;
* ``GET suppliers/``: the suppliers with their contacts (the desk only).

Anonymous → 401; a role that opens none of it → 403; someone else's request → 404.
"""

from __future__ import annotations

import uuid

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.access.roles import DISPATCH_DESK, MEMBER_ROLES
from core.sensitive import sensitive_post
from core.uploads import LimitedUpload
from tenants.dispatch import selectors, services
from tenants.dispatch.models import Comment, Photo, Request, Status, Supplier
from tenants.dispatch.views import UPLOAD_LIMIT
from tenants.files.purposes import MB

READERS = HasRole.of(*DISPATCH_DESK, *MEMBER_ROLES)
FILERS = HasRole.of(*DISPATCH_DESK, *MEMBER_ROLES, write=MEMBER_ROLES)
DESK = HasRole.of(*DISPATCH_DESK)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _limit_upload(request) -> None:
    """Refuse a body over the limit before it is read (the parsers run afterwards)."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type.startswith("multipart/"):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > UPLOAD_LIMIT:
            raise PayloadTooLarge(
                _("The photos are too large: at most %(size)d MB together.")
                % {"size": UPLOAD_LIMIT // MB}
            )
        return
    limit = LimitedUpload(UPLOAD_LIMIT, request._request)
    request._request.upload_handlers.insert(0, limit)
    request.data  # noqa: B018 - parse now, under the limit
    if limit.exceeded:
        raise PayloadTooLarge(
            _("The photos are too large: at most %(size)d MB together.")
            % {"size": UPLOAD_LIMIT // MB}
        )


class CollectiveSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    description = serializers.CharField(allow_null=True)


class RequestSerializer(serializers.ModelSerializer):
    """A request as its reader may see it: the status is the work's (a collective request's,
    for one merged into it); a member's own words only to that member and the desk."""

    status = serializers.SerializerMethodField()
    due_at = serializers.SerializerMethodField()
    done_at = serializers.SerializerMethodField()
    supplier = serializers.SerializerMethodField()
    collective = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = [
            "id",
            "number",
            "kind",
            "category",
            "suggested_category",
            "place",
            "premises",
            "building",
            "urgency",
            "status",
            "is_collective",
            "collective",
            "description",
            "location_note",
            "access_time",
            "contact_phone",
            "share_phone",
            "supplier",
            "filed_at",
            "due_at",
            "done_at",
            "rating",
            "rating_comment",
        ]

    def _work(self, row) -> Request:
        return row.collective if row.collective_id else row

    def get_status(self, row) -> str:
        return self._work(row).status

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, row):
        value = self._work(row).due_at
        return serializers.DateTimeField().to_representation(value) if value else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_done_at(self, row):
        value = self._work(row).done_at
        return serializers.DateTimeField().to_representation(value) if value else None

    def get_supplier(self, row) -> str | None:
        supplier = self._work(row).supplier
        return supplier.name if supplier else None

    @extend_schema_field(CollectiveSerializer(allow_null=True))
    def get_collective(self, row):
        if not row.collective_id:
            return None
        work = row.collective
        return {
            "id": work.pk,
            "number": work.number,
            "status": work.status,
            "description": work.description,
        }


class NewRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(default="repair")
    category = serializers.CharField()
    place = serializers.CharField()
    premises = serializers.UUIDField(required=False, allow_null=True)
    building = serializers.UUIDField(required=False, allow_null=True)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    urgency = serializers.CharField(default="normal")
    location_note = serializers.CharField(required=False, allow_blank=True, default="")
    access_time = serializers.CharField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    share_phone = serializers.BooleanField(default=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


def _visible(request):
    rows = selectors.requests_visible_to(request.user).select_related(
        "collective__supplier", "supplier", "building", "premises"
    )
    if selectors.is_desk(request.user):
        params = request.query_params
        filters = selectors.QueueFilters(
            status=params.get("status", "") if params.get("status") in Status.values else "",
            category=params.get("category", ""),
            building=params.get("building", "") if _uuid_or_blank(params.get("building")) else "",
            urgency=params.get("urgency", ""),
            overdue=params.get("overdue") in ("1", "true", "on"),
            open_only=False,
        )
        rows = selectors.queue(filters, with_text=True).select_related("collective__supplier")
        return rows.order_by("-filed_at", "-number")
    return rows.order_by("-filed_at", "-number")


def _uuid_or_blank(value) -> bool:
    if not value:
        return False
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@sensitive_post
class RequestList(generics.ListAPIView):
    serializer_class = RequestSerializer
    permission_classes = [FILERS]
    pagination_class = Pages
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return _visible(self.request)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("category", str),
            OpenApiParameter("building", str),
            OpenApiParameter("urgency", str),
            OpenApiParameter("overdue", bool),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=NewRequestSerializer, responses={201: RequestSerializer})
    def post(self, request):
        _limit_upload(request)
        incoming = NewRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        if hasattr(request.data, "getlist"):
            data["photos"] = [f for f in request.data.getlist("photos") if hasattr(f, "read")]
        filed = services.file_request(actor=request.user, **data)
        return Response(RequestSerializer(filed).data, status=201)


class RequestDetail(generics.RetrieveAPIView):
    serializer_class = RequestSerializer
    permission_classes = [READERS]

    def get_object(self):
        found = selectors.request_for(self.request.user, self.kwargs["pk"])
        if found.is_collective and not selectors.is_desk(self.request.user):
            # A member reads a collective request without anyone's own words.
            found.location_note = found.access_time = found.contact_phone = None
        return found


class CommentSerializer(serializers.ModelSerializer):
    by_you = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "request", "by_desk", "by_you", "text", "created_at"]

    def get_by_you(self, comment) -> bool:
        return comment.author_id == self.context["request"].user.pk


class NewCommentSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


def _page(request, pk):
    found = selectors.request_for(request.user, pk)
    return found, selectors.request_page(request.user, found)


@sensitive_post
class CommentList(APIView):
    permission_classes = [READERS]

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, pk):
        _found, page = _page(request, pk)
        return Response(
            CommentSerializer(page.comments, many=True, context={"request": request}).data
        )

    @extend_schema(request=NewCommentSerializer, responses={201: CommentSerializer})
    def post(self, request, pk):
        desk = selectors.is_desk(request.user)
        found = (
            selectors.desk_request_for(request.user, pk)
            if desk
            else selectors.own_request_for(request.user, pk)
        )
        incoming = NewCommentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        comment = services.add_comment(
            found, actor=request.user, text=incoming.validated_data["text"], by_desk=desk
        )
        return Response(CommentSerializer(comment, context={"request": request}).data, status=201)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "request", "added_at", "url"]

    def get_url(self, photo) -> str:
        return reverse("files:download", kwargs={"pk": photo.file_id})


class NewPhotosSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField())


class PhotoList(APIView):
    permission_classes = [FILERS]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=PhotoSerializer(many=True))
    def get(self, request, pk):
        _found, page = _page(request, pk)
        return Response(PhotoSerializer(page.photos, many=True).data)

    @extend_schema(request=NewPhotosSerializer, responses={201: PhotoSerializer(many=True)})
    def post(self, request, pk):
        found = selectors.own_request_for(request.user, pk)
        _limit_upload(request)
        photos = [f for f in request.data.getlist("photos") if hasattr(f, "read")]
        stored = services.add_photos(found, actor=request.user, photos=photos)
        return Response(PhotoSerializer(stored, many=True).data, status=201)


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "name",
            "inn",
            "categories",
            "contact_person",
            "phone",
            "email",
            "active",
        ]


@sensitive_post
class SupplierList(generics.ListAPIView):
    serializer_class = SupplierSerializer
    permission_classes = [DESK]
    pagination_class = Pages

    def get_queryset(self):
        return selectors.suppliers_visible_to(self.request.user).order_by("name", "id")
