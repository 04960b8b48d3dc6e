"""Every write of photo albums: albums, uploads, processing results, edits and deletes.

Files are written to and deleted from ``default_storage`` by name only (no local paths), and
deleted only after the transaction that forgot them has committed.
"""

from collections.abc import Sequence
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from feed import services as feed_services
from feed.models import Activity
from photos import pipeline
from photos.models import Album, Photo, PhotoBatch, PostPhoto
from photos.pipeline import Rendered
from profiles.audience import default_visibility, visibility_check
from profiles.models import Profile, Visibility
from socialblue.errors import Forbidden, Invalid
from socialblue.images import check_image, sniff_format

ADDED_PHOTOS = "added_photos"
ALT_TEXT_MAX = Photo._meta.get_field("alt_text").max_length


def _delete_files_on_commit(names: Sequence[str]) -> None:
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _require_owner(album: Album, by: Profile) -> None:
    if album.owner_id != by.pk:
        raise Forbidden(_("Only the album's owner may change it."))


def _feed_items_changed(*, photo_ids: Sequence[int] = (), album_ids: Sequence[int] = ()) -> None:
    """What the feed shows of some photos (or of every photo of some albums) changed: the posts
    carrying them and the "added photos" items holding them are rendered again (their
    activities get a new version, ``feed.services.activities_changed``). Called before a
    delete, while the photos can still be found."""
    photos = Photo.objects.filter(pk__in=list(photo_ids)) | Photo.objects.filter(album_id__in=list(album_ids))
    posts = PostPhoto.objects.filter(photo__in=photos).values_list("post_id", flat=True).distinct()
    feed_services.activities_changed(object_type="post", object_ids=posts)
    batches = PhotoBatch.objects.filter(pk__in=photos.values("batch_id")) | PhotoBatch.objects.filter(
        album_id__in=list(album_ids)
    )
    batch_ids = batches.values_list("pk", flat=True)
    feed_services.activities_changed(object_type="photo_batch", object_ids=batch_ids)


# --- Albums ---------------------------------------------------------------------------------


def album_create(
    *, owner: Profile, title: str, visibility: str | None = None, description: str = ""
) -> Album:
    title = (title or "").strip()
    if not title:
        raise Invalid({"title": [_("An album needs a title.")]})
    visibility = visibility_check(owner, visibility or default_visibility(owner))
    return Album.objects.create(
        owner=owner, title=title, description=description.strip(), visibility=visibility
    )


POST_ALBUM_TITLES = {
    Visibility.COMPANY: _lazy("Photos from my posts"),
    Visibility.NETWORK: _lazy("Photos from my posts · Network"),
    Visibility.CONNECTIONS: _lazy("Photos from my posts · Connections"),
}


def post_photos_album(*, owner: Profile, visibility: str) -> Album:
    """Where the photos a person attaches to a post of ``visibility`` are uploaded: an album of
    theirs with that visibility, so the photos are seen by exactly the post's audience. Made
    on first use; the owner may rename it."""
    visibility = visibility_check(owner, visibility)
    with transaction.atomic():
        Profile.objects.select_for_update().filter(pk=owner.pk).first()  # one album, even at once
        album = Album.objects.filter(owner=owner, for_posts=True, visibility=visibility).first()
        if album is None:
            album = Album.objects.create(
                owner=owner,
                title=str(POST_ALBUM_TITLES[visibility]),
                description=_("Photos I attached to my posts."),
                visibility=visibility,
                for_posts=True,
            )
    return album


def album_update(
    *,
    album: Album,
    by: Profile,
    title: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
    cover: int | None = None,
    photo_order: Sequence[int] | None = None,
) -> Album:
    """The owner edits the album; a visibility change follows the album's feed items."""
    _require_owner(album, by)
    with transaction.atomic():
        album = Album.objects.select_for_update().get(pk=album.pk)
        if title is not None:
            if not title.strip():
                raise Invalid({"title": [_("An album needs a title.")]})
            album.title = title.strip()
        if description is not None:
            album.description = description.strip()
        if cover is not None:
            photo = album.photos.filter(pk=cover, status=Photo.Status.READY).first()
            if photo is None:
                raise Invalid({"cover": [_("The cover is one of this album's ready photos.")]})
            album.cover = photo
        if photo_order is not None:
            _reorder(album, photo_order)
        if visibility is not None and visibility != album.visibility:
            album.visibility = visibility_check(by, visibility)
            for activity in _album_activities(album):
                feed_services.activity_update(activity=activity, visibility=album.visibility)
        album.save()
        # Its title, order and audience show in its feed items and in the posts carrying its
        # photos (a post shows each photo to those who may see its album).
        _feed_items_changed(album_ids=[album.pk])
    return album


