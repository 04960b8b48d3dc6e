"""REST endpoints for people and the graph: thin views over services and selectors."""

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles import selectors, services
from profiles.models import Profile
from profiles.serializers import (
    AvatarUploadSerializer,
    BoxSerializer,
    ConnectionRequestCreateSerializer,
    ConnectionRequestSerializer,
    DirectoryQuerySerializer,
    MeSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
)
from socialblue.api import LimitedPageNumberPagination
from socialblue.errors import NotFound
from socialblue.uploads import uploaded_files


def viewer_of(request: Request) -> Profile:
    """The signed-in person's profile, read once per request (status is never cached
    across requests). Token authentication reads it in its own query and leaves it on the
    request; a session's user is loaded with it (profiles/backends.py); anyone else (a test's
    forced user) costs a query here."""
    viewer = getattr(request._request, "viewer_profile", None)
    if viewer is None and isinstance(request.successful_authenticator, SessionAuthentication):
        # The session's user was loaded for this request by AuthenticationMiddleware.
        viewer = request.user._state.fields_cache.get("profile")
    if viewer is None:
        viewer = selectors.profile_of(request.user)
        if viewer is None:
            raise NotFound("This account has no profile.")
        request._request.viewer_profile = viewer
    return viewer


# Fields of ``me/`` that other apps own (the feed's ``unread_count``): name -> f(viewer).
_me_fields: dict[str, Callable[[Profile], object]] = {}


def register_me_field(name: str, compute: Callable[[Profile], object]) -> None:
    _me_fields[name] = compute


def me_response(request: Request, viewer: Profile) -> Response:
    """``me/``: the viewer's whole card, with the fields other apps add."""
    me = selectors.profile_queryset().get(pk=viewer.pk)
    return Response(MeSerializer(me, context=me_context(request, me)).data)


def me_context(request: Request, viewer: Profile) -> dict:
    context = profile_context(request, [viewer])
    context.update({name: compute(viewer) for name, compute in _me_fields.items()})
    return context


def profile_context(request: Request, profiles: list[Profile]) -> dict:
    """Serializer context for a list of profiles: how the viewer stands to each, in three
    queries whatever the number of profiles."""
    viewer = viewer_of(request)
    return {
        "request": request,
        "viewer": viewer,
        "relations": selectors.relations_to(viewer=viewer, profile_ids=[p.pk for p in profiles]),
    }


class ProfileListMixin:
    """Paginates a queryset of profiles and answers with profile cards."""

    pagination_class = LimitedPageNumberPagination

    def profile_page(self, request: Request, queryset: QuerySet[Profile]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = ProfileSerializer(page, many=True, context=profile_context(request, page)).data
        return paginator.get_paginated_response(data)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="My profile")
    def get(self, request):
        return me_response(request, viewer_of(request))

    @extend_schema(request=ProfileUpdateSerializer, responses=MeSerializer, summary="Edit my profile")
    def patch(self, request):
        viewer = viewer_of(request)
        data = ProfileUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.profile_update(profile=viewer, **data.validated_data)
        return me_response(request, viewer)


