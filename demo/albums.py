"""Photo albums for the demo company: a dozen or so albums over the demo cast and their
colleagues, each with a few pictures drawn with Pillow from the seed (mountains, beaches,
skylines, party lights, desk plants, whiteboards), with captions and alt text that says what
each picture shows. Called by ``manage.py seed_demo`` after the posts.

Unlike the rest of the demo, albums are not bulk-inserted: every photo goes through the
services an upload goes through (``album_create``, ``photos_upload``, ``photo_update``) and
through the real image pipeline, so the demo shows what users would see: clean originals with
no EXIF, turned upright from their EXIF orientation, WebP renditions, blurhash placeholders and
``added_photos`` items in the feed.

The photos are processed here, synchronously, whatever the Celery configuration: each album is
uploaded and processed inside one transaction, by calling the processing service
(``photos.services.photo_process``) in this process. The ``process_photo`` task that ``photos_upload`` queues
on commit then finds its photo ready and does nothing, whether it runs inline (embedded
default, eager tests) or later on a worker (full mode). So a demo built against PostgreSQL and
Redis with no worker running still has ready photos; only its fan-outs wait for a worker.

The number of albums does not grow with the company: a benchmark company of fifty thousand gets
the same albums as the default one. Their titles, descriptions and captions are the tables of
``demo/data/albums.toml``; the pictures come from ``demo.painters``.
"""

import contextlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from io import BytesIO

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import ExifTags, Image

from demo.company import OFFICES, EmploymentRecord
from demo.painters import PAINTERS
from demo.tables import table
from photos import services
from photos.models import Photo
from profiles.models import Connection, Profile, Visibility

DEFAULT_ALBUMS = 12
# Landscape pictures; portrait ones are the same size turned. The pipeline's WebP encode of this
# many pixels is most of the time the albums take (about a tenth of a second a photo), so the
# pictures are a little smaller than a camera's, and most albums have three or four.
PICTURE_SIZE = (1080, 720)
PHOTOS_PER_ALBUM = {3: 48, 4: 28, 5: 12, 6: 6, 7: 4, 8: 2}  # chances of each count
PORTRAIT_SHARE = 0.2
ROTATED_SHARE = 0.3  # camera photos stored sideways or upside down, with an EXIF orientation
GPS_SHARE = 0.5  # camera photos that carry a position (which the pipeline drops)


@dataclass(frozen=True)
class DemoAlbums:
    albums: int
    photos: int


# --- What the albums are about (demo/data/albums.toml) ------------------------------------------


@dataclass(frozen=True)
class AlbumIdea:
    """An album: its title and description may name ``{city}`` (the owner's office),
    ``{place}`` (another office's city) or ``{year}``; ``scenes`` are the painters its
    pictures come from."""

    title: str
    description: str
    scenes: tuple[str, ...]
    visibility: str = Visibility.COMPANY


def _idea(row: dict) -> AlbumIdea:
    visibility = Visibility(row.get("visibility", Visibility.COMPANY))
    return AlbumIdea(row["title"], row["description"], tuple(row["scenes"]), visibility)


_ALBUMS = table("albums")
# The cast's albums by the role of their owner, in the order they are made.
CAST_ALBUMS: tuple[tuple[str, AlbumIdea], ...] = tuple(
    (row["role"], _idea(row)) for row in _ALBUMS["cast_albums"]
)
MORE_ALBUMS: tuple[AlbumIdea, ...] = tuple(_idea(row) for row in _ALBUMS["more_albums"])
CAPTIONS: dict[str, tuple[str, ...]] = {scene: tuple(lines) for scene, lines in _ALBUMS["captions"].items()}


# --- Planning (pure Python, deterministic) ------------------------------------------------------


@dataclass(frozen=True)
class ShotPlan:
    scene: str
    seed: int
    portrait: bool
    caption: str
    orientation: int = 1  # EXIF orientation of a camera photo (1: stored upright)
    taken_at: datetime | None = None
    gps: bool = False


@dataclass(frozen=True)
class AlbumPlan:
    owner_id: int
    alumnus: bool
    idea: AlbumIdea
    shots: tuple[ShotPlan, ...]


