"""REST API of the forum (``/api/v1/forum/...``), with the pages' access rules.

* ``GET sections/``: the sections and how many topics the caller sees in each;
* ``GET topics/?section=<id>``: topics, latest activity first; ``POST topics/``
  ``{"section": id, "title": "…", "body": "…", "mentions": [ids]}`` starts one;
* ``GET topics/<id>/``: a topic; ``GET topics/<id>/posts/``: its posts in order (25 a page);
  ``POST topics/<id>/posts/`` ``{"body": "…", "quote": id, "mentions": [ids]}`` replies;
* ``GET posts/<id>/``: a post; ``PATCH posts/<id>/`` ``{"body": "…"}``: its author edits it;
* ``GET search/?q=…``: posts with every word of the query, in any form.

A post's text is ``body`` (the Markdown written) and ``html`` (sanitised), both null when the
caller may not see it (hidden by the board: its author and the board see it, with
``hidden_reason``; erased: nobody). A quote carries the quoted post's text on the same rule.
Refusals (an empty text, a locked topic) are 400s naming the field, in the caller's language.
Anonymous → 401; a role that does not read the forum → 403; a topic it may not see → 404.
"""

from __future__ import annotations

import uuid

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access.api import HasRole
from core.sensitive import sensitive_post
from tenants.forum import access, markup, selectors, services
from tenants.forum.models import Post, Section, Topic

READERS = HasRole.of(*access.READERS)


class Pages(PageNumberPagination):
    page_size = selectors.POSTS_PER_PAGE
    page_size_query_param = None


class SectionSerializer(serializers.ModelSerializer):
    topic_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Section
        fields = ["id", "title", "description", "position", "topic_count"]


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


def _person(user) -> dict | None:
    if user is None:
        return None
    name = user.full_name if user.is_active else ""
    return {"id": user.pk, "name": name or ""}


class TopicSerializer(serializers.ModelSerializer):
    section = serializers.UUIDField(source="section_id", read_only=True)
    title = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    locked = serializers.BooleanField(source="is_locked", read_only=True)
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)
    lock_reason = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField()
    discusses = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id",
            "section",
            "title",
            "author",
            "created_at",
            "last_post_at",
            "post_count",
            "locked",
            "lock_reason",
            "hidden",
            "hidden_reason",
            "discusses",
        ]

    def get_title(self, topic) -> str | None:
        return topic.title

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, topic):
        return _person(topic.author)

    def get_lock_reason(self, topic) -> str | None:
        return topic.lock_reason if topic.is_locked else None

    def _may_see_reasons(self, topic) -> bool:
        user = self.context["request"].user
        return access.moderates(user) or topic.author_id == user.pk

    def get_hidden_reason(self, topic) -> str | None:
        return topic.hidden_reason if topic.is_hidden and self._may_see_reasons(topic) else None

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_discusses(self, topic):
        if not topic.target_kind:
            return None
        return {"kind": topic.target_kind, "id": topic.target_id}


class AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    url = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    author = PersonSerializer(allow_null=True)
    html = serializers.CharField(allow_null=True)


class PostSerializer(serializers.ModelSerializer):
    topic = serializers.UUIDField(source="topic_id", read_only=True)
    author = serializers.SerializerMethodField()
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)
    erased = serializers.BooleanField(source="is_erased", read_only=True)
    body = serializers.SerializerMethodField()
    html = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "topic",
            "number",
            "author",
            "created_at",
            "edited_at",
            "edit_count",
            "hidden",
            "hidden_reason",
            "erased",
            "body",
            "html",
            "quote",
            "mentions",
            "attachments",
        ]

    def _user(self):
        return self.context["request"].user

    def _sees(self, post) -> bool:
        return selectors.sees_text(self._user(), post)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, post):
        return None if post.is_erased else _person(post.author)

    def get_body(self, post) -> str | None:
        return post.body if self._sees(post) else None

    def get_html(self, post) -> str | None:
        return post.html if self._sees(post) else None

    def get_hidden_reason(self, post) -> str | None:
        user = self._user()
        if post.is_hidden and (access.moderates(user) or post.author_id == user.pk):
            return post.hidden_reason
        return None

    @extend_schema_field(QuoteSerializer(allow_null=True))
    def get_quote(self, post):
        quote = post.quote
        if quote is None:
            return None
        sees = self._sees(quote)
        return {
            "id": quote.pk,
            "number": quote.number,
            "author": _person(quote.author) if sees else None,
            "html": quote.html if sees else None,
        }

    @extend_schema_field(PersonSerializer(many=True))
    def get_mentions(self, post):
        if not self._sees(post):
            return []
        return [_person(m.user) for m in post.mention_list]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, post):
        if not self._sees(post):
            return []
        return [
            {
                "id": a.file_id,
                "name": a.file.name,
                "url": reverse("files:download", kwargs={"pk": a.file_id}),
            }
            for a in post.attachment_list
        ]


class NewPostSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=markup.MAX_LENGTH * 2)
    quote = serializers.UUIDField(required=False, allow_null=True)
    mentions = serializers.ListField(child=serializers.UUIDField(), required=False)


class NewTopicSerializer(NewPostSerializer):
    section = serializers.UUIDField()
    title = serializers.CharField(allow_blank=True, max_length=400)


class EditPostSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=markup.MAX_LENGTH * 2)


class SectionList(generics.ListAPIView):
    serializer_class = SectionSerializer
    permission_classes = [READERS]
    pagination_class = None

    def get_queryset(self):
        return selectors.sections_visible_to(self.request.user)


@sensitive_post
class TopicList(generics.ListCreateAPIView):
    serializer_class = TopicSerializer
    permission_classes = [READERS]
    pagination_class = Pages

    def get_queryset(self):
        topics = selectors.topics_visible_to(self.request.user).select_related("author")
        section = self.request.query_params.get("section")
        if section:
            try:
                topics = topics.filter(section_id=uuid.UUID(section))
            except ValueError:
                return Topic.objects.none()
        return topics.order_by("-last_post_at", "pk")

    @extend_schema(request=NewTopicSerializer, responses={201: TopicSerializer})
    def post(self, request):
        data = NewTopicSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        section = selectors.section_for(request.user, data.validated_data["section"])
        topic = services.start_topic(
            actor=request.user,
            section=section,
            title=data.validated_data["title"],
            body=data.validated_data["body"],
            mentions=data.validated_data.get("mentions") or (),
        )
        body = TopicSerializer(topic, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TopicDetail(generics.RetrieveAPIView):
    serializer_class = TopicSerializer
    permission_classes = [READERS]

    def get_object(self):
        return selectors.topic_for(self.request.user, self.kwargs["pk"])


@sensitive_post
class PostList(generics.ListCreateAPIView):
    serializer_class = PostSerializer
    permission_classes = [READERS]
    pagination_class = Pages

    def get_queryset(self):
        return selectors.posts_of(selectors.topic_for(self.request.user, self.kwargs["pk"]))

    @extend_schema(request=NewPostSerializer, responses={201: PostSerializer})
    def post(self, request, pk):
        topic = selectors.topic_for(request.user, pk)
        data = NewPostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        written = services.reply(
            actor=request.user,
            topic=topic,
            body=data.validated_data["body"],
            quote=data.validated_data.get("quote"),
            mentions=data.validated_data.get("mentions") or (),
        )
        found = selectors.posts_of(topic).get(pk=written.pk)
        body = PostSerializer(found, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


@sensitive_post
class PostDetail(APIView):
    permission_classes = [READERS]

    def _post(self, request, pk):
        found = selectors.post_for(request.user, pk)
        return selectors.posts_of(found.topic).get(pk=found.pk)

    @extend_schema(responses=PostSerializer)
    def get(self, request, pk):
        return Response(PostSerializer(self._post(request, pk), context={"request": request}).data)

    @extend_schema(request=EditPostSerializer, responses=PostSerializer)
    def patch(self, request, pk):
        found = self._post(request, pk)
        if found.author_id != request.user.pk or found.is_erased:
            raise exceptions.PermissionDenied
        data = EditPostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.edit_post(actor=request.user, post=found, body=data.validated_data["body"])
        return Response(PostSerializer(self._post(request, pk), context={"request": request}).data)


class Search(generics.ListAPIView):
    serializer_class = PostSerializer
    permission_classes = [READERS]
    pagination_class = Pages

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="words to find")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params.get("q", "")[:200]
        return selectors.with_details(selectors.search_posts(self.request.user, query))
