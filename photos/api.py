"""REST endpoints of photo albums, and the permission-checked media view."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from photos import selectors, services
from photos.serializers import (
    AlbumCreateSerializer,
    AlbumSerializer,
    AlbumUpdateSerializer,
    PhotoSerializer,
    PhotoUpdateSerializer,
    PhotoUploadSerializer,
)
from profiles.api import viewer_of
from profiles.selectors import profile_get
from socialblue.api import LimitedPageNumberPagination
from socialblue.errors import NotFound
from socialblue.uploads import uploaded_files

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _album(request, pk: int) -> dict:
    album = selectors.access_album(viewer=viewer_of(request), album_id=pk)
    return AlbumSerializer(album, context={"request": request}).data


class AlbumCreateView(APIView):
    @extend_schema(request=AlbumCreateSerializer, responses={201: AlbumSerializer}, summary="Create an album")
    def post(self, request):
        data = AlbumCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        album = services.album_create(owner=viewer_of(request), **data.validated_data)
        return Response(_album(request, album.pk), status=status.HTTP_201_CREATED)


class AlbumDetailView(APIView):
    @extend_schema(responses=AlbumSerializer, summary="An album the viewer may see")
    def get(self, request, pk: int):
        return Response(_album(request, pk))

    @extend_schema(request=AlbumUpdateSerializer, responses=AlbumSerializer, summary="Edit my album")
    def patch(self, request, pk: int):
        viewer = viewer_of(request)
        album = selectors.access_album(viewer=viewer, album_id=pk)
        data = AlbumUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.album_update(album=album, by=viewer, **data.validated_data)
        return Response(_album(request, pk))

    @extend_schema(responses={204: None}, summary="Delete my album, its photos and their files")
    def delete(self, request, pk: int):
        viewer = viewer_of(request)
        services.album_delete(album=selectors.access_album(viewer=viewer, album_id=pk), by=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AlbumPhotosView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = LimitedPageNumberPagination

    @extend_schema(
        responses=PhotoSerializer(many=True),
        summary="The album's photos, in album order (its owner also sees those not ready yet)",
    )
    def get(self, request, pk: int):
        viewer = viewer_of(request)
        album = selectors.access_album(viewer=viewer, album_id=pk)
        paginator = self.pagination_class()
        photos = selectors.album_photos_seen_by(album=album, viewer=viewer)
        page = paginator.paginate_queryset(photos, request, view=self)
        return paginator.get_paginated_response(
            PhotoSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={
            202: PhotoSerializer(many=True),
            400: OpenApiResponse(description="Too many parts, too many pixels, truncated or corrupt"),
            413: OpenApiResponse(description="A part over PHOTO_MAX_BYTES"),
            415: OpenApiResponse(description="Not a JPEG, PNG, WebP or GIF image"),
        },
        summary="Upload photos (processed in the background)",
    )
    def post(self, request, pk: int):
        viewer = viewer_of(request)
        album = selectors.access_album(viewer=viewer, album_id=pk)
        photos = services.photos_upload(album=album, by=viewer, files=uploaded_files(request, "image"))
        data = PhotoSerializer(photos, many=True, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class PhotoDetailView(APIView):
    @extend_schema(responses=PhotoSerializer, summary="A photo the viewer may see")
    def get(self, request, pk: int):
        photo = selectors.access_photo(viewer=viewer_of(request), photo_id=pk)
        return Response(PhotoSerializer(photo, context={"request": request}).data)

    @extend_schema(request=PhotoUpdateSerializer, responses=PhotoSerializer, summary="Edit my photo")
    def patch(self, request, pk: int):
        viewer = viewer_of(request)
        photo = selectors.access_photo(viewer=viewer, photo_id=pk)
        data = PhotoUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.photo_update(photo=photo, by=viewer, **data.validated_data)
        return Response(PhotoSerializer(photo, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Delete my photo and its files")
    def delete(self, request, pk: int):
        viewer = viewer_of(request)
        services.photo_delete(photo=selectors.access_photo(viewer=viewer, photo_id=pk), by=viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileAlbumsView(APIView):
    pagination_class = LimitedPageNumberPagination

    @extend_schema(responses=AlbumSerializer(many=True), summary="A person's albums the viewer may see")
    def get(self, request, username: str):
        owner = profile_get(username=username)
        paginator = self.pagination_class()
        albums = selectors.profile_albums(viewer=viewer_of(request), owner=owner)
        page = paginator.paginate_queryset(albums, request, view=self)
        return paginator.get_paginated_response(
            AlbumSerializer(page, many=True, context={"request": request}).data
        )


class PhotoMediaView(APIView):
    """One file of a photo, to viewers who may see its album, right now: a saved URL stops
    working the moment its holder can no longer see the album."""

    @extend_schema(exclude=True)
    def get(self, request, pk: int, rendition: str):
        photo = selectors.access_photo(viewer=viewer_of(request), photo_id=pk)
        name = getattr(photo, rendition, "") if rendition in ("thumb", "medium", "original") else ""
        if not name:
            raise NotFound("No such file.")
        delivery = settings.PHOTO_MEDIA_DELIVERY
        if delivery == "redirect":
            # A storage that signs its URLs (S3 through django-storages with
            # AWS_QUERYSTRING_EXPIRE) hands out a short-lived link.
            response = HttpResponseRedirect(default_storage.url(name))
        elif delivery == "accel":
            response = HttpResponse()
            response["X-Accel-Redirect"] = settings.PHOTO_ACCEL_PREFIX + name
        else:
            response = FileResponse(default_storage.open(name, "rb"))
        response["Content-Type"] = CONTENT_TYPES[name.rsplit(".", 1)[-1]]
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        response["Cache-Control"] = f"private, max-age={settings.PHOTO_MEDIA_MAX_AGE}"
        return response
