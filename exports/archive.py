"""What an exit-kit archive holds, and the zip it is written into.

The archive is a table of sections (:data:`SECTIONS`): each names what of the person's goes
in (a queryset, read by the same selectors and audience rule as every other exit) and how
one item becomes a row. A new kind of content (communities, bookmarks, articles) adds a row
to the table, not a function to the build. Each section is one JSON array,
``<name>.json``, except photos, whose items are files (``photos/<album>-<id>.<ext>``) that
``albums.json`` lists. ``manifest.json`` comes last: the person, how many items of each
section were written (rows can change while the archive is built; the counts are exact), and
the size and SHA-256 of every file.

Memory stays flat whatever a person wrote: rows are read in keyset chunks of
``CHUNK_ROWS`` (no server-side cursor, which PostgreSQL poolers do not keep across
transactions), each JSON array is written one row at a time, and photos are copied
``CHUNK_BYTES`` at a time, stored as they are (they are compressed already).
"""

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, Q, QuerySet, Subquery

from exports.models import DataExport
from feed.models import Comment
from feed.selectors import profile_posts, visible_posts
from photos.models import Photo
from photos.selectors import post_photos, visible_albums
from profiles.models import Connection, Profile
from profiles.selectors import connections_of

FORMAT_VERSION = 1
# Rows read per query while writing the archive, and bytes per read of a photo file.
CHUNK_ROWS = 500
CHUNK_BYTES = 1024 * 1024
# A photo costs more than a row: it weighs this many rows in the progress percent.
PHOTO_WEIGHT = 20


class ExportFailed(Exception):
    """The archive cannot be built; the message is the reason the person is shown."""


# --- The zip --------------------------------------------------------------------------------


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


class Archive:
    """A zip being written into ``fileobj``, with the list of its files (name, size, sha256)
    for the manifest. Closed (central directory written) when its ``with`` block ends."""

    def __init__(self, fileobj: IO[bytes], *, when: datetime):
        self.zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)
        self.when = when
        self.date_time = when.timetuple()[:6]
        self.files: list[dict[str, Any]] = []

    def __enter__(self) -> "Archive":
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


def chunks(queryset: QuerySet, size: int = CHUNK_ROWS) -> Iterator[list]:
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


# --- The build ------------------------------------------------------------------------------


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


@dataclass
class Build:
    """One archive being written: whose it is, the zip, and what sections share (a chunk's
    attached photos; the photos copied so far, by album)."""

    profile: Profile
    archive: Archive
    attached: dict[int, list[Photo]] = field(default_factory=dict)
    album_photos: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One kind of content in the archive.

    ``items(profile)`` is what of the person's goes in, as only they may see it now;
    ``row(build, item)`` is one item's JSON object (None leaves it out, uncounted);
    ``prepare(build, chunk)``, if given, loads what a chunk's rows need in one query;
    ``weight`` is an item's share of the progress, in rows; ``document`` is the JSON file the
    rows go to (None: the items are files of their own, written by ``row``).
    """

    name: str
    items: Callable[[Profile], QuerySet]
    row: Callable[[Build, Any], dict[str, Any] | None]
    prepare: Callable[[Build, list], None] | None = None
    weight: int = 1
    document: str | None = "{name}.json"


def _photo_path(photo: Photo) -> str:
    return f"photos/{photo.album_id}-{photo.pk}.{photo.original.rsplit('.', 1)[-1].lower()}"


def _posts(profile: Profile) -> QuerySet:
    return profile_posts(viewer=profile, author=profile)


def _attach_photos(build: Build, chunk: list) -> None:
    build.attached = post_photos([post.pk for post in chunk], build.profile)


def _post_row(build: Build, post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "body": post.body,
        "visibility": post.visibility,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "comment_count": post.comment_count,
        "reaction_count": post.reaction_count,
        # Only their own: a photo someone else uploaded is theirs to take.
        "photos": [
            _photo_path(p) for p in build.attached.get(post.pk, []) if p.uploader_id == build.profile.pk
        ],
    }


def _comments(profile: Profile) -> QuerySet:
    comments = Comment.objects.filter(author=profile, post__in=visible_posts(profile).values("pk"))
    return comments.select_related("post__author__user")


def _comment_row(build: Build, comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "post_id": comment.post_id,
        "post_author": comment.post.author.user.username,
        "body": comment.body,
        "created_at": comment.created_at,
    }


def _connections(profile: Profile) -> QuerySet:
    return connections_of(profile=profile).annotate(
        since=Subquery(
            Connection.objects.filter(profile=profile, other=OuterRef("pk")).values("created_at")[:1]
        )
    )


def _connection_row(build: Build, person: Profile) -> dict[str, Any]:
    return {"username": person.user.username, "display_name": person.display_name, "since": person.since}


def _photos(profile: Profile) -> QuerySet:
    """The person's own ready photos, in albums they may still see."""
    return Photo.objects.filter(
        uploader=profile, status=Photo.Status.READY, album__in=visible_albums(profile).values("pk")
    ).exclude(original="")


