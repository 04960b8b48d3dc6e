"""The exit kit: an archive of one's own posts, comments, connections and photos, for everyone
(employees too, not only alumni).

It holds only what the person may still see, by the same audience rule as everything else
(``profiles.audience``, through the feed's and photos' selectors): an alumnus's own former
``company`` posts and albums are not in it, because what was said inside the company stays
inside it once a person has left.

So an archive belongs to the employment status it was built under (``DataExport.built_as``).
When the status changes (offboarding, rehire: ``profiles.signals.access_changed``), every
archive of the person stops opening and its file is deleted (:func:`exports_revoke`); a
link is checked against the owner's status again when it is opened, and a build that was
running across the change is thrown away when it finishes.

The archive is built by a Celery job into a temporary file and stored through
``default_storage`` under a random name; it is downloaded through a signed link that works for
``EXPORT_LINK_SECONDS``, only for its owner, while the archive lives (``EXPORT_TTL_DAYS``).

Settings (in socialblue/settings.py, from the environment):

* ``EXPORT_TTL_DAYS`` (7): how long a ready archive can be downloaded before it is deleted.
* ``EXPORT_LINK_SECONDS`` (3600): how long one download link works.
* ``EXPORT_MIN_INTERVAL_SECONDS`` (600): at most one new export per person in this time.
* ``EXPORT_TIME_LIMIT_SECONDS`` (1800): the build's soft time limit; a build still pending or
  running after twice this is taken for lost (its task never ran or its worker died).
"""

import hashlib
import json
import logging
import math
import os
import secrets
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any
from urllib.parse import urlencode

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from alumni.models import DataExport
from feed.models import Comment
from feed.selectors import profile_posts, visible_posts
from photos.models import Photo
from photos.selectors import post_photos, visible_albums
from profiles.models import Connection, Profile
from profiles.selectors import connections_of
from socialblue.errors import Gone, NotFound, Throttled

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
EXPORT_TIME_LIMIT_SECONDS: int = settings.EXPORT_TIME_LIMIT_SECONDS
ACTIVE = (DataExport.Status.PENDING, DataExport.Status.RUNNING)
# Rows read per query while writing the archive, and bytes per read of a photo file.
CHUNK_ROWS = 500
CHUNK_BYTES = 1024 * 1024
# A photo costs more than a row: it weighs this many rows in the progress percent.
PHOTO_WEIGHT = 20
SIGNING_SALT = "alumni.export.download"


class ExportFailed(Exception):
    """The archive cannot be built; the message is the reason the person is shown."""


def export_ttl() -> timedelta:
    return timedelta(days=settings.EXPORT_TTL_DAYS)


def export_link_seconds() -> int:
    return settings.EXPORT_LINK_SECONDS


def export_min_interval() -> timedelta:
    return timedelta(seconds=settings.EXPORT_MIN_INTERVAL_SECONDS)


def _stale_after() -> timedelta:
    return timedelta(seconds=2 * EXPORT_TIME_LIMIT_SECONDS)


# --- Asking for one -------------------------------------------------------------------------


def export_request(*, profile: Profile) -> DataExport:
    """Start building the person's archive, or return the one already on its way.

    One export at a time per person, and at most one new one per ``EXPORT_MIN_INTERVAL_SECONDS``
    (``Throttled`` otherwise): an archive reads everything the person ever wrote and copies
    every photo, so it is not something to start on every click. The build is queued once the
    request commits.
    """
    from alumni import tasks

    now = timezone.now()
    with transaction.atomic():
        # Two clicks at once must not start two builds: requests of one person take turns.
        status = Profile.objects.select_for_update().filter(pk=profile.pk).values_list("status", flat=True)[0]
        latest = DataExport.objects.filter(profile=profile).first()
        if latest is not None and latest.status in ACTIVE:
            if latest.created_at > now - _stale_after():
                return latest
            # Its task was never delivered, or its worker died for good: let the person
            # start again rather than wait forever.
            _mark_failed(latest.pk, "The export did not finish; start a new one.")
        if latest is not None:
            wait = (latest.created_at + export_min_interval() - now).total_seconds()
            if wait > 0:
                minutes = math.ceil(wait / 60)
                raise Throttled(
                    f"You can start a new export in {minutes} minute{'s' if minutes != 1 else ''}.",
                    retry_after=math.ceil(wait),
                )
        export = DataExport.objects.create(profile=profile, built_as=status)
        # Robust: once committed, a broker outage must not turn the request into a 500; an
        # export whose task never ran is taken for lost after a while (see above).
        transaction.on_commit(lambda: tasks.build_export.delay(export.pk), robust=True)
    return export


