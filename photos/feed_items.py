"""How photos appear in the feed: ``added_photos`` items and photos carried by posts."""

from feed.registry import PostAttachments, register_object_type, register_post_attachments
from photos import selectors, services
from photos.serializers import PhotoSerializer
from profiles.serializers import PersonSerializer

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


def register() -> None:
    register_object_type("photo_batch", load=selectors.visible_batches, render=render_batches)
    register_post_attachments(
        PostAttachments(
            field="photos",
            validate=services.post_photos_validate,
            attach=services.post_photos_attach,
            load=load_post_photos,
        )
    )