def _reorder(album: Album, photo_order: Sequence[int]) -> None:
    ids = list(photo_order)
    photos = {p.pk: p for p in album.photos.all()}
    if len(ids) != len(set(ids)) or set(ids) != set(photos):
        raise Invalid({"photo_order": [_("List every photo of the album exactly once.")]})
    for position, photo_id in enumerate(ids):
        photos[photo_id].position = position
    Photo.objects.bulk_update(photos.values(), ["position"])


def _album_activities(album: Album):
    activity_ids = album.batches.exclude(activity_id=None).values("activity_id")
    return Activity.objects.filter(pk__in=activity_ids, removed_at__isnull=True)


def album_delete(*, album: Album, by: Profile) -> None:
    """Delete an album, its photos and their files, and its items in every feed."""
    _require_owner(album, by)
    with transaction.atomic():
        photos = list(album.photos.all())
        activity_ids = list(album.batches.exclude(activity_id=None).values_list("activity_id", flat=True))
        feed_services.activities_remove_by_id(activity_ids=activity_ids)
        _feed_items_changed(album_ids=[album.pk])
        _delete_files_on_commit([name for photo in photos for name in photo.stored_files()])
        album.delete()


# --- Uploads --------------------------------------------------------------------------------


def photos_upload(*, album: Album, by: Profile, files: Sequence, announce: bool = True) -> list[Photo]:
    """Check every uploaded file, then store them all and queue their processing.

    ``announce=False`` keeps them out of the feed (no ``added_photos`` item): photos uploaded
    to be attached to a post, which the post itself announces.

    Nothing is stored unless every file passes: too many files (400), one too large (413),
    not an allowed image by content (415), too many pixels by its header (400), truncated or
    corrupt (400). Stored names are random; the uploader's file names are never used.
    """
    from photos import tasks

    _require_owner(album, by)
    if not files:
        raise Invalid({"image": [_("Attach one or more images as 'image' parts.")]})
    if len(files) > settings.PHOTO_MAX_FILES:
        raise Invalid({"image": [_("At most %(n)d images per request.") % {"n": settings.PHOTO_MAX_FILES}]})
    for upload in files:
        check_image(upload, max_bytes=settings.PHOTO_MAX_BYTES, max_pixels=settings.PHOTO_MAX_PIXELS)
    with transaction.atomic():
        Album.objects.select_for_update().filter(pk=album.pk).first()
        start = (album.photos.aggregate(last=Max("position"))["last"] or -1) + 1
        batch = _open_batch(album, by) if announce else None
        photos = []
        stored: list[str] = []
        try:
            for offset, upload in enumerate(files):
                photo = Photo(album=album, uploader=by, batch=batch, position=start + offset)
                upload.seek(0)
                fmt = sniff_format(upload.read(16)).lower()
                upload.seek(0)
                photo.incoming = default_storage.save(f"photos/incoming/{photo.key}.{fmt}", upload)
                stored.append(photo.incoming)
                photos.append(photo)
            Photo.objects.bulk_create(photos)
        except Exception:
            for name in stored:
                default_storage.delete(name)
            raise
        for photo in photos:
            # Robust: the upload is stored; a broker away must not turn it into an error.
            # A photo whose processing was never queued is queued again by the beat
            # (``photos_redrive_stalled``).
            transaction.on_commit(lambda pk=photo.pk: tasks.process_photo.delay(pk), robust=True)
    return photos


def _open_batch(album: Album, by: Profile) -> PhotoBatch:
    """The batch these photos join: the uploader's latest one in this album if it was touched
    within FEED_AGGREGATE_WINDOW, so that "Ana added 5 photos" grows instead of repeating."""
    since = timezone.now() - timedelta(seconds=settings.FEED_AGGREGATE_WINDOW)
    batch = PhotoBatch.objects.filter(album=album, uploader=by, updated_at__gte=since).order_by("-id").first()
    if batch is None:
        batch = PhotoBatch.objects.create(album=album, uploader=by)
    else:
        PhotoBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now())
    return batch


# --- Processing results ---------------------------------------------------------------------