def export_latest(*, profile: Profile) -> DataExport | None:
    """The person's most recent export, whatever its state."""
    return DataExport.objects.select_related("profile").filter(profile=profile).first()


def export_is_expired(export: DataExport, *, now: datetime | None = None) -> bool:
    """A ready archive past its ``expires_at``, or built under another employment status than
    its owner's now (its file is deleted, or soon will be). ``export.profile`` is read: load
    it with the export."""
    return export.status == DataExport.Status.READY and (
        not export.file
        or (export.expires_at is not None and export.expires_at <= (now or timezone.now()))
        or export.built_as != export.profile.status
    )


# --- Building it ----------------------------------------------------------------------------


def export_build(export_id: int) -> DataExport | None:
    """Build the archive of a pending export, store it and mark the export ready (or failed,
    with the reason the person is shown).

    Safe to run twice: an export that is already ready or failed is left alone, and of two
    builds running at once only the first to finish keeps its archive. The database being
    away (``OperationalError``) is raised for the task to retry; any other fault fails the
    export instead of the task.
    """
    export = _claim(export_id)
    if export is None:
        return None
    try:
        name, size = _store(export)
    except OperationalError:
        raise
    except ExportFailed as exc:
        return _mark_failed(export.pk, str(exc))
    except SoftTimeLimitExceeded:
        return _mark_failed(export.pk, "The export took too long; try again later.")
    except Exception:
        logger.exception("export %s could not be built", export.pk)
        return _mark_failed(export.pk, "The export could not be built; try again later.")
    try:
        return _mark_ready(export, name=name, size=size)
    except BaseException:
        default_storage.delete(name)
        raise


def _claim(export_id: int) -> DataExport | None:
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(of=("self",))
            .select_related("profile__user")
            .filter(pk=export_id, status__in=ACTIVE)
            .first()
        )
        if export is None:
            return None
        # Running already: a build whose worker died is delivered again, and starts over.
        export.status = DataExport.Status.RUNNING
        export.progress = 0
        # What the build reads is what the person may see now (a leave may have come since
        # the request).
        export.built_as = export.profile.status
        export.save(update_fields=["status", "progress", "built_as"])
    return export


def _mark_failed(export_id: int, reason: str) -> DataExport | None:
    DataExport.objects.filter(pk=export_id, status__in=ACTIVE).update(
        status=DataExport.Status.FAILED, error=reason[:300], finished_at=timezone.now()
    )
    return DataExport.objects.filter(pk=export_id).first()


def _mark_ready(export: DataExport, *, name: str, size: int) -> DataExport | None:
    now = timezone.now()
    with transaction.atomic():
        # The owner's row first, as the offboarding and rehire services lock it: either the
        # change of status commits first and is seen here, or it waits for this to commit and
        # then revokes the archive (``exports_revoke``). A build never outlives the status it
        # was built under.
        status = (
            Profile.objects.select_for_update(no_key=True)
            .filter(pk=export.profile_id)
            .values_list("status", flat=True)
            .first()
        )
        current = DataExport.objects.select_for_update().filter(pk=export.pk).first()
        if current is None or current.status != DataExport.Status.RUNNING:
            # Finished by another delivery of the same task, or taken for lost meanwhile.
            transaction.on_commit(lambda: default_storage.delete(name), robust=True)
            return current
        if status != current.built_as:
            transaction.on_commit(lambda: default_storage.delete(name), robust=True)
            return _mark_failed(
                current.pk, "Your employment status changed while the archive was built; start a new export."
            )
        current.status = DataExport.Status.READY
        current.progress = 100
        current.file = name
        current.size = size
        current.error = ""
        current.finished_at = now
        current.expires_at = now + export_ttl()
        current.save()
        # One archive per person: the previous one stops working now.
        _retire(DataExport.objects.filter(profile_id=current.profile_id).exclude(pk=current.pk), now=now)
    return current


