"""REST endpoints of the feed: thin views over services and selectors."""

import orjson
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from feed import events, pages, selectors, services
from feed.serializers import (
    ActivitySerializer,
    CommentCreateSerializer,
    CommentSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    PostCreateSerializer,
    PostSerializer,
    PostUpdateSerializer,
    ReactionSerializer,
    ReactionStateSerializer,
    post_context,
)
from profiles.api import viewer_of
from profiles.selectors import profile_get
from socialblue.api import LimitedPageNumberPagination, parse_limit
from socialblue.fields import ID_MAX, whole_number


def _render_post(request, post_id: int) -> dict:
    viewer = viewer_of(request)
    post = selectors.access_post(viewer=viewer, post_id=post_id)
    return PostSerializer(post, context=post_context([post], viewer, request)).data


class PostPageMixin:
    pagination_class = LimitedPageNumberPagination

    def post_page(self, request, queryset):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        context = post_context(page, viewer_of(request), request)
        return paginator.get_paginated_response(PostSerializer(page, many=True, context=context).data)


class PostCreateView(APIView):
    @extend_schema(
        request=PostCreateSerializer,
        responses={201: PostSerializer},
        summary="Post a status update",
        description="`visibility` defaults to `company` for employees and `network` for alumni.",
    )
    def post(self, request):
        data = PostCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        post = services.post_create(
            author=viewer_of(request),
            body=values["body"],
            visibility=values.get("visibility"),
            attachments={"photos": values.get("photos", [])},
        )
        return Response(_render_post(request, post.pk), status=status.HTTP_201_CREATED)


class PostDetailView(APIView):
    @extend_schema(responses=PostSerializer, summary="A post the viewer may see")
    def get(self, request, pk: int):
        return Response(_render_post(request, pk))

    @extend_schema(request=PostUpdateSerializer, responses=PostSerializer, summary="Edit my post")
    def patch(self, request, pk: int):
        viewer = viewer_of(request)
        post = selectors.access_post(viewer=viewer, post_id=pk)
        data = PostUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_update(post=post, by=viewer, **data.validated_data)
        return Response(_render_post(request, pk))

    @extend_schema(responses={204: None}, summary="Delete my post (it leaves every feed)")
    def delete(self, request, pk: int):
        viewer = viewer_of(request)
        services.post_delete(post=selectors.access_post(viewer=viewer, post_id=pk), by=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentListView(APIView):
    pagination_class = LimitedPageNumberPagination

    @extend_schema(responses=CommentSerializer(many=True), summary="Comments on a post, oldest first")
    def get(self, request, pk: int):
        post = selectors.access_post(viewer=viewer_of(request), post_id=pk)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.post_comments(post=post), request, view=self)
        data = CommentSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer}, summary="Comment")
    def post(self, request, pk: int):
        viewer = viewer_of(request)
        post = selectors.access_post(viewer=viewer, post_id=pk)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(post=post, author=viewer, body=data.validated_data["body"])
        return Response(CommentSerializer(comment, context={"request": request}).data, status=201)


class CommentDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Delete a comment (its author or the post's)")
    def delete(self, request, pk: int):
        viewer = viewer_of(request)
        services.comment_delete(comment=selectors.access_comment(viewer=viewer, comment_id=pk), by=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReactionView(APIView):
    def _state(self, request, pk):
        post = _render_post(request, pk)
        return {"my_reaction": post["my_reaction"], "reaction_count": post["reaction_count"]}

    @extend_schema(
        request=ReactionSerializer,
        responses={200: ReactionStateSerializer, 201: ReactionStateSerializer},
        summary="React to a post (one reaction per person; idempotent)",
    )
    def put(self, request, pk: int):
        viewer = viewer_of(request)
        post = selectors.access_post(viewer=viewer, post_id=pk)
        data = ReactionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.reaction_set(post=post, person=viewer, kind=data.validated_data["kind"])
        return Response(self._state(request, pk), status=201 if created else 200)

    @extend_schema(responses={204: None}, summary="Take my reaction back (idempotent)")
    def delete(self, request, pk: int):
        viewer = viewer_of(request)
        services.reaction_remove(post=selectors.access_post(viewer=viewer, post_id=pk), person=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfilePostsView(PostPageMixin, APIView):
    @extend_schema(responses=PostSerializer(many=True), summary="A person's posts the viewer may see")
    def get(self, request, username: str):
        author = profile_get(username=username)
        return self.post_page(request, selectors.profile_posts(viewer=viewer_of(request), author=author))


FeedPageSerializer = inline_serializer(
    "FeedPage",
    {"results": ActivitySerializer(many=True), "next": serializers.URLField(allow_null=True)},
)


class FeedView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cursor",
                {"type": "integer", "minimum": 1, "maximum": ID_MAX},
                description="the `id` of the last item seen",
            ),
            OpenApiParameter(
                "limit", {"type": "integer", "minimum": 1, "maximum": 100}, description="1 to 100, default 20"
            ),
        ],
        responses=FeedPageSerializer,
        summary="My home feed, newest first",
    )
    def get(self, request):
        viewer = viewer_of(request)
        limit = parse_limit(request, default=20, maximum=100)
        cursor = whole_number(
            request.query_params.get("cursor"),
            name="cursor",
            minimum=1,
            maximum=ID_MAX,
            message="A cursor is the id of the last item seen.",
        )
        body = pages.feed_page_json(
            viewer=viewer,
            cursor=cursor,
            limit=limit,
            origin=request.build_absolute_uri("/")[:-1],
            next_url=lambda after: replace_query_param(request.build_absolute_uri(), "cursor", after),
        )
        if request.accepted_renderer.format != "json":  # the browsable API, under DEBUG
            return Response(orjson.loads(body))
        return HttpResponse(body, content_type="application/json")


class NotificationListView(APIView):
    pagination_class = LimitedPageNumberPagination

    @extend_schema(responses=NotificationSerializer(many=True), summary="My notifications, newest first")
    def get(self, request):
        paginator = self.pagination_class()
        queryset = selectors.notifications_of(viewer=viewer_of(request))
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(
        request=MarkReadSerializer,
        responses=inline_serializer("UnreadCount", {"unread_count": serializers.IntegerField()}),
        summary="Mark my notifications read, up to an id",
    )
    def post(self, request):
        viewer = viewer_of(request)
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notifications_mark_read(recipient=viewer, up_to=data.validated_data["up_to"])
        return Response({"unread_count": selectors.unread_count(viewer=viewer)})


class EventSchemaView(APIView):
    """The WebSocket events of ``/ws/feed/`` as JSON Schema (``feed/events.py``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(events.document())
