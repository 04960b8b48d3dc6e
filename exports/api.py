"""REST endpoints of the exit kit: ask for an archive, watch it being built, download it."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from exports import links, selectors, services
from exports.models import DataExport
from profiles.api import viewer_of
from socialblue.errors import NotFound


class DataExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.SerializerMethodField()
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the archive is deleted (set once it is ready)."
    )
    size = serializers.IntegerField(help_text="Bytes of the archive (0 until ready).")
    error = serializers.CharField(help_text="Why the export failed; empty otherwise.")
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=selectors.EXPORT_STATES))
    def get_status(self, export: DataExport) -> str:
        return selectors.export_state(export)

    @extend_schema_field(
        serializers.URLField(
            allow_null=True,
            help_text="While ready: a link for the signed-in owner, working for EXPORT_LINK_SECONDS.",
        )
    )
    def get_download_url(self, export: DataExport) -> str | None:
        path = links.export_download_path(export)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None and path else path


def _export(request, export: DataExport) -> dict:
    return DataExportSerializer(export, context={"request": request}).data


class MeExportView(APIView):
    @extend_schema(
        responses={200: DataExportSerializer, 404: OpenApiResponse(description="No export asked for yet")},
        summary="My latest export: its progress and, once ready, a download link",
    )
    def get(self, request):
        export = selectors.export_latest(profile=viewer_of(request))
        if export is None:
            raise NotFound("You have not asked for an export yet.")
        return Response(_export(request, export))

    @extend_schema(
        request=None,
        responses={
            202: DataExportSerializer,
            429: OpenApiResponse(
                description="One new export per EXPORT_MIN_INTERVAL_SECONDS; see Retry-After"
            ),
        },
        summary="Build an archive of my posts, comments, connections and photos (or show the one on its way)",
    )
    def post(self, request):
        export = services.export_request(profile=viewer_of(request))
        return Response(_export(request, export), status=status.HTTP_202_ACCEPTED)


class ExportDownloadView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # The archive is not rendered by DRF, and errors are JSON whatever the client accepts
        # (an ``Accept: application/zip`` must not turn into a 406).
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("signature", str, required=True, description="From the export's download_url.")
        ],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip archive"),
            404: OpenApiResponse(description="Not my export, not ready, or a wrong signature"),
            410: OpenApiResponse(
                description="The link or the archive has expired (an archive also expires when its "
                "owner's employment status changes: it was built for what they could see then)"
            ),
        },
        summary="Download my archive (signed-in owner only, through a current link)",
    )
    def get(self, request, pk: int):
        download = links.export_open(
            profile=viewer_of(request), export_id=pk, signature=request.query_params.get("signature", "")
        )
        response = FileResponse(
            download.file, as_attachment=True, filename=download.filename, content_type="application/zip"
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