def _copy_photo(build: Build, photo: Photo) -> dict[str, Any] | None:
    """The photo's original, copied into the archive; its entry in ``albums.json``."""
    path = _photo_path(photo)
    try:
        source = default_storage.open(photo.original, "rb")
    except OSError as exc:
        if not _photos(build.profile).filter(pk=photo.pk).exists():
            return None  # deleted while we were writing: no longer theirs to export
        raise ExportFailed(f"The original file of photo {photo.pk} could not be read.") from exc
    with source:
        build.archive.copy(path, source)
    entry = {
        "id": photo.pk,
        "file": path,
        "caption": photo.caption,
        "alt_text": photo.alt_text,
        "width": photo.width,
        "height": photo.height,
        "taken_at": photo.taken_at,
        "created_at": photo.created_at,
    }
    build.album_photos.setdefault(photo.album_id, []).append(entry)
    return entry


def _albums(profile: Profile) -> QuerySet:
    """Albums they own, and others' albums they added photos to, while they may see them."""
    return visible_albums(profile).filter(Q(owner=profile) | Q(pk__in=_photos(profile).values("album_id")))


def _album_row(build: Build, album) -> dict[str, Any]:
    return {
        "id": album.pk,
        "title": album.title,
        "description": album.description,
        "visibility": album.visibility,
        "created_at": album.created_at,
        "photos": build.album_photos.get(album.pk, []),
    }


# In the order they are written: photos before albums, which list the ones copied.
SECTIONS: tuple[Section, ...] = (
    Section("posts", _posts, _post_row, prepare=_attach_photos),
    Section("comments", _comments, _comment_row),
    Section("connections", _connections, _connection_row),
    Section("photos", _photos, _copy_photo, weight=PHOTO_WEIGHT, document=None),
    Section("albums", _albums, _album_row),
)


def _rows(
    section: Section, items: QuerySet, build: Build, progress: _Progress, written: dict[str, int]
) -> Iterator[dict[str, Any]]:
    """The section's rows, read chunk by chunk as the archive asks for them; counted in
    ``written`` and in the progress."""
    for chunk in chunks(items):
        if section.prepare is not None:
            section.prepare(build, chunk)
        for item in chunk:
            row = section.row(build, item)
            if row is not None:
                written[section.name] += 1
                yield row
            progress.advance(section.weight)


def write_archive(export: DataExport, archive: Archive) -> None:
    """Write every section of ``export``'s owner into ``archive``, then the manifest,
    reporting progress on the export's row. ``export.profile.user`` is read: load it with the
    export. Raises :class:`ExportFailed` with the reason the person is shown."""
    profile = export.profile
    build = Build(profile=profile, archive=archive)
    items = {section.name: section.items(profile) for section in SECTIONS}
    counts = {section.name: items[section.name].count() for section in SECTIONS}
    # + one photo's weight: storing the archive at the end.
    total = sum(section.weight * counts[section.name] for section in SECTIONS) + PHOTO_WEIGHT
    progress = _Progress(export.pk, total)
    written = dict.fromkeys(counts, 0)

    for section in SECTIONS:
        rows = _rows(section, items[section.name], build, progress, written)
        if section.document is None:
            for _row in rows:  # the items are files of their own, copied as they are read
                pass
        else:
            archive.write_json_rows(section.document.format(name=section.name), rows)

    archive.write_json(
        "manifest.json",
        {
            "format_version": FORMAT_VERSION,
            "export_id": export.pk,
            "generated_at": archive.when,
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
