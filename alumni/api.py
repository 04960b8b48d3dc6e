"""REST endpoints of the alumni network: offboarding and rehire (HR), one's alumni profile,
the alumni directory and former colleagues."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from alumni import selectors, services
from alumni.models import EmploymentEvent
from alumni.serializers import (
    AlumniProfileSerializer,
    AlumniProfileUpdateSerializer,
    AlumnusCardSerializer,
    DirectoryQuerySerializer,
    EmploymentChangeSerializer,
    FormerColleagueSerializer,
    OffboardSerializer,
    RehireSerializer,
)
from profiles.api import profile_context, viewer_of
from profiles.audience import is_hr
from profiles.selectors import profile_get, profile_queryset, relations_to
from socialblue.api import LimitedPageNumberPagination


class IsHR(BasePermission):
    """HR officers and admins (``profiles.manage_employment``); anyone else gets 403."""

    message = "Only HR officers may offboard or rehire people."

    def has_permission(self, request, view):
        return is_hr(request.user)


def _change_response(request, event: EmploymentEvent) -> Response:
    profile = profile_queryset().get(pk=event.profile_id)
    context = {**profile_context(request, [profile]), "event": event}
    return Response(EmploymentChangeSerializer(profile, context=context).data)


HR_ERRORS = {
    400: OpenApiResponse(description="Bad input (field errors)"),
    403: OpenApiResponse(description="Not an HR officer"),
    404: OpenApiResponse(description="No such person"),
    409: OpenApiResponse(description="The person is not in the status this needs"),
}


class OffboardView(APIView):
    permission_classes = [IsHR]

    @extend_schema(
        request=OffboardSerializer,
        responses={200: EmploymentChangeSerializer, **HR_ERRORS},
        summary="HR: the employee leaves the company and becomes an alumnus",
    )
    def post(self, request):
        data = OffboardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        event = services.alumnus_offboard(
            profile=profile_get(username=fields["username"]),
            leave_date=fields["leave_date"],
            personal_email=fields["personal_email"],
            by=request.user,
            source=EmploymentEvent.Source.API,
        )
        return _change_response(request, event)


class RehireView(APIView):
    permission_classes = [IsHR]

    @extend_schema(
        request=RehireSerializer,
        responses={200: EmploymentChangeSerializer, **HR_ERRORS},
        summary="HR: the alumnus is an employee again (boomerang rehire)",
    )
    def post(self, request):
        data = RehireSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        profile = profile_get(username=fields["username"])
        department, manager = selectors.rehire_placement(
            department=fields.get("department", ""), manager=fields.get("manager", "")
        )
        event = services.alumnus_rehire(
            profile=profile,
            by=request.user,
            source=EmploymentEvent.Source.API,
            start=fields.get("start"),
            department=department,
            title=fields.get("title", ""),
            manager=manager,
        )
        return _change_response(request, event)


class AlumniMeView(APIView):
    @extend_schema(responses=AlumniProfileSerializer, summary="My alumni profile")
    def get(self, request):
        alumni_profile = selectors.alumni_profile_get(viewer_of(request))
        return Response(AlumniProfileSerializer(alumni_profile).data)

    @extend_schema(
        request=AlumniProfileUpdateSerializer,
        responses=AlumniProfileSerializer,
        summary="Edit my alumni profile (listing in the directory is opt-in)",
    )
    def patch(self, request):
        data = AlumniProfileUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alumni_profile = services.alumni_profile_update(profile=viewer_of(request), **data.validated_data)
        return Response(AlumniProfileSerializer(alumni_profile).data)


class AlumniDirectoryView(APIView):
    pagination_class = LimitedPageNumberPagination

    @extend_schema(
        parameters=[DirectoryQuerySerializer],
        responses=AlumnusCardSerializer(many=True),
        summary="The alumni directory: alumni who chose to be listed",
    )
    def get(self, request):
        query = DirectoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        viewer_of(request)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.alumni_directory(**query.validated_data), request, view=self
        )
        context = profile_context(request, page)
        return paginator.get_paginated_response(AlumnusCardSerializer(page, many=True, context=context).data)


class FormerColleaguesView(APIView):
    pagination_class = LimitedPageNumberPagination

    @extend_schema(
        responses=inline_serializer(
            "FormerColleaguePage",
            {"results": FormerColleagueSerializer(many=True), "next": serializers.URLField(allow_null=True)},
        ),
        summary="People who worked with me: same department or manager at the same time, longest first",
    )
    def get(self, request):
        viewer = viewer_of(request)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.former_colleagues(viewer=viewer), request, view=self)
        context = {
            "request": request,
            "relations": relations_to(viewer=viewer, profile_ids=[c.profile.pk for c in page]),
        }
        return paginator.get_paginated_response(
            FormerColleagueSerializer(page, many=True, context=context).data
        )