def photo_processed(*, photo: Photo, rendered: Rendered) -> Photo:
    """Store the clean files of a processed photo and mark it ready. Idempotent: a photo that
    is no longer processing (done, failed, or deleted) is left alone."""
    base = f"photos/{photo.key}"
    names = {
        "original": default_storage.save(
            f"{base}/original.{rendered.original_ext}", ContentFile(rendered.original)
        ),
        "medium": default_storage.save(f"{base}/medium.webp", ContentFile(rendered.medium)),
        "thumb": default_storage.save(f"{base}/thumb.webp", ContentFile(rendered.thumb)),
    }
    with transaction.atomic():
        current = (
            Photo.objects.select_for_update().filter(pk=photo.pk, status=Photo.Status.PROCESSING).first()
        )
        if current is None:
            _delete_files_on_commit(list(names.values()))
            return photo
        incoming = current.incoming
        for field, name in names.items():
            setattr(current, field, name)
        current.incoming = ""
        current.width, current.height = rendered.width, rendered.height
        current.blurhash = rendered.blurhash
        current.taken_at = rendered.taken_at
        current.status = Photo.Status.READY
        current.save()
        Album.objects.filter(pk=current.album_id).update(photo_count=F("photo_count") + 1)
        Album.objects.filter(pk=current.album_id, cover__isnull=True).update(cover=current)
        _delete_files_on_commit([incoming])
        _publish_batch_if_done(current.batch_id)
    return current


def photo_failed(*, photo: Photo, reason: str) -> Photo:
    """Mark a photo that cannot be processed as failed, with the reason, once."""
    with transaction.atomic():
        current = (
            Photo.objects.select_for_update().filter(pk=photo.pk, status=Photo.Status.PROCESSING).first()
        )
        if current is None:
            return photo
        _delete_files_on_commit([current.incoming])
        current.incoming = ""
        current.status = Photo.Status.FAILED
        current.error = reason[:300]
        current.save(update_fields=["incoming", "status", "error", "updated_at"])
        _publish_batch_if_done(current.batch_id)
    return current


def _publish_batch_if_done(batch_id: int | None) -> None:
    """When no photo of a batch is still processing: publish its ``added_photos`` activity,
    or touch the one it has (more photos joined it)."""
    if batch_id is None:
        return
    batch = PhotoBatch.objects.select_for_update().select_related("album", "uploader").get(pk=batch_id)
    photos = batch.photos.all()
    if (
        photos.filter(status=Photo.Status.PROCESSING).exists()
        or not photos.filter(status=Photo.Status.READY).exists()
    ):
        return
    activity = Activity.objects.filter(pk=batch.activity_id, removed_at__isnull=True).first()
    if activity is None:
        activity = feed_services.activity_publish(
            actor=batch.uploader,
            verb=ADDED_PHOTOS,
            object_type="photo_batch",
            object_id=batch.pk,
            visibility=batch.album.visibility,
        )
        batch.activity_id = activity.pk
    else:
        feed_services.activity_update(activity=activity)
    batch.updated_at = timezone.now()
    batch.save(update_fields=["activity_id", "updated_at"])


# --- Edits and deletes ----------------------------------------------------------------------


def photo_update(
    *,
    photo: Photo,
    by: Profile,
    caption: str | None = None,
    alt_text: str | None = None,
    position: int | None = None,
) -> Photo:
    _require_owner(photo.album, by)
    fields = ["updated_at"]
    if caption is not None:
        photo.caption = caption.strip()
        fields.append("caption")
    if alt_text is not None:
        photo.alt_text = alt_text.strip()
        fields.append("alt_text")
    if position is not None:
        photo.position = position
        fields.append("position")
    with transaction.atomic():
        photo.save(update_fields=fields)
        _feed_items_changed(photo_ids=[photo.pk])
    return photo


