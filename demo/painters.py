"""The demo's painters: each draws one picture of a given size from a seeded ``random``, with
Pillow alone (mountains, beaches, skylines, party lights, desk plants, whiteboards), and says in
its alt text what it shows, so the demo's photos are described as we ask people to describe
theirs. Their colours and the words for them are the palettes of ``demo/data/pictures.toml``.

Pictures are drawn rather than shipped: no image files in the repository, every album
different with the seed, and the upload pipeline gets real work (EXIF, orientation, sizes).
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from demo.tables import RGB, rgb, table

Picture = tuple[Image.Image, str]  # a drawing and its alt text


@dataclass(frozen=True)
class Sky:
    name: str
    top: RGB
    horizon: RGB
    sun: RGB


_PICTURES = table("pictures")


def _named(rows: list[dict]) -> tuple[tuple[str, RGB], ...]:
    return tuple((row["name"], rgb(row["colour"])) for row in rows)


DAY_SKIES = tuple(
    Sky(s["name"], rgb(s["top"]), rgb(s["horizon"]), rgb(s["sun"])) for s in _PICTURES["day_skies"]
)
NIGHT_SKIES = tuple(
    Sky(s["name"], rgb(s["top"]), rgb(s["horizon"]), rgb(s["sun"])) for s in _PICTURES["night_skies"]
)
ROCKS = _named(_PICTURES["rocks"])
SEAS = _named(_PICTURES["seas"])
SANDS = _named(_PICTURES["sands"])
WALLS = _named(_PICTURES["walls"])
WOODS = _named(_PICTURES["woods"])
POTS = _named(_PICTURES["pots"])
NOTES = _named(_PICTURES["notes"])
LEAVES = tuple(rgb(colour) for colour in _PICTURES["palettes"]["leaves"])
LIGHTS = tuple(
    (light["name"], tuple(rgb(colour) for colour in light["colours"])) for light in _PICTURES["lights"]
)
NIGHTS = tuple((night["name"], rgb(night["top"]), rgb(night["bottom"])) for night in _PICTURES["nights"])
BOARD_COLUMNS = tuple(tuple(columns) for columns in _PICTURES["palettes"]["board_columns"])


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