class MeAvatarView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AvatarUploadSerializer},
        responses={
            200: MeSerializer,
            400: OpenApiResponse(description="Not readable: corrupt, truncated or too many pixels"),
            413: OpenApiResponse(description="Over AVATAR_MAX_BYTES"),
            415: OpenApiResponse(description="Not a JPEG, PNG, WebP or GIF image"),
        },
        summary="Upload my avatar",
    )
    def put(self, request):
        viewer = viewer_of(request)
        uploaded_files(request, "image")  # 413 if the upload was cut off for its size
        data = AvatarUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.profile_set_avatar(profile=viewer, upload=data.validated_data["image"])
        return me_response(request, viewer)

    @extend_schema(responses={204: None}, summary="Remove my avatar")
    def delete(self, request):
        services.profile_remove_avatar(profile=viewer_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileListView(ProfileListMixin, APIView):
    @extend_schema(
        parameters=[DirectoryQuerySerializer],
        responses=ProfileSerializer(many=True),
        summary="Search the directory",
    )
    def get(self, request):
        query = DirectoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self.profile_page(
            request, selectors.profile_search(viewer=viewer_of(request), **query.validated_data)
        )


class ProfileDetailView(APIView):
    @extend_schema(responses=ProfileSerializer, summary="A profile, as the viewer may see it")
    def get(self, request, username: str):
        profile = selectors.profile_get(username=username)
        return Response(ProfileSerializer(profile, context=profile_context(request, [profile])).data)


FollowStateSerializer = inline_serializer(
    "FollowState", {"following": serializers.BooleanField(), "follower_count": serializers.IntegerField()}
)


class FollowView(APIView):
    @extend_schema(request=None, responses={200: FollowStateSerializer, 201: FollowStateSerializer})
    def post(self, request, username: str):
        followee = selectors.profile_get(username=username)
        created = services.follow(follower=viewer_of(request), followee=followee)
        followee.refresh_from_db(fields=["follower_count"])
        return Response(
            {"following": True, "follower_count": followee.follower_count},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses={204: None})
    def delete(self, request, username: str):
        followee = selectors.profile_get(username=username)
        services.unfollow(follower=viewer_of(request), followee=followee)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowersView(ProfileListMixin, APIView):
    @extend_schema(responses=ProfileSerializer(many=True), summary="Who follows this person")
    def get(self, request, username: str):
        profile = selectors.profile_get(username=username)
        return self.profile_page(request, selectors.followers_of(profile=profile))


class FollowingView(ProfileListMixin, APIView):
    @extend_schema(responses=ProfileSerializer(many=True), summary="Whom this person follows")
    def get(self, request, username: str):
        profile = selectors.profile_get(username=username)
        return self.profile_page(request, selectors.following_of(profile=profile))


class ProfileConnectionsView(ProfileListMixin, APIView):
    @extend_schema(
        responses={
            200: ProfileSerializer(many=True),
            404: OpenApiResponse(
                description="No such person, or not theirs to show me: only the person and "
                "their connections see the list"
            ),
        },
        summary="A person's connections (seen by the person and their connections)",
    )
    def get(self, request, username: str):
        person = selectors.profile_get(username=username)
        return self.profile_page(
            request, selectors.connections_seen_by(viewer=viewer_of(request), person=person)
        )


class ConnectionListView(ProfileListMixin, APIView):
    @extend_schema(responses=ProfileSerializer(many=True), summary="My connections")
    def get(self, request):
        return self.profile_page(request, selectors.connections_of(profile=viewer_of(request)))


class ConnectionDeleteView(APIView):
    @extend_schema(responses={204: None}, summary="Remove a connection")
    def delete(self, request, username: str):
        other = selectors.profile_get(username=username)
        services.connection_remove(profile=viewer_of(request), other=other)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectionRequestListView(APIView):
    pagination_class = LimitedPageNumberPagination

    @extend_schema(
        parameters=[BoxSerializer],
        responses=ConnectionRequestSerializer(many=True),
        summary="Pending requests to me (incoming) or from me (outgoing)",
    )
    def get(self, request):
        query = BoxSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        requests = selectors.connection_requests(profile=viewer_of(request), box=query.validated_data["box"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(requests, request, view=self)
        data = ConnectionRequestSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=ConnectionRequestCreateSerializer,
        responses={
            201: ConnectionRequestSerializer,
            200: ConnectionRequestSerializer,
            404: OpenApiResponse(description="No such person"),
            409: OpenApiResponse(description="Already connected"),
        },
        summary="Ask someone to connect",
        description="If that person has already asked me, their request is accepted and we are "
        "connected (the answer shows it with status `accepted`). Asking again while a request is "
        "pending answers 200 with the pending request; asking someone I am connected with, 409.",
    )
    def post(self, request):
        data = ConnectionRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receiver = selectors.profile_get(username=data.validated_data["username"])
        connection_request, created = services.connection_request_send(
            sender=viewer_of(request), receiver=receiver, message=data.validated_data["message"]
        )
        connection_request.refresh_from_db()
        return Response(
            ConnectionRequestSerializer(connection_request, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConnectionRequestWithdrawView(APIView):
    @extend_schema(responses={204: None}, summary="Withdraw a request I sent")
    def delete(self, request, pk: int):
        viewer = viewer_of(request)
        connection_request = selectors.connection_request_get(viewer=viewer, request_id=pk)
        services.connection_request_withdraw(request=connection_request, by=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectionRequestActionView(APIView):
    """Accept or decline, by the receiver only."""

    action_service = None

    @extend_schema(request=None, responses=ConnectionRequestSerializer)
    def post(self, request, pk: int):
        viewer = viewer_of(request)
        connection_request = selectors.connection_request_get(viewer=viewer, request_id=pk)
        connection_request = type(self).action_service(request=connection_request, by=viewer)
        return Response(ConnectionRequestSerializer(connection_request, context={"request": request}).data)


class ConnectionRequestAcceptView(ConnectionRequestActionView):
    action_service = staticmethod(services.connection_request_accept)


class ConnectionRequestDeclineView(ConnectionRequestActionView):
    action_service = staticmethod(services.connection_request_decline)