def exports_revoke(*, profile: Profile) -> int:
    """Every archive of the person stops opening now, and its file is deleted once this
    commits; the number of archives. For a change of the person's employment status: an
    archive holds what they could see when it was built."""
    with transaction.atomic():
        return _retire(DataExport.objects.filter(profile=profile), now=timezone.now())


def _retire(exports: QuerySet, *, now: datetime) -> int:
    """Inside a transaction: the stored archives among ``exports`` expire now, and their files
    go once it commits (or, should that fail, with the periodic clean-up, which finds them by
    their ``expires_at``)."""
    stored = exports.filter(status=DataExport.Status.READY).exclude(file="")
    stale = list(stored.select_for_update().order_by("pk").values_list("pk", "file"))
    stored.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).update(expires_at=now)
    for pk, name in stale:
        transaction.on_commit(lambda pk=pk, name=name: _discard_archive(pk, name), robust=True)
    return len(stale)


def _discard_archive(export_id: int, name: str) -> None:
    # The file first, then the row: if the delete fails, the row still names the file and the
    # next clean-up tries again.
    default_storage.delete(name)
    DataExport.objects.filter(pk=export_id, file=name).update(file="")


def _store(export: DataExport) -> tuple[str, int]:
    """Write the archive into a temporary file, then store it; its storage name and size."""
    with tempfile.TemporaryFile(suffix=".zip") as tmp:
        with _Archive(tmp, when=timezone.now()) as archive:
            _write_archive(export, archive)
        size = tmp.seek(0, os.SEEK_END)
        tmp.seek(0)
        try:
            name = default_storage.save(f"exports/{secrets.token_hex(16)}.zip", File(tmp, name="export.zip"))
        except OSError as exc:
            raise ExportFailed("The archive could not be stored; try again later.") from exc
    return name, size


