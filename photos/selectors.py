"""Reads of albums and photos, always through the audience rule of ``profiles``."""

from django.db.models import QuerySet

from photos.models import Album, Photo, PhotoBatch, PostPhoto
from profiles.audience import visible_filter
from profiles.models import Profile
from socialblue.errors import NotFound


def album_queryset() -> QuerySet[Album]:
    return Album.objects.select_related("owner__user", "cover")


def visible_albums(viewer: Profile | None) -> QuerySet[Album]:
    return album_queryset().filter(visible_filter(viewer, author_field="owner"))


def access_album(*, viewer: Profile, album_id: int) -> Album:
    """The album, if the viewer may see it; the same 404 whether missing or hidden."""
    album = visible_albums(viewer).filter(pk=album_id).first()
    if album is None:
        raise NotFound("No such album.")
    return album


def access_photo(*, viewer: Profile, photo_id: int) -> Photo:
    photo = (
        Photo.objects.select_related("album__owner__user")
        .filter(pk=photo_id, album__in=visible_albums(viewer).values("pk"))
        .first()
    )
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def profile_albums(*, viewer: Profile, owner: Profile) -> QuerySet[Album]:
    return visible_albums(viewer).filter(owner=owner).order_by("-id")


def album_photos(*, album: Album) -> QuerySet[Photo]:
    """In album order."""
    return album.photos.order_by("position", "id")


def visible_batches(ids: list[int], viewer: Profile | None) -> dict[int, PhotoBatch]:
    """Photo batches (feed items) whose album the viewer may see, with a few ready photos."""
    batches = PhotoBatch.objects.select_related("album__owner__user").filter(
        pk__in=ids, album__in=visible_albums(viewer).values("pk")
    )
    result = {batch.pk: batch for batch in batches}
    ready = Photo.objects.filter(batch_id__in=list(result), status=Photo.Status.READY).order_by(
        "position", "id"
    )
    for batch in result.values():
        batch.ready_photos = []
    for photo in ready:
        result[photo.batch_id].ready_photos.append(photo)
    return result


def post_photos(post_ids: list[int], viewer: Profile | None) -> dict[int, list[Photo]]:
    """The photos posts carry that the viewer may see (their album's audience decides)."""
    rows = (
        PostPhoto.objects.select_related("photo")
        .filter(post_id__in=post_ids, photo__status=Photo.Status.READY)
        .filter(photo__album__in=visible_albums(viewer).values("pk"))
        .order_by("post_id", "position")
    )
    result: dict[int, list[Photo]] = {}
    for row in rows:
        result.setdefault(row.post_id, []).append(row.photo)
    return result
