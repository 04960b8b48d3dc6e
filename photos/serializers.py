from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from photos.models import Album, Photo
from profiles.serializers import PersonSerializer, VisibilityField
from socialblue.fields import IdField, PositionField

RENDITIONS = ("thumb", "medium", "original")


def media_url(photo: Photo, rendition: str, request) -> str:
    url = reverse("photo-media", kwargs={"pk": photo.pk, "rendition": rendition})
    return request.build_absolute_uri(url) if request is not None else url


class PhotoUrlsSerializer(serializers.Serializer):
    thumb = serializers.URLField()
    medium = serializers.URLField()
    original = serializers.URLField()


class PhotoSerializer(serializers.ModelSerializer):
    urls = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id",
            "album",
            "caption",
            "alt_text",
            "status",
            "error",
            "position",
            "width",
            "height",
            "blurhash",
            "taken_at",
            "created_at",
            "urls",
        ]

    @extend_schema_field(PhotoUrlsSerializer(allow_null=True))
    def get_urls(self, photo):
        if photo.status != Photo.Status.READY:
            return None
        request = self.context.get("request")
        return {rendition: media_url(photo, rendition, request) for rendition in RENDITIONS}


class AlbumSerializer(serializers.ModelSerializer):
    owner = PersonSerializer(read_only=True)
    cover = PhotoSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Album
        fields = [
            "id",
            "owner",
            "title",
            "description",
            "visibility",
            "cover",
            "photo_count",
            "created_at",
            "updated_at",
        ]


class AlbumCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    visibility = VisibilityField(required=False)


class AlbumUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    visibility = VisibilityField(required=False)
    cover = IdField(required=False, help_text="id of one of the album's ready photos")
    photo_order = serializers.ListField(
        child=IdField(), required=False, help_text="every photo id of the album, in order"
    )


class PhotoUpdateSerializer(serializers.Serializer):
    caption = serializers.CharField(max_length=500, required=False, allow_blank=True)
    alt_text = serializers.CharField(max_length=500, required=False, allow_blank=True)
    position = PositionField(required=False)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.ListField(child=serializers.FileField(), help_text="one or more image parts")