class _Progress:
    """Writes the percent done to the export's row, only when it changes (never 100: that is
    for the export once it is stored and ready)."""

    def __init__(self, export_id: int, total: int):
        self.export_id = export_id
        self.total = max(total, 1)
        self.done = 0
        self.reported = 0

    def advance(self, units: int = 1) -> None:
        self.done += units
        percent = min(99, self.done * 100 // self.total)
        if percent > self.reported:
            DataExport.objects.filter(pk=self.export_id, status=DataExport.Status.RUNNING).update(
                progress=percent
            )
            self.reported = percent


class _Entry:
    """A file being written into the archive, hashed as it goes."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.raw.write(data)
        self.sha256.update(data)
        self.size += len(data)


class _Archive:
    """A zip being written into ``fileobj``, with the list of its files (name, size, sha256)
    for the manifest. Closed (central directory written) when its ``with`` block ends."""

    def __init__(self, fileobj: IO[bytes], *, when: datetime):
        self.zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)
        self.when = when
        self.date_time = when.timetuple()[:6]
        self.files: list[dict[str, Any]] = []

    def __enter__(self) -> "_Archive":
        return self

    def __exit__(self, *exc_info) -> None:
        self.zip.close()

    def _info(self, name: str, *, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def write_json_rows(self, name: str, rows: Iterable[dict[str, Any]]) -> None:
        """A JSON array, one row at a time (a person's posts need not fit in memory)."""
        with self.zip.open(self._info(name, compress=True), "w") as raw:
            entry = _Entry(raw)
            separator = b"[\n"
            for row in rows:
                entry.write(separator + _json(row))
                separator = b",\n"
            entry.write(b"[]\n" if separator == b"[\n" else b"\n]\n")
        self._add(name, entry)

    def write_json(self, name: str, data: Any) -> None:
        with self.zip.open(self._info(name, compress=True), "w") as raw:
            entry = _Entry(raw)
            entry.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode())
        self._add(name, entry, listed=False)

    def copy(self, name: str, source: IO[bytes]) -> None:
        # Photos are compressed already: stored as they are.
        with self.zip.open(self._info(name, compress=False), "w") as raw:
            entry = _Entry(raw)
            while chunk := source.read(CHUNK_BYTES):
                entry.write(chunk)
        self._add(name, entry)

    def _add(self, name: str, entry: _Entry, *, listed: bool = True) -> None:
        if listed:
            self.files.append({"name": name, "size": entry.size, "sha256": entry.sha256.hexdigest()})


def _json(row: dict[str, Any]) -> bytes:
    return json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def _chunks(queryset: QuerySet, size: int = CHUNK_ROWS) -> Iterator[list]:
    """Rows in key order, one query per ``size`` rows (keyset: no server-side cursor)."""
    queryset = queryset.order_by("pk")
    last = None
    while True:
        page = queryset.filter(pk__gt=last) if last is not None else queryset
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _photo_path(photo: Photo) -> str:
    return f"photos/{photo.album_id}-{photo.pk}.{photo.original.rsplit('.', 1)[-1].lower()}"


def _write_archive(export: DataExport, archive: _Archive) -> None:
    profile = export.profile
    generated_at = archive.when
    posts = profile_posts(viewer=profile, author=profile)
    comments = Comment.objects.filter(author=profile, post__in=visible_posts(profile).values("pk"))
    comments = comments.select_related("post__author__user")
    connections = connections_of(profile=profile).annotate(
        since=Subquery(
            Connection.objects.filter(profile=profile, other=OuterRef("pk")).values("created_at")[:1]
        )
    )
    albums_seen = visible_albums(profile)
    photos = Photo.objects.filter(
        uploader=profile, status=Photo.Status.READY, album__in=albums_seen.values("pk")
    ).exclude(original="")
    albums = albums_seen.filter(Q(owner=profile) | Q(pk__in=photos.values("album_id")))

    counts = {
        "posts": posts.count(),
        "comments": comments.count(),
        "connections": connections.count(),
        "albums": albums.count(),
        "photos": photos.count(),
    }
    progress = _Progress(
        export.pk,
        counts["posts"]
        + counts["comments"]
        + counts["connections"]
        + counts["albums"]
        + PHOTO_WEIGHT * (counts["photos"] + 1),  # + 1: storing the archive at the end
    )
    written = dict.fromkeys(counts, 0)

    def post_rows() -> Iterator[dict[str, Any]]:
        for chunk in _chunks(posts):
            attached = post_photos([p.pk for p in chunk], profile)
            for post in chunk:
                written["posts"] += 1
                yield {
                    "id": post.pk,
                    "body": post.body,
                    "visibility": post.visibility,
                    "created_at": post.created_at,
                    "edited_at": post.edited_at,
                    "comment_count": post.comment_count,
                    "reaction_count": post.reaction_count,
                    "photos": [
                        _photo_path(p) for p in attached.get(post.pk, []) if p.uploader_id == profile.pk
                    ],
                }
            progress.advance(len(chunk))

    def comment_rows() -> Iterator[dict[str, Any]]:
        for chunk in _chunks(comments):
            for comment in chunk:
                written["comments"] += 1
                yield {
                    "id": comment.pk,
                    "post_id": comment.post_id,
                    "post_author": comment.post.author.user.username,
                    "body": comment.body,
                    "created_at": comment.created_at,
                }
            progress.advance(len(chunk))

    def connection_rows() -> Iterator[dict[str, Any]]:
        for chunk in _chunks(connections):
            for person in chunk:
                written["connections"] += 1
                yield {
                    "username": person.user.username,
                    "display_name": person.display_name,
                    "since": person.since,
                }
            progress.advance(len(chunk))

    archive.write_json_rows("posts.json", post_rows())
    archive.write_json_rows("comments.json", comment_rows())
    archive.write_json_rows("connections.json", connection_rows())

    album_photos: dict[int, list[dict[str, Any]]] = {}
    for chunk in _chunks(photos):
        for photo in chunk:
            path = _photo_path(photo)
            try:
                source = default_storage.open(photo.original, "rb")
            except OSError as exc:
                if not photos.filter(pk=photo.pk).exists():
                    continue  # deleted while we were writing: no longer theirs to export
                raise ExportFailed(f"The original file of photo {photo.pk} could not be read.") from exc
            with source:
                archive.copy(path, source)
            written["photos"] += 1
            album_photos.setdefault(photo.album_id, []).append(
                {
                    "id": photo.pk,
                    "file": path,
                    "caption": photo.caption,
                    "alt_text": photo.alt_text,
                    "width": photo.width,
                    "height": photo.height,
                    "taken_at": photo.taken_at,
                    "created_at": photo.created_at,
                }
            )
            progress.advance(PHOTO_WEIGHT)

    def album_rows() -> Iterator[dict[str, Any]]:
        for chunk in _chunks(albums):
            for album in chunk:
                written["albums"] += 1
                yield {
                    "id": album.pk,
                    "title": album.title,
                    "description": album.description,
                    "visibility": album.visibility,
                    "created_at": album.created_at,
                    "photos": album_photos.get(album.pk, []),
                }
            progress.advance(len(chunk))

    archive.write_json_rows("albums.json", album_rows())
    archive.write_json(
        "manifest.json",
        {
            "format_version": FORMAT_VERSION,
            "export_id": export.pk,
            "generated_at": generated_at,
            "person": {
                "username": profile.user.username,
                "display_name": profile.display_name,
                "status": profile.status,
            },
            # What was written (rows can change while the archive is built; these are exact).
            "counts": written,
            "files": archive.files,
        },
    )


# --- Downloading it -------------------------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SIGNING_SALT)


def _link_value(export: DataExport) -> str:
    return f"{export.pk}:{export.profile_id}"


def export_link_signature(*, export: DataExport) -> str:
    """The ``signature`` of a download link for this export, good for ``EXPORT_LINK_SECONDS``
    (the export id and its owner are signed, so it opens this archive for this person only)."""
    value = _link_value(export)
    return _signer().sign(value)[len(value) + 1 :]


def export_download_path(export: DataExport) -> str | None:
    """The signed download link (a path) of a ready, unexpired export; None otherwise."""
    if export.status != DataExport.Status.READY or export_is_expired(export):
        return None
    path = reverse("me-export-download", kwargs={"pk": export.pk})
    return path + "?" + urlencode({"signature": export_link_signature(export=export)})


@dataclass
class ExportDownload:
    file: File
    filename: str
    size: int


def export_open(*, profile: Profile, export_id: int, signature: str) -> ExportDownload:
    """The person's ready archive, opened for reading, if the link's signature is theirs and
    current: the same 404 for someone else's export, a missing one or a forged signature; 410
    for a link or an archive that has expired."""
    export = DataExport.objects.select_related("profile__user").filter(pk=export_id, profile=profile).first()
    if export is None:
        raise NotFound("No such export.")
    try:
        _signer().unsign(f"{_link_value(export)}:{signature}", max_age=export_link_seconds())
    except signing.SignatureExpired:
        raise Gone("This download link has expired; GET /api/v1/me/export/ gives a new one.") from None
    except signing.BadSignature:
        raise NotFound("No such export.") from None
    if export.status != DataExport.Status.READY:
        raise NotFound("This export is not ready.")
    if export_is_expired(export):
        raise Gone("This archive has expired and was deleted; start a new export.")
    try:
        file = default_storage.open(export.file, "rb")
    except OSError:
        logger.exception("archive of export %s is missing", export.pk)
        raise Gone("This archive is no longer available; start a new export.") from None
    day = (export.finished_at or export.created_at).date().isoformat()
    return ExportDownload(
        file=file, filename=f"socialblue-{export.profile.user.username}-{day}.zip", size=export.size
    )


# --- Clean-up -------------------------------------------------------------------------------


def exports_expire() -> int:
    """Delete the files of expired archives (and give up on builds lost for good); the number
    of files deleted. For a periodic task; running it twice is harmless."""
    now = timezone.now()
    DataExport.objects.filter(status__in=ACTIVE, created_at__lt=now - _stale_after()).update(
        status=DataExport.Status.FAILED,
        error="The export did not finish; start a new one.",
        finished_at=now,
    )
    # Built under another status than the owner's now: its revocation may not have run.
    expired = DataExport.objects.filter(Q(expires_at__lte=now) | ~Q(built_as=F("profile__status")))
    expired = expired.exclude(file="")
    deleted = 0
    for chunk in _chunks(expired.only("id", "file")):
        for export in chunk:
            try:
                _discard_archive(export.pk, export.file)
            except Exception:
                # One file that storage refuses to delete must not keep the others; the
                # row still names it, so the next run tries again.
                logger.exception("archive of export %s could not be deleted", export.pk)
                continue
            deleted += 1
    return deleted
