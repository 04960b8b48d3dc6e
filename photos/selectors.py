"""Reads of albums and photos, always through the audience rule of ``profiles``."""

from django.db.models import Q, QuerySet

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


def _shown_to(viewer: Profile | None) -> Q:
    """Which photos of an album the viewer may see: ready ones. A photo still processing, or
    failed (with the reason it failed), is its owner's business: what they captioned or
    uploaded reaches the album's audience once it is a finished photo, the same moment the feed
    and the album's count take it in."""
    ready = Q(status=Photo.Status.READY)
    return ready if viewer is None else ready | Q(album__owner=viewer)


def access_photo(*, viewer: Profile, photo_id: int) -> Photo:
    """The photo, if the viewer may see its album and it (see :func:`_shown_to`); the same 404
    whether missing or hidden."""
    photo = (
        Photo.objects.select_related("album__owner__user")
        .filter(_shown_to(viewer), pk=photo_id, album__in=visible_albums(viewer).values("pk"))
        .first()
    )
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def profile_albums(*, viewer: Profile, owner: Profile) -> QuerySet[Album]:
    return visible_albums(viewer).filter(owner=owner).order_by("-id")


def album_photos(*, album: Album) -> QuerySet[Photo]:
    """Every photo of the album, in album order: for its owner's own work on it (uploading,
    reordering). What others are shown is :func:`album_photos_seen_by`."""
    return album.photos.order_by("position", "id")


def album_photos_seen_by(*, album: Album, viewer: Profile) -> QuerySet[Photo]:
    """The album's photos the viewer may see (an album they may see: ``access_album``), in
    album order: ready ones, and to the owner their unfinished ones too."""
    return album_photos(album=album).filter(_shown_to(viewer))


def album_photos_page(
    *, album: Album, viewer: Profile, after: tuple[int, int] | None, limit: int
) -> tuple[list[Photo], tuple[int, int] | None]:
    """One page of :func:`album_photos_seen_by`, after the photo at ``(position, id)``, and
    the cursor of the next page (``None`` at the end). A cursor by place, not a page number:
    a photo deleted or uploaded while someone scrolls neither skips nor repeats another. One
    query, however long the album."""
    photos = album_photos_seen_by(album=album, viewer=viewer)
    if after is not None:
        position, pk = after
        photos = photos.filter(Q(position__gt=position) | Q(position=position, pk__gt=pk))
    found = list(photos[: limit + 1])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], (last.position, last.pk)


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