def plan_albums(
    records: Sequence[EmploymentRecord], *, friends: Sequence[int], seed: int, count: int = DEFAULT_ALBUMS
) -> list[AlbumPlan]:
    """Which albums to build, for whom and with which pictures. ``records`` are the people
    (``demo.company``), ``friends`` the demo employee's connections. The first ``count`` of:
    the demo employee's two albums, the demo alumnus's ``network`` album, the manager's and the
    CEO's, then other people's (each person one album), in the order they are to be made. The
    same arguments give the same plan."""
    rng = random.Random(f"albums:{seed}")
    by_role = {r.role: r for r in records if r.role}
    owners = [(by_role[role], idea) for role, idea in CAST_ALBUMS if role in by_role]
    taken = {owner.user_id for owner, _idea in owners}

    def pick(pool: Sequence[EmploymentRecord]) -> EmploymentRecord | None:
        free = [r for r in pool if r.user_id not in taken]
        if not free:
            return None
        owner = rng.choice(free)
        taken.add(owner.user_id)
        return owner

    staff = [r for r in records if r.left_on is None]
    friendly = set(friends)
    near = [r for r in staff if r.user_id in friendly]
    alumni = [r for r in records if r.left_on is not None]
    ideas = {v: [i for i in MORE_ALBUMS if i.visibility == v] for v in Visibility.values}
    for group in ideas.values():
        rng.shuffle(group)
    network, only_connections, company = (
        ideas[Visibility.NETWORK],
        ideas[Visibility.CONNECTIONS],
        ideas[Visibility.COMPANY],
    )
    # Beside the cast's albums, a mix the demo can show: two more network albums (one an
    # alumnus's: alumni share with their network), one more for connections only, by one of the
    # demo employee's connections (who sees it), and company albums, half of them by the demo
    # employee's connections so that their home feed has albums in it.
    more = [(network[0], alumni), (network[1], staff), (only_connections[0], near)]
    more += [(idea, near if k % 2 == 0 else staff) for k, idea in enumerate(company + network[2:])]
    for idea, pool in more[: max(0, count - len(owners))]:
        owner = pick(pool) or pick(staff)
        if owner is not None:
            owners.append((owner, idea))
    owners = owners[:count]
    # Made in a shuffled order, so that albums and people mix in everyone's feed.
    rng.shuffle(owners)
    today = timezone.localdate()
    plans = []
    for owner, idea in owners:
        shots = []
        captions = {scene: rng.sample(CAPTIONS[scene], len(CAPTIONS[scene])) for scene in idea.scenes}
        day = today - timedelta(days=rng.randint(2, 45))
        taken = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)))
        for _ in range(rng.choices(list(PHOTOS_PER_ALBUM), weights=list(PHOTOS_PER_ALBUM.values()))[0]):
            scene = rng.choice(idea.scenes)
            camera = scene != "notes"  # whiteboards are exported from the whiteboard app
            taken += timedelta(minutes=rng.randint(3, 90))
            rotated = camera and rng.random() < ROTATED_SHARE
            shots.append(
                ShotPlan(
                    scene=scene,
                    seed=rng.getrandbits(32),
                    portrait=rng.random() < (0.6 if scene == "plants" else PORTRAIT_SHARE),
                    caption=(captions[scene] or list(CAPTIONS[scene])).pop(),
                    orientation=rng.choice((3, 6, 8)) if rotated else 1,
                    taken_at=taken if camera else None,
                    gps=camera and scene != "plants" and rng.random() < GPS_SHARE,
                )
            )
        plans.append(AlbumPlan(owner.user_id, owner.left_on is not None, idea, tuple(shots)))
    return plans


# --- Writing, through the services ---------------------------------------------------------------