def photo_delete(*, photo: Photo, by: Profile) -> None:
    """Delete a photo and its files; a batch left with no photo leaves every feed."""
    _require_owner(photo.album, by)
    with transaction.atomic():
        if photo.status == Photo.Status.READY:
            Album.objects.filter(pk=photo.album_id).update(photo_count=F("photo_count") - 1)
        _delete_files_on_commit(photo.stored_files())
        _feed_items_changed(photo_ids=[photo.pk])
        batch_id = photo.batch_id
        photo.delete()
        album = Album.objects.get(pk=photo.album_id)
        if album.cover_id is None:
            album.cover = album.photos.filter(status=Photo.Status.READY).first()
            album.save(update_fields=["cover", "updated_at"])
        if batch_id is not None:
            batch = PhotoBatch.objects.filter(pk=batch_id).first()
            if batch and batch.activity_id and not batch.photos.filter(status=Photo.Status.READY).exists():
                feed_services.activities_remove_by_id(activity_ids=[batch.activity_id])
            elif batch and batch.activity_id:
                activity = Activity.objects.filter(pk=batch.activity_id).first()
                if activity is not None:
                    feed_services.activity_update(activity=activity)


# --- Photos on posts (registered with the feed) ---------------------------------------------


def post_photos_validate(author: Profile, photo_ids: list[int]) -> None:
    found = set(
        Photo.objects.filter(pk__in=photo_ids, uploader=author, status=Photo.Status.READY).values_list(
            "pk", flat=True
        )
    )
    missing = [pk for pk in photo_ids if pk not in found]
    if missing:
        raise Invalid({"photos": [_("These are not ready photos of yours: %(ids)s.") % {"ids": missing}]})


def post_photos_attach(post, photo_ids: list[int], alt_texts: dict[int, str] | None = None) -> None:
    """The photos (checked by ``post_photos_validate``) on the post, in order, and the alt text
    the author wrote for each in the composer (a blank one leaves the photo's own). Called
    inside the post's transaction, so a post refused leaves every alt text as it was."""
    texts = {pk: (text or "").strip() for pk, text in (alt_texts or {}).items() if pk in photo_ids}
    texts = {pk: text for pk, text in texts.items() if text}
    if any(len(text) > ALT_TEXT_MAX for text in texts.values()):
        message = _("A photo's description is at most %(n)d characters.") % {"n": ALT_TEXT_MAX}
        raise Invalid({"photos": [message]})
    PostPhoto.objects.bulk_create(
        [PostPhoto(post=post, photo_id=photo_id, position=i) for i, photo_id in enumerate(photo_ids)]
    )
    photos = list(Photo.objects.filter(pk__in=texts, uploader=post.author_id))
    now = timezone.now()
    for photo in photos:
        photo.alt_text, photo.updated_at = texts[photo.pk], now
    Photo.objects.bulk_update(photos, ["alt_text", "updated_at"])
    # Other posts may carry these photos too: they show the new descriptions.
    _feed_items_changed(photo_ids=[photo.pk for photo in photos])


def post_photos_forget(post) -> None:
    """A post is being deleted (inside its transaction): the photos uploaded only to be
    carried by it leave "Photos from my posts" with it, files and all. Deleting a post is
    the author taking back what they shared; a photo nobody can reach through a post any more
    would linger unseen in an album its owner did not fill by hand. A photo another post still
    carries stays, and so does one attached from an album the author made themselves."""
    carried = PostPhoto.objects.filter(post=post).values("photo_id")
    elsewhere = PostPhoto.objects.exclude(post=post).values("photo_id")
    uploaded_for_it = (
        Photo.objects.filter(pk__in=carried, album__for_posts=True, album__owner_id=post.author_id)
        .exclude(pk__in=elsewhere)
        .select_related("album")
    )
    for photo in uploaded_for_it:
        photo_delete(photo=photo, by=post.author)


def photo_process(*, photo_id: int) -> None:
    """Clean and render one uploaded photo (the ``media`` queue's work). A file that cannot be
    made into a photo fails with a reason, once; a photo that is not waiting is left alone, so
    running it twice changes nothing. Storage or the database being away raises (the task
    retries)."""
    photo = Photo.objects.filter(pk=photo_id, status=Photo.Status.PROCESSING).first()
    if photo is None or not photo.incoming:
        return
    with default_storage.open(photo.incoming, "rb") as f:
        data = f.read()
    try:
        rendered = pipeline.render(data)
    except pipeline.BadImage as exc:
        photo_failed(photo=photo, reason=str(exc))
        return
    except SoftTimeLimitExceeded:
        photo_failed(photo=photo, reason="Processing took too long.")
        return
    photo_processed(photo=photo, rendered=rendered)


def photos_stalled(*, older_than_seconds: int = 600) -> list[int]:
    """Photos still waiting long after their upload: their processing was never queued (the
    broker was away at the commit) or every retry failed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Photo.objects.filter(status=Photo.Status.PROCESSING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
