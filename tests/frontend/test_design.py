"""The visual language holds its promises: text colours meet WCAG AA contrast (4.5:1) on the
backgrounds they are used on, and the pages' words are marked for translation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"

# (foreground, background) as the stylesheet pairs them: body text, muted text, links, buttons,
# the unread badge, notices, tags, the current navigation item.
PAIRS = [
    ("--text", "--bg"),
    ("--text", "--surface"),
    ("--text-muted", "--surface"),
    ("--text-muted", "--bg"),
    ("--accent-strong", "--surface"),
    ("--accent-strong", "--accent-soft"),
    ("#ffffff", "--accent"),
    ("#ffffff", "--red-700"),
    ("--red-700", "--red-50"),
    ("--green-700", "--green-50"),
    ("--amber-800", "--amber-50"),
    ("--gray-700", "--gray-100"),
    ("--gray-700", "--surface"),
    ("--blue-800", "--blue-100"),
]


def tokens() -> dict[str, str]:
    css = (FRONTEND / "static/frontend/app.css").read_text()
    root = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    found = dict(re.findall(r"(--[\w-]+):\s*([^;]+);", root))
    resolved = {}
    for name, value in found.items():
        while value.startswith("var("):
            value = found[value[4:-1].strip()]
        resolved[name] = value.strip()
    return resolved


def luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(("foreground", "background"), PAIRS)
def test_text_colours_meet_aa_contrast_on_their_backgrounds(foreground, background):
    colours = tokens()
    fg = colours.get(foreground, foreground)
    bg = colours.get(background, background)
    assert contrast(fg, bg) >= 4.5, f"{foreground} on {background}: {contrast(fg, bg):.2f}:1"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_pages_words_are_marked_for_translation(tmp_path):
    """``makemessages`` over the frontend finds the words people read on every page."""
    copy = tmp_path / "frontend"
    shutil.copytree(FRONTEND, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "xx", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "socialblue.settings",
            "DEBUG": "1",  # a developer's command: production would want a SECRET_KEY
            "PYTHONPATH": str(FRONTEND.parent),
            "PATH": "/usr/bin:/bin",
        },
    )
    catalogue = (copy / "locale/xx/LC_MESSAGES/django.po").read_text()
    for words in (
        "Sign in",
        "Write a post",
        "Who can see this",
        "Mark all as read",
        "Choose photos to upload",
        "Alt text",
        "Former colleagues",
        "Search people",
        "Sign out",
        "Skip to content",
    ):
        assert f'msgid "{words}"' in catalogue, words
