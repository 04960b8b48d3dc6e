"""Photos: renditions per second of the whole pipeline (``photos.pipeline.render``) against
the floor of plain Pillow doing the same resize on the same images, the cost of the upload
checks (``socialblue.images.check_image``), and the peak memory of processing one image at
``PHOTO_MAX_PIXELS``.

The test images are made here with Pillow, from a seed: "camera" JPEGs of 12 MP
(4000×3000, quality 92, EXIF with the time taken, GPS and an orientation, an sRGB profile;
soft shapes, gradients, hard lines and sensor noise, about 4–5 MB each, like a phone's) and
a few PNGs (a photo exported from an editor, a screenshot, a diagram with transparency).
At ``PHOTO_MAX_PIXELS``: an 8:5 camera JPEG (8000×5000 at 40 MP) upright and with EXIF
orientation 6, and an RGBA PNG diagram.

Each measurement runs in a fresh child process (``python -m bench.measure_photos MODE SPEC``,
which prints one JSON object): the throughput child alone, so that nothing shares its CPU,
and one child per memory figure, so that its peak resident set (``VmHWM``, reset through
``/proc/self/clear_refs`` once the file is read) is that of one image and nothing else.

The floor is what any Django app doing this with Pillow would at least do: open,
``exif_transpose`` (in place: Pillow's lean way), the original saved as JPEG at quality 90
(PNG when it has an alpha channel), a resize to the same long edge with LANCZOS and the same
``reducing_gap``, the same square crop, both saved as WebP at the same qualities. What it
leaves out is ours: the format sniffed and enforced, the time taken read from EXIF, the
colour profile carried, the alpha check, the original encoded as an optimised progressive
JPEG, the blurhash.
"""

import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter, ImageOps

from bench.report import Row, number

ROOT = Path(__file__).resolve().parent.parent

FLOOR_SHARE_TARGET = 0.8
PEAK_MB_TARGET = 300
CHILD_TIMEOUT = 300  # seconds, for one child process

MB = 1024 * 1024


# --- The test images -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    name: str
    kind: str  # "jpeg" or "png"
    size: tuple[int, int]  # as stored, before the EXIF orientation
    orientation: int = 1
    alpha: bool = False
    graphic: bool = False  # flat colours (a screenshot, a diagram) rather than a photo


def sample_set(*, quick: bool) -> list[Sample]:
    camera = [
        Sample("camera-1", "jpeg", (4000, 3000)),
        Sample("camera-2", "jpeg", (4000, 3000), orientation=6),  # held upright: 3000×4000
        Sample("camera-3", "jpeg", (4000, 3000)),
        Sample("camera-4", "jpeg", (4000, 3000), orientation=8),
        Sample("camera-5", "jpeg", (4000, 3000)),
        Sample("camera-6", "jpeg", (4000, 3000), orientation=3),
    ]
    pngs = [
        Sample("edited-photo", "png", (2048, 1536)),  # a photo exported from an editor
        Sample("screenshot", "png", (2560, 1440), graphic=True),
        Sample("diagram", "png", (1800, 1200), alpha=True, graphic=True),
    ]
    if quick:
        return [camera[0], camera[1], pngs[0], pngs[2]]
    return [*camera, *pngs]


