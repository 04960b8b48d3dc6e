"""The demo's tables, read from ``demo/data/<name>.toml``: lists and tables of plain values
that the generators draw from, kept out of the code so a new office, department, skill or
caption is a line of data. TOML because the tables are read and edited by people (comments,
no quoting of keys) and Python reads it without a dependency (``tomllib``)."""

import functools
import tomllib
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

RGB = tuple[int, int, int]


@functools.cache
def table(name: str) -> dict[str, Any]:
    """The contents of ``demo/data/<name>.toml``, read once."""
    with (DATA / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


def rgb(value: list[int]) -> RGB:
    """A colour of the tables ``[r, g, b]``, as Pillow takes it."""
    red, green, blue = value
    return (red, green, blue)