def build_demo_albums(
    *, records: Sequence[EmploymentRecord], seed: int, albums: int = DEFAULT_ALBUMS
) -> DemoAlbums:
    """Build the demo albums through the upload services and the image pipeline (module
    docstring), one transaction per album. Needs the people (``records``) and their
    connections. The same records and ``seed`` give the same albums, pictures, captions and
    alt text. Returns how many albums and ready photos."""
    employee = next((r for r in records if r.role == "employee"), None)
    friends = (
        Connection.objects.filter(profile_id=employee.user_id)
        .order_by("other_id")
        .values_list("other_id", flat=True)
        if employee
        else []
    )
    plans = plan_albums(records, friends=list(friends), seed=seed, count=max(0, albums))
    owners = Profile.objects.select_related("office").in_bulk({plan.owner_id for plan in plans})
    year = timezone.localdate().year
    cities = [office.city for office in OFFICES]
    ready = 0
    for index, plan in enumerate(plans):
        owner = owners[plan.owner_id]
        city = owner.office.city if owner.office else cities[0]
        rng = random.Random(f"album:{seed}:{index}")
        words = {"city": city, "place": rng.choice([c for c in cities if c != city]), "year": year}
        ready += _build_album(plan, owner, words)
    return DemoAlbums(albums=len(plans), photos=ready)


def _build_album(plan: AlbumPlan, owner: Profile, words: dict) -> int:
    """One album, uploaded and processed in one transaction; returns its ready photos."""
    visibility = plan.idea.visibility
    if plan.alumnus and visibility == Visibility.COMPANY:
        visibility = Visibility.NETWORK  # alumni never share with the company alone
    photos: list[Photo] = []
    try:
        with transaction.atomic():
            album = services.album_create(
                owner=owner,
                title=plan.idea.title.format(**words),
                description=plan.idea.description.format(**words),
                visibility=visibility,
            )
            uploads, alt_texts = [], []
            for number, shot in enumerate(plan.shots, start=1):
                upload, alt_text = _upload(shot, number)
                uploads.append(upload)
                alt_texts.append(alt_text)
            photos = services.photos_upload(album=album, by=owner, files=uploads)
            for photo, shot, alt_text in zip(photos, plan.shots, alt_texts, strict=True):
                services.photo_update(photo=photo, by=owner, caption=shot.caption, alt_text=alt_text)
            for photo in photos:
                # The task's body, run here (module docstring); the queued one finds it done.
                services.photo_process(photo_id=photo.pk)
            return Photo.objects.filter(album=album, status=Photo.Status.READY).count()
    except BaseException:
        # The rows are gone with the transaction; the files the upload and the pipeline
        # stored are not.
        for photo in photos:
            _delete_stored(photo)
        raise


def _delete_stored(photo: Photo) -> None:
    names = [photo.incoming] if photo.incoming else []
    folder = f"photos/{photo.key}"
    with contextlib.suppress(FileNotFoundError):
        names += [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
    for name in names:
        default_storage.delete(name)


def _upload(shot: ShotPlan, number: int) -> tuple[SimpleUploadedFile, str]:
    """The file a phone or a whiteboard app would upload for ``shot``, and its alt text."""
    rng = random.Random(shot.seed)
    width, height = PICTURE_SIZE
    size = (height, width) if shot.portrait else (width, height)
    im, alt_text = PAINTERS[shot.scene](rng, size)
    out = BytesIO()
    if shot.taken_at is None:
        im.save(out, format="PNG", compress_level=1)
        return SimpleUploadedFile(f"Board {number}.png", out.getvalue(), "image/png"), alt_text
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SocialBlue"
    exif[ExifTags.Base.Model] = "Demo Camera"
    exif[ExifTags.Base.Orientation] = shot.orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = shot.taken_at.strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    if shot.gps:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        latitude, longitude = rng.uniform(-40, 60), rng.uniform(-120, 150)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if latitude >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = _degrees(latitude)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if longitude >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = _degrees(longitude)
    # Stored as a camera would: pixels turned, and the tag that says how to turn them back.
    im = im.transpose(_STORED_AS[shot.orientation]) if shot.orientation in _STORED_AS else im
    im.save(out, format="JPEG", quality=88, exif=exif.tobytes())
    return SimpleUploadedFile(f"IMG_{4000 + number}.jpg", out.getvalue(), "image/jpeg"), alt_text


# What a camera stores for a picture that EXIF orientation 3, 6 or 8 turns back upright.
_STORED_AS = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}


def _degrees(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees, rest = divmod(value * 3600, 3600)
    minutes, seconds = divmod(rest, 60)
    return float(degrees), float(minutes), round(seconds, 2)
