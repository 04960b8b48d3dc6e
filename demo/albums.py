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
the same albums as the default one.
"""

import contextlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from io import BytesIO

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from photos import services
from photos.models import Photo
from profiles.demo import OFFICES, EmploymentRecord
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

Picture = tuple[Image.Image, str]  # a drawing and its alt text


@dataclass(frozen=True)
class DemoAlbums:
    albums: int
    photos: int


# --- What the albums are about ------------------------------------------------------------------


@dataclass(frozen=True)
class AlbumIdea:
    """An album: its title and description may name ``{city}`` (the owner's office),
    ``{place}`` (another office's city) or ``{year}``; ``scenes`` are the painters its
    pictures come from."""

    title: str
    description: str
    scenes: tuple[str, ...]
    visibility: str = Visibility.COMPANY


EMPLOYEE_ALBUMS = (
    AlbumIdea(
        "Team offsite {place}",
        "Two days of planning, long lunches and {place} sunsets with the team.",
        ("seaside", "skyline", "mountains", "lights"),
    ),
    AlbumIdea(
        "Desk plants",
        "The office jungle, one pot at a time. Cuttings available on request.",
        ("plants",),
        Visibility.CONNECTIONS,
    ),
)
ALUMNUS_ALBUM = AlbumIdea(
    "Weekend in the mountains",
    "New job, same hiking boots. Some views from this weekend's trail.",
    ("mountains",),
    Visibility.NETWORK,
)
MANAGER_ALBUM = AlbumIdea(
    "Hackathon {year}",
    "Forty-eight hours, a wall of sticky notes and some very good demos.",
    ("notes", "lights"),
)
CEO_ALBUM = AlbumIdea(
    "Company retreat {year}",
    "Thank you all for a wonderful retreat. Here is to the year ahead!",
    ("mountains", "seaside", "lights"),
)
CAST_ALBUMS = (
    ("employee", EMPLOYEE_ALBUMS[0]),
    ("employee", EMPLOYEE_ALBUMS[1]),
    ("alumnus", ALUMNUS_ALBUM),
    ("manager", MANAGER_ALBUM),
    ("CEO", CEO_ALBUM),
)
MORE_ALBUMS = (
    AlbumIdea("Summer party", "Music, lights and far too much cake.", ("lights", "seaside")),
    AlbumIdea("Views from the {city} office", "Our windows, at every hour of the day.", ("skyline",)),
    AlbumIdea("Design sprint wall", "Five days, one wall, many opinions.", ("notes",)),
    AlbumIdea(
        "Coastline road trip",
        "Ten days, one small car, a lot of beaches.",
        ("seaside", "mountains"),
        Visibility.NETWORK,
    ),
    AlbumIdea("Holiday lights", "The office dressed up for the end of the year.", ("lights", "skyline")),
    AlbumIdea("Plant swap", "Bring a cutting, take a cutting. Thanks to all who came!", ("plants",)),
    AlbumIdea(
        "Sunrise runs",
        "The early club: five kilometres before coffee.",
        ("seaside", "skyline"),
        Visibility.NETWORK,
    ),
    AlbumIdea(
        "Roof terrace sunsets", "Friday evenings on the roof.", ("skyline", "seaside"), Visibility.CONNECTIONS
    ),
    AlbumIdea("Farewell drinks", "A send-off worthy of the best desk neighbour.", ("lights",)),
    AlbumIdea(
        "Our new {city} office", "Moving day, and the first week in the new place.", ("skyline", "plants")
    ),
    AlbumIdea("Charity run {year}", "We ran, we raised, we needed a nap.", ("skyline", "mountains")),
    AlbumIdea(
        "Hiking club: autumn trails",
        "Crisp air and not a single meeting.",
        ("mountains",),
        Visibility.NETWORK,
    ),
)

CAPTIONS = {
    "mountains": (
        "Made it to the top before the clouds did.",
        "The view that made the climb worth it.",
        "Golden hour on the ridge.",
        "Quiet morning, nobody else around.",
        "Layers on layers.",
        "Someone said 'just one more hill'.",
        "Last light over the valley.",
        "Took the long way round. No regrets.",
        "Lunch stop with a view.",
    ),
    "seaside": (
        "Sunset from the beach.",
        "The sea was far too cold; we went in anyway.",
        "Calm water after the storm.",
        "Counting sailboats instead of emails.",
        "Our lunch spot for the week.",
        "Sand in every bag since.",
        "Evening walk along the shore.",
        "The gulls wanted our sandwiches.",
        "Low tide, high spirits.",
    ),
    "skyline": (
        "The view at six in the evening.",
        "City lights from the terrace.",
        "Late night, good company.",
        "Blue hour over the rooftops.",
        "Someone is still in a meeting up there.",
        "The skyline never gets old.",
        "Walking back to the hotel.",
        "Lights on across the city.",
        "Tower count: too many.",
    ),
    "lights": (
        "The dance floor, briefly in focus.",
        "String lights make everything better.",
        "Best party in years.",
        "Glow sticks were a good call.",
        "Blurry, but you had to be there.",
        "Cheers to the organisers!",
        "The room when the music started.",
        "Nobody wanted to go home.",
        "Fairy lights by the bar.",
    ),
    "plants": (
        "Monday check-in: everyone still alive.",
        "New arrival on the desk.",
        "The watering rota works!",
        "The one that survived the summer.",
        "Grown from a cutting, and so proud.",
        "Desk neighbours.",
        "Needs a bigger pot soon.",
        "Sunny corner, happy leaves.",
        "Rescued from the kitchen windowsill.",
    ),
    "notes": (
        "Day one: every idea on the wall.",
        "After the dot vote.",
        "What we actually built.",
        "The wall at two in the morning.",
        "Ideas we will come back to.",
        "Ready for the demo.",
        "Grouping the themes.",
        "Sticky note supply: running low.",
        "The final board before demos.",
    ),
}


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
    (``profiles.demo``), ``friends`` the demo employee's connections. The first ``count`` of:
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


# --- The painters ------------------------------------------------------------------------------
# Each draws one picture of ``size`` from ``rng`` and says, in its alt text, what it shows.

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Sky:
    name: str
    top: RGB
    horizon: RGB
    sun: RGB


DAY_SKIES = (
    Sky("a clear blue", (62, 124, 196), (186, 216, 238), (255, 250, 228)),
    Sky("a pink dawn", (112, 108, 176), (252, 190, 172), (255, 238, 204)),
    Sky("an orange sunset", (66, 58, 128), (250, 148, 88), (255, 222, 150)),
    Sky("a golden evening", (86, 118, 168), (248, 204, 128), (255, 242, 196)),
    Sky("a pale morning", (146, 186, 218), (236, 234, 218), (255, 255, 240)),
    Sky("a violet dusk", (44, 42, 96), (196, 118, 152), (255, 206, 172)),
)
NIGHT_SKIES = (
    Sky("a deep blue evening", (14, 22, 58), (64, 92, 150), (242, 240, 222)),
    Sky("a purple dusk", (30, 20, 60), (150, 84, 128), (255, 214, 170)),
    Sky("an orange and indigo dusk", (26, 32, 78), (232, 128, 78), (255, 226, 170)),
    Sky("a teal twilight", (12, 40, 60), (70, 146, 156), (236, 246, 230)),
)
ROCKS = (
    ("blue-grey", (58, 72, 98)),
    ("deep green", (30, 76, 58)),
    ("purple", (70, 52, 96)),
    ("slate", (52, 58, 66)),
    ("rust-brown", (104, 58, 44)),
)
SEAS = (("turquoise", (28, 150, 160)), ("deep blue", (24, 70, 128)), ("green-blue", (36, 118, 120)))
SANDS = (("pale golden", (236, 212, 160)), ("white", (240, 234, 220)), ("warm orange", (226, 174, 118)))
WALLS = (
    ("sage green", (200, 216, 192)),
    ("cream", (244, 236, 218)),
    ("pale blue", (208, 224, 238)),
    ("blush pink", (242, 214, 208)),
)
WOODS = (("light oak", (198, 152, 104)), ("walnut", (112, 74, 52)), ("white", (236, 234, 230)))
POTS = (
    ("terracotta", (196, 108, 76)),
    ("white", (242, 242, 238)),
    ("teal", (52, 136, 138)),
    ("mustard", (220, 168, 58)),
    ("charcoal", (66, 66, 72)),
)
LEAVES = ((46, 120, 64), (70, 146, 82), (34, 96, 60), (96, 156, 104), (58, 132, 112))
LIGHTS = (
    ("amber, coral and gold", ((255, 190, 92), (255, 122, 112), (255, 232, 160))),
    ("teal, blue and violet", ((80, 214, 206), (96, 150, 255), (176, 120, 255))),
    ("pink, gold and white", ((255, 140, 200), (255, 214, 120), (255, 250, 240))),
    ("many colours", ((255, 98, 98), (255, 206, 84), (90, 210, 140), (90, 160, 255), (200, 120, 255))),
)
NIGHTS = (
    ("deep blue", (8, 12, 36), (28, 30, 72)),
    ("plum", (24, 8, 30), (70, 24, 62)),
    ("charcoal", (12, 12, 14), (44, 40, 46)),
)
NOTES = (
    ("yellow", (255, 234, 120)),
    ("pink", (255, 170, 200)),
    ("blue", (160, 210, 255)),
    ("green", (182, 234, 170)),
    ("orange", (255, 196, 128)),
)
BOARD_COLUMNS = (
    ("Ideas", "Building", "Demo"),
    ("To do", "Doing", "Done"),
    ("Problems", "Ideas", "Next steps"),
)


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient, made in C: Pillow's 256-step ramp, stretched and coloured."""
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return ImageOps.colorize(ramp, black=top, white=bottom)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _circle(x: float, y: float, r: float) -> tuple[float, float, float, float]:
    return (x - r, y - r, x + r, y + r)


def _leaf(x: float, y: float, length: float, width: float, angle: float) -> list[tuple[float, float]]:
    """A pointed leaf (or blade) from its base at ``x, y``, along ``angle`` (radians)."""
    ca, sa = math.cos(angle), math.sin(angle)
    steps = 10
    side = []
    for i in range(steps + 1):
        along, off = length * i / steps, width / 2 * math.sin(math.pi * i / steps)
        side.append((along, off))
    outline = side + [(along, -off) for along, off in reversed(side[1:-1])]
    return [(x + a * ca - o * sa, y + a * sa + o * ca) for a, o in outline]


def _sun(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, colour: RGB) -> None:
    for scale, alpha in ((3.2, 24), (2.2, 40), (1.5, 70)):
        draw.ellipse(_circle(x, y, r * scale), fill=(*colour, alpha))
    draw.ellipse(_circle(x, y, r), fill=colour)


def _ridge(rng: random.Random, width: int, base: float, height: float) -> list[tuple[float, float]]:
    """A mountain ridge: peaks from folded sines, with smaller bumps on top."""
    waves = [(rng.uniform(0.6, 1.6), rng.uniform(0, math.tau)), (rng.uniform(2, 4), rng.uniform(0, math.tau))]
    bumps = rng.uniform(7, 12), rng.uniform(0, math.tau)
    points = []
    for x in range(0, width + 16, 16):
        u = x / width * math.tau
        peaks = 0.65 * (1 - abs(math.sin(waves[0][0] * u / 2 + waves[0][1])))
        peaks += 0.25 * (0.5 + 0.5 * math.sin(waves[1][0] * u + waves[1][1]))
        peaks += 0.1 * (0.5 + 0.5 * math.sin(bumps[0] * u + bumps[1]))
        points.append((x, base - height * peaks))
    return points


def paint_mountains(rng: random.Random, size: tuple[int, int]) -> Picture:
    w, h = size
    sky = rng.choice(DAY_SKIES)
    rock_name, rock = rng.choice(ROCKS)
    horizon = round(h * rng.uniform(0.6, 0.72))
    lake = rng.random() < 0.5
    im = _gradient(size, sky.top, sky.horizon)
    draw = ImageDraw.Draw(im, "RGBA")
    side = rng.choice(("left", "right"))
    sun_x = w * (rng.uniform(0.15, 0.35) if side == "left" else rng.uniform(0.65, 0.85))
    _sun(draw, sun_x, horizon * rng.uniform(0.3, 0.6), min(w, h) * rng.uniform(0.05, 0.08), sky.sun)
    layers = rng.randint(3, 4)
    bottom = horizon if lake else h
    for i in range(layers):
        near = (i + 1) / layers
        colour = _mix(_mix(sky.horizon, rock, 0.3 + 0.6 * near), (10, 12, 18), 0.35 * near * near)
        base = horizon - h * (0.16 - 0.07 * i) + (0 if lake else h * 0.05 * i)
        ridge = [(x, min(y, bottom - 4)) for x, y in _ridge(rng, w, base, h * (0.3 - 0.05 * i))]
        draw.polygon([*ridge, (w, bottom), (0, bottom)], fill=colour)
    details = ""
    if lake:
        mirror = im.crop((0, 2 * horizon - h, w, horizon)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        water = _mix(sky.horizon, rock, 0.5)
        im.paste(Image.blend(mirror, Image.new("RGB", mirror.size, water), 0.4), (0, horizon))
        draw = ImageDraw.Draw(im, "RGBA")
        for _ in range(rng.randint(14, 24)):
            x, y = rng.uniform(0, w), rng.uniform(horizon + 6, h)
            length = rng.uniform(30, 160) * (y - horizon) / (h - horizon)
            draw.line([(x, y), (x + length, y)], fill=(255, 255, 255, 60), width=2)
        details = ", all mirrored in a still lake"
    elif rng.random() < 0.6:
        trees = rng.randint(3, 8)
        for _ in range(trees):
            x, tall = rng.uniform(0, w), h * rng.uniform(0.12, 0.24)
            foot = h - rng.uniform(0, h * 0.05)
            for k in range(3):
                top, spread = foot - tall * (0.45 + 0.25 * k), tall * (0.22 - 0.05 * k)
                draw.polygon(
                    [(x, top), (x + spread, top + tall * 0.42), (x - spread, top + tall * 0.42)],
                    fill=(16, 34, 28),
                )
        details = f", and {trees} dark pine trees in the foreground"
    return im, (
        f"Drawing of {layers} ridges of {rock_name} mountains under {sky.name} sky, "
        f"with the sun on the {side}{details}."
    )


def paint_seaside(rng: random.Random, size: tuple[int, int]) -> Picture:
    w, h = size
    sky = rng.choice(DAY_SKIES)
    sea_name, sea = rng.choice(SEAS)
    sand_name, sand = rng.choice(SANDS)
    horizon = round(h * rng.uniform(0.42, 0.56))
    shore = round(h * rng.uniform(0.72, 0.82))
    im = _gradient(size, sky.top, sky.horizon)
    draw = ImageDraw.Draw(im, "RGBA")
    sun_x = w * rng.uniform(0.2, 0.8)
    sun_r = min(w, h) * rng.uniform(0.05, 0.08)
    _sun(draw, sun_x, horizon - sun_r * rng.uniform(0.2, 2.5), sun_r, sky.sun)
    im.paste(_gradient((w, h - horizon), _mix(sea, sky.horizon, 0.45), sea), (0, horizon))
    draw = ImageDraw.Draw(im, "RGBA")
    for _ in range(rng.randint(30, 50)):
        y = rng.uniform(horizon + 3, shore)
        spread = sun_r * (0.6 + 2.4 * (y - horizon) / (shore - horizon))
        x = sun_x + rng.uniform(-spread, spread)
        draw.line([(x - spread * 0.3, y), (x + spread * 0.3, y)], fill=(*sky.sun, 120), width=2)
    swell, phase = rng.uniform(1.5, 3), rng.uniform(0, math.tau)
    edge = [
        (x, shore + h * (0.012 * math.sin(u * swell + phase) + 0.004 * math.sin(u * swell * 5)))
        for x in range(0, w + 20, 20)
        for u in (x / w * math.tau,)
    ]
    draw.polygon([*edge, (w, h), (0, h)], fill=sand)
    draw.line(edge, fill=(255, 255, 255, 190), width=5)
    details = []
    if rng.random() < 0.6:
        x, y, s = w * rng.uniform(0.1, 0.9), horizon + h * 0.02, h * rng.uniform(0.03, 0.05)
        draw.polygon(
            [
                (x - s, y - s * 0.2),
                (x + s, y - s * 0.2),
                (x + s * 0.7, y + s * 0.15),
                (x - s * 0.7, y + s * 0.15),
            ],
            fill=(40, 40, 52),
        )
        draw.polygon([(x, y - s * 2.2), (x + s * 0.9, y - s * 0.35), (x, y - s * 0.35)], fill=(250, 250, 246))
        details.append("a small sailboat on the horizon")
    if rng.random() < 0.6:
        gulls = rng.randint(2, 5)
        for _ in range(gulls):
            x, y, s = rng.uniform(0.1, 0.9) * w, rng.uniform(0.08, 0.35) * h, rng.uniform(8, 16)
            draw.line([(x - s, y - s * 0.4), (x, y), (x + s, y - s * 0.4)], fill=(40, 40, 52, 220), width=3)
        details.append(f"{gulls} gulls overhead")
    tail = (", with " + " and ".join(details)) if details else ""
    return im, (
        f"Drawing of a beach under {sky.name} sky: a {sea_name} sea catching the sun's reflection "
        f"and {sand_name} sand{tail}."
    )


def paint_skyline(rng: random.Random, size: tuple[int, int]) -> Picture:
    w, h = size
    sky = rng.choice(NIGHT_SKIES)
    im = _gradient(size, sky.top, sky.horizon)
    draw = ImageDraw.Draw(im, "RGBA")
    if rng.random() < 0.5:
        x, y, r = w * rng.uniform(0.1, 0.9), h * rng.uniform(0.1, 0.25), min(w, h) * 0.045
        draw.ellipse(_circle(x, y, r), fill=sky.sun)
        draw.ellipse(_circle(x + r * 0.45, y - r * 0.2, r * 0.9), fill=_mix(sky.top, sky.horizon, y / h))
        overhead = "a crescent moon"
    else:
        for _ in range(rng.randint(40, 90)):
            x, y = rng.uniform(0, w), rng.uniform(0, h * 0.45)
            draw.ellipse(_circle(x, y, rng.uniform(0.8, 2.2)), fill=(255, 255, 240, rng.randint(120, 230)))
        overhead = "a sky full of stars"
    far = _mix(sky.horizon, sky.top, 0.55)
    x = -rng.uniform(0, 40)
    while x < w:
        width = rng.uniform(40, 110)
        draw.rectangle((x, h - h * rng.uniform(0.3, 0.55), x + width, h), fill=far)
        x += width
    warm = rng.random() < 0.7
    lit = (255, 214, 128) if warm else (206, 232, 255)
    towers, x = 0, -rng.uniform(0, 30)
    while x < w:
        width, top = rng.uniform(60, 150), h - h * rng.uniform(0.18, 0.62)
        body = _mix((14, 16, 24), sky.top, rng.uniform(0, 0.4))
        draw.rectangle((x, top, x + width, h), fill=body)
        if rng.random() < 0.25:
            draw.line([(x + width / 2, top), (x + width / 2, top - h * 0.06)], fill=body, width=3)
        share = rng.uniform(0.15, 0.5)
        for wy in range(round(top + 14), h - 10, 22):
            for wx in range(round(x + 10), round(x + width - 18), 18):
                if rng.random() < share:
                    draw.rectangle((wx, wy, wx + 8, wy + 11), fill=lit)
        towers += 1
        x += width + rng.uniform(4, 30)
    return im, (
        f"Drawing of a city skyline at night: {towers} dark towers with {'warm' if warm else 'cool white'} "
        f"lit windows against {sky.name} sky, under {overhead}."
    )


def paint_lights(rng: random.Random, size: tuple[int, int]) -> Picture:
    w, h = size
    night_name, top, bottom = rng.choice(NIGHTS)
    names, colours = rng.choice(LIGHTS)
    # Out of focus anyway: drawn and blurred at half size (a quarter of the blur's work),
    # then stretched.
    small = _gradient((w // 2, h // 2), top, bottom)
    draw = ImageDraw.Draw(small, "RGBA")
    for _ in range(rng.randint(35, 60)):
        r = min(w, h) / 2 * rng.uniform(0.03, 0.13)
        draw.ellipse(
            _circle(rng.uniform(0, w / 2), rng.uniform(0, h / 2), r),
            fill=(*rng.choice(colours), rng.randint(50, 130)),
        )
    im = small.filter(ImageFilter.GaussianBlur(radius=2.5)).resize(size, Image.Resampling.BICUBIC)
    details = ""
    if rng.random() < 0.5:
        draw = ImageDraw.Draw(im, "RGBA")
        y0, sag = h * rng.uniform(0.05, 0.15), h * rng.uniform(0.08, 0.2)
        wire = [(x, y0 + sag * (1 - (2 * x / w - 1) ** 2)) for x in range(0, w + 20, 20)]
        draw.line(wire, fill=(20, 20, 24), width=3)
        for x in range(30, w, 70):
            y = y0 + sag * (1 - (2 * x / w - 1) ** 2) + 9
            bulb = rng.choice(colours)
            draw.ellipse(_circle(x, y, 20), fill=(*bulb, 50))
            draw.ellipse(_circle(x, y, 8), fill=_mix(bulb, (255, 255, 255), 0.5))
        details = ", with a string of bright bulbs across the top"
    return im, f"Soft, out-of-focus circles of {names} light on a dark {night_name} background{details}."


def paint_plants(rng: random.Random, size: tuple[int, int]) -> Picture:
    w, h = size
    wall_name, wall = rng.choice(WALLS)
    wood_name, wood = rng.choice(WOODS)
    im = _gradient(size, _mix(wall, (255, 255, 255), 0.3), _mix(wall, (0, 0, 0), 0.1))
    draw = ImageDraw.Draw(im, "RGBA")
    desk = h * rng.uniform(0.7, 0.8)
    draw.rectangle((0, desk, w, h), fill=wood)
    draw.rectangle((0, desk, w, desk + 10), fill=_mix(wood, (255, 255, 255), 0.25))
    count = rng.randint(1, 3) if h > w else rng.randint(2, 4)
    slot = w / count
    described = []
    for i in range(count):
        pot_name, pot = rng.choice(POTS)
        kind = rng.choice(("snake plant", "succulent", "pilea", "trailing pothos"))
        cx = slot * (i + 0.5) + rng.uniform(-slot, slot) * 0.12
        pw = min(slot * rng.uniform(0.38, 0.5), w * 0.24)
        ph = pw * rng.uniform(0.8, 1.05)
        foot = desk + h * 0.03
        rim = foot - ph
        leaf = rng.choice(LEAVES)
        if kind == "snake plant":
            for _ in range(rng.randint(5, 8)):
                angle = -math.pi / 2 + rng.uniform(-0.3, 0.3)
                shade = _mix(leaf, (30, 60, 30), rng.uniform(0, 0.4))
                draw.polygon(
                    _leaf(
                        cx + rng.uniform(-pw, pw) * 0.25, rim + 4, ph * rng.uniform(1.4, 2.4), pw * 0.2, angle
                    ),
                    fill=shade,
                )
        elif kind == "succulent":
            for k in range(rng.randint(12, 18)):
                angle = -math.pi + math.pi * rng.random()
                draw.polygon(
                    _leaf(cx, rim + 6, pw * rng.uniform(0.35, 0.6), pw * 0.22, angle),
                    fill=_mix(leaf, (150, 200, 180), 0.4 + 0.02 * k),
                )
        elif kind == "pilea":
            for _ in range(rng.randint(6, 10)):
                tip = (cx + rng.uniform(-pw, pw) * 0.9, rim - ph * rng.uniform(0.5, 1.2))
                draw.line([(cx, rim + 4), tip], fill=(60, 110, 60), width=3)
                draw.ellipse(
                    _circle(*tip, pw * rng.uniform(0.13, 0.18)),
                    fill=_mix(leaf, (120, 190, 90), rng.uniform(0, 0.4)),
                )
        else:
            for _ in range(rng.randint(7, 11)):
                angle = -math.pi / 2 + rng.uniform(-1.2, 1.2)
                draw.polygon(_leaf(cx, rim + 4, pw * rng.uniform(0.35, 0.5), pw * 0.3, angle), fill=leaf)
            for direction in (-1, 1):
                x, y = cx + direction * pw * 0.45, rim + 4
                for _ in range(rng.randint(3, 6)):
                    y += ph * 0.22
                    x += direction * rng.uniform(0, pw * 0.08)
                    draw.polygon(
                        _leaf(x, y, pw * 0.25, pw * 0.18, math.pi / 2 + direction * rng.uniform(0.3, 0.9)),
                        fill=_mix(leaf, (200, 220, 80), 0.2),
                    )
        draw.polygon(
            [(cx - pw / 2, rim), (cx + pw / 2, rim), (cx + pw * 0.38, foot), (cx - pw * 0.38, foot)], fill=pot
        )
        draw.rectangle(
            (cx - pw * 0.54, rim - ph * 0.1, cx + pw * 0.54, rim + ph * 0.05), fill=_mix(pot, (0, 0, 0), 0.1)
        )
        described.append(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} in a {pot_name} pot")
    listing = described[0] if count == 1 else ", ".join(described[:-1]) + " and " + described[-1]
    plants = "a potted plant" if count == 1 else f"{count} potted plants"
    return im, f"Drawing of {plants} on a {wood_name} desk against a {wall_name} wall: {listing}."


def paint_notes(rng: random.Random, size: tuple[int, int]) -> Picture:
    w, h = size
    im = _gradient(size, (248, 248, 246), (230, 232, 234))
    draw = ImageDraw.Draw(im, "RGBA")
    margin = min(w, h) * 0.04
    draw.rectangle((margin, margin, w - margin, h - margin), outline=(170, 174, 180), width=12)
    columns = rng.choice(BOARD_COLUMNS)
    ink = rng.choice(((36, 60, 128), (40, 40, 48), (30, 110, 70)))
    font = ImageFont.load_default(size=round(min(w, h) * 0.05))
    column = (w - 2 * margin) / 3
    header = margin + min(w, h) * 0.1
    for k, name in enumerate(columns):
        x = margin + column * k
        draw.text((x + column / 2, header), name, fill=ink, font=font, anchor="ms")
        if k:
            draw.line([(x, margin + 30), (x, h - margin - 30)], fill=(*ink, 160), width=4)
    draw.line([(margin + 30, header + 14), (w - margin - 30, header + 14)], fill=(*ink, 160), width=4)
    side = min(column * 0.38, (h - header) * 0.17)
    notes, used = 0, set()
    for k in range(3):
        rows = rng.randint(2, max(2, int((h - header - margin) / (side * 1.35))))
        for row in range(rows):
            for slot in range(2):
                if rng.random() < 0.3:
                    continue
                name, colour = rng.choice(NOTES)
                used.add(name)
                cx = margin + column * k + column * (0.28 + 0.44 * slot) + rng.uniform(-8, 8)
                cy = header + 30 + side * 0.7 + row * side * 1.3 + rng.uniform(-8, 8)
                if cy + side * 0.7 > h - margin:
                    continue
                angle = rng.uniform(-0.12, 0.12)
                square = [
                    (
                        cx + side / 2 * (dx * math.cos(angle) - dy * math.sin(angle)),
                        cy + side / 2 * (dx * math.sin(angle) + dy * math.cos(angle)),
                    )
                    for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))
                ]
                draw.polygon([(x + 4, y + 6) for x, y in square], fill=(0, 0, 0, 40))
                draw.polygon(square, fill=colour)
                for line in range(rng.randint(2, 3)):
                    y = cy - side * 0.25 + line * side * 0.2
                    length = side * rng.uniform(0.35, 0.7)
                    x0 = cx - side * 0.35
                    points = [(x0 + t, y + 3 * math.sin(t / 5)) for t in range(0, round(length), 6)]
                    if len(points) > 1:
                        draw.line(points, fill=(50, 50, 60, 210), width=3)
                notes += 1
    colours = [name for name, _ in NOTES if name in used]
    listing = colours[0] if len(colours) == 1 else ", ".join(colours[:-1]) + " and " + colours[-1]
    return im, (
        f"Drawing of a whiteboard with {notes} sticky notes in {listing}, sorted into three columns "
        f"headed {columns[0]}, {columns[1]} and {columns[2]}."
    )


PAINTERS: dict[str, Callable[[random.Random, tuple[int, int]], Picture]] = {
    "mountains": paint_mountains,
    "seaside": paint_seaside,
    "skyline": paint_skyline,
    "lights": paint_lights,
    "plants": paint_plants,
    "notes": paint_notes,
}
