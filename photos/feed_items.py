"""How photos appear in the feed: ``added_photos`` items and photos carried by posts, and
which photos a post may carry (none from an album seen by fewer people than the post)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from feed.registry import PostAttachments, register_object_type, register_post_attachments
from photos import selectors, services
from photos.models import Photo, PostPhoto
from photos.serializers import PhotoSerializer
from profiles.audience import audience_within
from profiles.serializers import PersonSerializer
from socialblue.errors import Invalid

# How many thumbnails an "added photos" item shows.
PREVIEW_PHOTOS = 4


def render_batches(batches: list, context: dict) -> list[dict]:
    request = context.get("request")
    return [
        {
            "album": {
                "id": batch.album_id,
                "title": batch.album.title,
                "visibility": batch.album.visibility,
                "owner": PersonSerializer(batch.album.owner, context=context).data,
            },
            "photo_count": len(batch.ready_photos),
            "photos": PhotoSerializer(
                batch.ready_photos[:PREVIEW_PHOTOS], many=True, context={"request": request}
            ).data,
        }
        for batch in batches
    ]


def load_post_photos(posts, viewer, request) -> dict[int, list[dict]]:
    photos = selectors.post_photos([post.pk for post in posts], viewer)
    return {
        post_id: PhotoSerializer(items, many=True, context={"request": request}).data
        for post_id, items in photos.items()
    }


def _refuse_narrower_albums(photos, visibility: str, *, field: str) -> None:
    """A post's photos are shown to those who may see their album; a post is meant for its
    whole audience, so it may carry only photos whose album reaches everyone who may see the
    post. Raise naming ``field`` otherwise."""
    narrower = [
        (pk, title)
        for pk, title, album_visibility in photos.values_list("pk", "album__title", "album__visibility")
        if not audience_within(visibility, album_visibility)
    ]
    if narrower:
        ids = ", ".join(str(pk) for pk, _title in narrower)
        albums = ", ".join(sorted({f"“{title}”" for _pk, title in narrower}))
        message = ngettext(
            "Photo %(ids)s is in an album fewer people may see than this post (%(albums)s).",
            "Photos %(ids)s are in albums fewer people may see than this post (%(albums)s).",
            len(narrower),
        ) % {"ids": ids, "albums": albums}
        hint = _("Attach photos from an album at least as wide, or choose fewer people for the post.")
        raise Invalid({field: [f"{message} {hint}"]})


def validate_post_photos(author, photo_ids: list[int], visibility: str) -> None:
    services.post_photos_validate(author, photo_ids)
    _refuse_narrower_albums(Photo.objects.filter(pk__in=photo_ids), visibility, field="photos")


def validate_post_visibility(post, visibility: str) -> None:
    carried = PostPhoto.objects.filter(post=post).values("photo_id")
    _refuse_narrower_albums(Photo.objects.filter(pk__in=carried), visibility, field="visibility")


def register() -> None:
    register_object_type("photo_batch", load=selectors.visible_batches, render=render_batches)
    register_post_attachments(
        PostAttachments(
            field="photos",
            validate=validate_post_photos,
            attach=services.post_photos_attach,
            load=load_post_photos,
            validate_visibility=validate_post_visibility,
            forget=services.post_photos_forget,
            serializer=PhotoSerializer,
        )
    )