def _photo(size: tuple[int, int], rnd: random.Random) -> Image.Image:
    """A picture with what a photo has: smooth light, soft shapes, a few hard edges, noise."""
    width, height = size
    small = (max(16, width // 8), max(16, height // 8))
    channels = []
    for _ in range(3):
        linear = Image.linear_gradient("L").rotate(rnd.uniform(0, 360)).resize(small)
        radial = Image.radial_gradient("L").resize(small)
        channels.append(Image.blend(linear, radial, rnd.uniform(0.2, 0.6)))
    base = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x0, y0 = rnd.randrange(small[0]), rnd.randrange(small[1])
        box = (x0, y0, x0 + rnd.randrange(8, small[0] // 3), y0 + rnd.randrange(8, small[1] // 3))
        colour = tuple(rnd.randrange(256) for _ in range(3))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)(box, fill=colour)
    # Out of focus at the small size, then brought to full size: the soft parts of a photo.
    picture = base.filter(ImageFilter.GaussianBlur(3)).resize(size, Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(picture)
    for _ in range(300):  # the sharp parts: edges, branches, text
        x0, y0 = rnd.randrange(width), rnd.randrange(height)
        end = (x0 + rnd.randrange(-400, 400), y0 + rnd.randrange(-400, 400))
        colour = tuple(rnd.randrange(256) for _ in range(3))
        draw.line((x0, y0, *end), fill=colour, width=rnd.randrange(1, 6))
    # Sensor noise, one plane per channel, centred on 0: a tile of it laid over the picture
    # from a random offset (drawing 12 MP of Gaussian noise per channel would take seconds).
    tile = _noise_tile()
    noise = Image.new("RGB", size)
    dx, dy = rnd.randrange(tile.width), rnd.randrange(tile.height)
    for x in range(-dx, width, tile.width):
        for y in range(-dy, height, tile.height):
            noise.paste(tile, (x, y))
    return ImageChops.add(picture, noise, scale=1.0, offset=-128)


@functools.cache
def _noise_tile() -> Image.Image:
    return Image.merge("RGB", [Image.effect_noise((1021, 997), 10) for _ in range(3)])


def _graphic(size: tuple[int, int], rnd: random.Random, *, alpha: bool) -> Image.Image:
    """A screenshot or a diagram: flat colours, boxes, lines of "text", a transparent ground."""
    width, height = size
    mode = "RGBA" if alpha else "RGB"
    im = Image.new(mode, size, (0, 0, 0, 0) if alpha else (246, 247, 249))
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        x0, y0 = rnd.randrange(width), rnd.randrange(height)
        box = (x0, y0, x0 + rnd.randrange(40, width // 3), y0 + rnd.randrange(30, height // 4))
        colour = (*(rnd.randrange(256) for _ in range(3)), rnd.choice((255, 255, 160)))
        draw.rounded_rectangle(box, radius=12, fill=colour[:4] if alpha else colour[:3], outline="black")
    for _ in range(max(1, min(width * height // 4000, 4000))):  # words: short dark dashes
        x0, y0 = rnd.randrange(width), rnd.randrange(height)
        draw.line((x0, y0, x0 + rnd.randrange(8, 60), y0), fill=(30, 30, 30, 255)[: len(mode)], width=2)
    return im


def _exif(orientation: int, rnd: random.Random) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"  # Make
    exif[0x0110] = "BC-12"  # Model
    exif[0x0112] = orientation
    exif[0x0132] = "2026:05:01 10:00:00"  # DateTime
    exif.get_ifd(0x8769)[0x9003] = f"2026:05:01 09:{rnd.randrange(60):02d}:00"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 36.0)})
    return exif.tobytes()


def encode_sample(sample: Sample, seed: int) -> bytes:
    """The file of ``sample`` as a camera or an app would have written it."""
    rnd = random.Random(f"{seed}-{sample.name}")
    out = BytesIO()
    if sample.graphic:
        _graphic(sample.size, rnd, alpha=sample.alpha).save(out, "PNG")
    elif sample.kind == "png":
        _photo(sample.size, rnd).save(out, "PNG")
    else:
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        _photo(sample.size, rnd).save(
            out, "JPEG", quality=92, exif=_exif(sample.orientation, rnd), icc_profile=srgb
        )
    return out.getvalue()


def at_max_pixels(max_pixels: int, kind: str, *, orientation: int = 1) -> Sample:
    """The largest 8:5 picture within ``max_pixels`` (8000×5000 for 40,000,000)."""
    width = int((max_pixels * 8 / 5) ** 0.5)
    height = max_pixels // width
    png = kind == "png"
    name = f"max-{kind}-{orientation}"
    return Sample(name, kind, (width, height), orientation=orientation, alpha=png, graphic=png)


# --- The floor: plain Pillow doing the same resize ------------------------------------------


def floor_render(data: bytes) -> tuple[bytes, bytes, bytes]:
    from photos.pipeline import MEDIUM_EDGE, THUMB_SIZE

    im = Image.open(BytesIO(data))
    ImageOps.exif_transpose(im, in_place=True)  # decodes; no second full-size copy if upright
    alpha = im.mode == "RGBA"
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGB")
    original = BytesIO()
    if alpha:
        im.save(original, "PNG")
    else:
        im.save(original, "JPEG", quality=90)
    scale = min(1.0, MEDIUM_EDGE / max(im.size))
    medium = im.resize(
        (max(1, round(im.width * scale)), max(1, round(im.height * scale))),
        Image.Resampling.LANCZOS,
        reducing_gap=3.0,
    )
    thumb = ImageOps.fit(medium, (THUMB_SIZE, THUMB_SIZE), method=Image.Resampling.LANCZOS)
    medium_out, thumb_out = BytesIO(), BytesIO()
    medium.save(medium_out, "WEBP", quality=82)
    thumb.save(thumb_out, "WEBP", quality=80)
    return original.getvalue(), medium_out.getvalue(), thumb_out.getvalue()


def _sizes(files: tuple[bytes, ...]) -> list[tuple[int, int]]:
    sizes = []
    for data in files:
        with Image.open(BytesIO(data)) as im:
            sizes.append(im.size)
    return sizes


# --- Child processes ------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> bool:
    """Reset VmHWM to the current resident set (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def _settings():
    from django.conf import settings

    settings.PHOTO_MAX_PIXELS  # noqa: B018 - loads the settings, which set Pillow's bomb limit
    return settings


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("upload.jpg", data, content_type="image/jpeg")


def _check(data: bytes, settings):
    from socialblue.images import check_image

    return check_image(
        _upload(data), max_bytes=settings.PHOTO_MAX_BYTES, max_pixels=settings.PHOTO_MAX_PIXELS
    )


def _timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _steps(data: bytes) -> dict[str, dict[str, float]]:
    """The time of each step of ``render``, done as ``render`` does it, with the one step that
    differs from the floor (the original's encoding) done both ways."""
    import blurhash

    from photos import pipeline
    from socialblue.images import encode_clean, sniff_format

    ms: dict[str, float] = {}
    sizes: dict[str, int] = {}

    def step(name: str, fn: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = fn()
        ms[name] = (time.perf_counter() - started) * 1000
        return result

    def open_decode():
        # A PNG's EXIF may follow its pixels: getexif() decodes a PNG, so the two go together.
        with Image.open(BytesIO(data), formats=[sniff_format(data[:16])]) as opened:
            pipeline._taken_at(opened)
            opened.load()
            return opened

    opened = step("open, EXIF, decode", open_decode)
    im = step("exif_transpose", lambda: ImageOps.exif_transpose(opened))
    alpha = im.mode == "RGBA" and step("alpha check", lambda: im.getchannel("A").getextrema()[0] < 255)
    fmt = "PNG" if alpha else "JPEG"
    sizes["original, ours"] = len(step("original, ours", lambda: encode_clean(im, fmt=fmt, quality=90)))
    plain = BytesIO()
    step("original, plain", lambda: im.save(plain, fmt, **({} if alpha else {"quality": 90})))
    sizes["original, plain"] = plain.tell()
    medium = step(
        "resize to medium",
        lambda: im.resize(
            pipeline._fit_within(im.size, pipeline.MEDIUM_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0
        ),
    )
    size = (pipeline.THUMB_SIZE, pipeline.THUMB_SIZE)
    thumb = step("fit thumb", lambda: ImageOps.fit(medium, size, method=Image.Resampling.LANCZOS))

    def hash_() -> str:
        tiny = thumb.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
        pixels = list(tiny.get_flattened_data())
        rows = [pixels[y * tiny.width : (y + 1) * tiny.width] for y in range(tiny.height)]
        return blurhash.encode(rows, *pipeline.BLURHASH_COMPONENTS)

    step("blurhash", hash_)
    step("WebP medium", lambda: encode_clean(medium, fmt="WEBP", quality=82))
    step("WebP thumb", lambda: encode_clean(thumb, fmt="WEBP", quality=80))
    return {"ms": ms, "bytes": sizes, "original_format": fmt}


def child_throughput(spec: dict) -> dict:
    """Render every image and run the floor on it, interleaved round by round (the order of
    the two alternates), so that drift in the machine's speed falls on both alike."""
    settings = _settings()
    from photos import pipeline

    samples = [(s["name"], s["kind"], Path(s["path"]).read_bytes()) for s in spec["samples"]]
    runs = {"render": pipeline.render, "floor": floor_render}
    pipeline.render(samples[0][2]), floor_render(samples[0][2])  # warm-up
    times = {which: {"wall": [], "cpu": [], "kind": []} for which in runs}
    for round_ in range(spec["rounds"]):
        for index, (name, kind, data) in enumerate(samples):
            order = ("render", "floor") if (round_ + index) % 2 == 0 else ("floor", "render")
            made = {}
            for which in order:
                wall, cpu, made[which] = _timed(lambda fn=runs[which], data=data: fn(data))
                times[which]["wall"].append(wall)
                times[which]["cpu"].append(cpu)
                times[which]["kind"].append(kind)
            if round_ == 0:  # both made the same pictures
                ours = made["render"]
                got, floor = _sizes((ours.original, ours.medium, ours.thumb)), _sizes(made["floor"])
                if got != floor:
                    raise AssertionError(f"{name}: render made {got}, the floor {floor}")
    steps = [_steps(data) for _name, _kind, data in samples]
    checks: dict[str, list[float]] = {}
    for _name, kind, data in samples:
        checks.setdefault(kind, []).extend(
            _timed(lambda data=data: _check(data, settings))[0] for _ in range(spec["check_repeats"])
        )
    return {"times": times, "steps": steps, "check_seconds": checks}


def child_memory(spec: dict) -> dict:
    """Peak resident set of one ``render`` (or floor, or check) of one file, over the process's
    resident set just before it, with the file already read (as the worker has it)."""
    settings = _settings()
    from photos import pipeline

    data = Path(spec["path"]).read_bytes()
    run = {
        "render": lambda: pipeline.render(data),
        "floor": lambda: floor_render(data),
        "check": lambda: _check(data, settings),
    }[spec["run"]]
    reset = _reset_peak()
    baseline_kb = _status_kb("VmRSS")
    before_kb = _status_kb("VmHWM")
    wall, _cpu, _ = _timed(run)
    return {
        "baseline_kb": baseline_kb,
        "peak_before_kb": before_kb,  # the peak so far; equals the baseline when reset worked
        "peak_kb": _status_kb("VmHWM"),
        "peak_reset": reset,
        "seconds": wall,
        "file_bytes": len(data),
    }


def _run_child(mode: str, spec: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.measure_photos", mode, json.dumps(spec)],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} child failed ({done.returncode}): {done.stderr.strip()[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_children(jobs: list[tuple[str, dict]], parallel: int) -> list[dict]:
    """Children, ``parallel`` at a time, their results in the order of ``jobs``."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda job: _run_child(*job), jobs))


# --- The rows -------------------------------------------------------------------------------


def _mb(kb: float) -> float:
    return kb * 1024 / MB


def _throughput_rows(result: dict, samples: list[Sample]) -> list[Row]:
    times = result["times"]
    images = len(times["render"]["wall"])
    ours_s, floor_s = sum(times["render"]["wall"]), sum(times["floor"]["wall"])
    ours_rate, floor_rate = images / ours_s, images / floor_s
    ratio = ours_rate / floor_rate
    cpu_ratio = sum(times["floor"]["cpu"]) / sum(times["render"]["cpu"])
    jpegs = sum(s.kind == "jpeg" for s in samples)
    pngs = len(samples) - jpegs

    def per_kind(which: str, kind: str) -> float:
        values = [w for w, k in zip(times[which]["wall"], times[which]["kind"], strict=True) if k == kind]
        return statistics.median(values) * 1000 if values else 0.0

    rounds = images // len(samples)
    rows = [
        Row(
            metric=(
                "photo pipeline throughput, one process (photos.pipeline.render: clean original, "
                f"1600 px WebP, 320 px square WebP, blurhash; {jpegs} camera JPEGs of 12 MP, "
                f"{pngs} PNGs, {rounds} rounds interleaved with the floor)"
            ),
            socialblue=(
                f"{number(3 * ours_rate, 'renditions/s')} ({number(ours_rate, 'images/s')}; "
                f"median {per_kind('render', 'jpeg'):.0f} ms per JPEG, "
                f"{per_kind('render', 'png'):.0f} ms per PNG)"
            ),
            peer=(
                f"{number(3 * floor_rate, 'renditions/s')} plain Pillow (median "
                f"{per_kind('floor', 'jpeg'):.0f} ms per JPEG, {per_kind('floor', 'png'):.0f} ms per PNG)"
            ),
            ratio=ratio,
            target=f"≥ {FLOOR_SHARE_TARGET:.2f} of the floor",
            met=ratio >= FLOOR_SHARE_TARGET,
            values={
                "images": images,
                "renditions_per_second": 3 * ours_rate,
                "floor_renditions_per_second": 3 * floor_rate,
                "images_per_second": ours_rate,
                "floor_images_per_second": floor_rate,
                "ratio_by_cpu_time": cpu_ratio,
                "render_ms": [w * 1000 for w in times["render"]["wall"]],
                "floor_ms": [w * 1000 for w in times["floor"]["wall"]],
            },
        )
    ]
    # Where the time goes: each step of render once per image, averaged over the set.
    per_image: dict[str, float] = {}
    for steps in result["steps"]:
        for name, ms in steps["ms"].items():
            per_image[name] = per_image.get(name, 0.0) + ms / len(samples)
    jpeg_originals = [s["bytes"] for s in result["steps"] if s["original_format"] == "JPEG"]
    ours_bytes = sum(b["original, ours"] for b in jpeg_originals)
    plain_bytes = sum(b["original, plain"] for b in jpeg_originals)
    extra_original = per_image["original, ours"] - per_image["original, plain"]
    ours_only = extra_original + per_image["blurhash"] + per_image.get("alpha check", 0.0)
    render_ms = ours_s * 1000 / images
    floor_ms = floor_s * 1000 / images
    shown = ", ".join(
        f"{name} {ms:.0f} ms" if ms >= 1 else f"{name} {ms:.2f} ms"
        for name, ms in per_image.items()
        if name != "original, plain"
    )
    rows.append(
        Row(
            metric="of which: the steps of render, mean per image of the same set (one pass, wall time)",
            socialblue=shown,
            peer=(
                f"original, plain Pillow {per_image['original, plain']:.0f} ms; ours "
                f"{extra_original:+.0f} ms (optimize + progressive; JPEG originals "
                f"{(ours_bytes / plain_bytes - 1) * 100 if plain_bytes else 0:+.1f} % bytes); "
                f"what the floor does not do: {ours_only:.0f} ms of render's {render_ms:.0f} ms "
                f"(floor {floor_ms:.0f} ms; without it {floor_ms / (render_ms - ours_only):.2f} of the floor)"
            ),
            values={
                "per_image_ms": per_image,
                "jpeg_original_bytes": {"ours": ours_bytes, "plain": plain_bytes},
                "ours_only_ms": ours_only,
            },
        )
    )
    checks = result["check_seconds"]
    jpeg_ms = statistics.median(checks.get("jpeg", [0])) * 1000
    png_ms = statistics.median(checks.get("png", [0])) * 1000
    mean_ms = statistics.fmean([s for values in checks.values() for s in values]) * 1000
    rows.append(
        Row(
            metric=(
                "upload checks per upload (socialblue.images.check_image: bytes, format sniffed, "
                "pixels from the header, a decode: JPEG at 1/8 scale, PNG in full), in the web "
                "request, same set"
            ),
            socialblue=f"median {jpeg_ms:.0f} ms per 12 MP JPEG, {png_ms:.0f} ms per PNG",
            peer=(
                f"mean {mean_ms:.0f} ms per upload, {mean_ms / render_ms * 100:.0f} % of render's "
                f"{render_ms:.0f} ms; {number(mean_ms * 20 / 1000, 's')} for a request of 20 parts"
            ),
            values={"jpeg_ms": jpeg_ms, "png_ms": png_ms, "mean_ms": mean_ms},
        )
    )
    return rows


def _over_mb(result: dict) -> float:
    return _mb(result["peak_kb"] - result["baseline_kb"])


def _memory_rows(results: dict[tuple[str, str], dict], big: list[Sample], max_pixels: int) -> list[Row]:
    rows = []
    for sample in big:
        ours, floor = results[(sample.name, "render")], results[(sample.name, "floor")]
        width, height = sample.size
        what = (
            "RGBA PNG (a diagram)"
            if sample.kind == "png"
            else f"camera JPEG, EXIF orientation {sample.orientation}"
        )
        mb, floor_mb = _over_mb(ours), _over_mb(floor)
        rows.append(
            Row(
                metric=(
                    f"peak memory of render(), one {width}×{height} {what} at PHOTO_MAX_PIXELS "
                    f"{max_pixels:,} ({number(ours['file_bytes'] / MB, 'MB')}): peak RSS over the RSS "
                    "before, file read, fresh process"
                ),
                socialblue=(
                    f"{mb:.0f} MB (peak {_mb(ours['peak_kb']):.0f} MB, baseline "
                    f"{_mb(ours['baseline_kb']):.0f} MB; {ours['seconds']:.1f} s)"
                ),
                peer=f"{floor_mb:.0f} MB plain Pillow ({floor['seconds']:.1f} s)",
                ratio=mb / floor_mb if floor_mb > 0 else None,
                target=f"≤ {PEAK_MB_TARGET} MB",
                met=mb <= PEAK_MB_TARGET and ours["peak_reset"],
                values={"ours": ours, "floor": floor, "over_mb": mb, "floor_over_mb": floor_mb},
            )
        )
    checks = {
        sample.kind: results[(sample.name, "check")] for sample in big if (sample.name, "check") in results
    }
    width, height = big[0].size
    rows.append(
        Row(
            metric=f"peak memory of check_image() of the same {width}×{height} files, in the web process",
            socialblue=(
                f"{_over_mb(checks['jpeg']):.0f} MB per JPEG ({checks['jpeg']['seconds'] * 1000:.0f} ms), "
                f"{_over_mb(checks['png']):.0f} MB per PNG ({checks['png']['seconds'] * 1000:.0f} ms)"
            ),
            values={kind: result | {"over_mb": _over_mb(result)} for kind, result in checks.items()},
        )
    )
    return rows


def measure(*, quick: bool, seed: int = 1, log: Callable[[str], None] = print) -> tuple[list[Row], dict]:
    """All the photo rows (under two minutes; ``quick``: fewer images, one round), and what
    the run's metadata should say about them."""
    from django.conf import settings
    from PIL import features

    max_pixels = settings.PHOTO_MAX_PIXELS
    samples = sample_set(quick=quick)
    big = [
        at_max_pixels(max_pixels, "jpeg"),
        at_max_pixels(max_pixels, "jpeg", orientation=6),
        at_max_pixels(max_pixels, "png"),
    ]
    with tempfile.TemporaryDirectory(prefix="socialblue-bench-photos-") as directory:
        paths: dict[str, str] = {}
        started = time.monotonic()
        for sample in [*samples, *big]:
            path = Path(directory) / f"{sample.name}.{sample.kind}"
            path.write_bytes(encode_sample(sample, seed))
            paths[sample.name] = str(path)
        log(f"photos: {len(samples) + len(big)} test images made in {time.monotonic() - started:.1f} s")
        spec = {
            "samples": [{"name": s.name, "kind": s.kind, "path": paths[s.name]} for s in samples],
            "rounds": 1 if quick else 2,
            "check_repeats": 3,
        }
        throughput = _run_child("throughput", spec)
        log("photos: throughput measured")
        jobs = [(sample.name, run) for sample in big for run in ("render", "floor")]
        jobs += [(big[0].name, "check"), (big[2].name, "check")]
        # Each child reads its own peak, so two may share the machine's CPUs.
        memory = _run_children([("memory", {"path": paths[name], "run": run}) for name, run in jobs], 2)
        log("photos: peak memory measured")
    rows = _throughput_rows(throughput, samples)
    rows += _memory_rows(dict(zip(jobs, memory, strict=True)), big, max_pixels)
    meta = {
        "pillow": (
            f"Pillow {Image.__version__}, libjpeg-turbo {features.version_feature('libjpeg_turbo')}, "
            f"libwebp {features.version('webp')}"
        ),
        "images": [
            {"name": s.name, "kind": s.kind, "size": s.size, "orientation": s.orientation}
            for s in [*samples, *big]
        ],
    }
    return rows, meta


if __name__ == "__main__":
    mode, raw = sys.argv[1], sys.argv[2]
    handler = {"throughput": child_throughput, "memory": child_memory}[mode]
    print(json.dumps(handler(json.loads(raw))))
