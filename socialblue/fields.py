"""Whole numbers from clients, bounded before they reach the database.

A number a client writes (an id in a body, a page or a cursor in a query) is used as a row
id, an offset or a stored position. PostgreSQL holds ids as ``bigint`` and positions as
``integer``; a larger number is not "nothing found" to it but an error ("bigint out of
range") that would surface as a 500, and an offset of a billion rows is a slow scan. So every
such number is checked here, once, against the range its use can hold, and anything else is
a clear 400 naming the parameter.

The API uses the serializer fields (``IdField``, ``PositionField``) in its input serializers
and ``whole_number`` for query parameters read by hand; the web pages use ``whole_number``
(and ``id_or_none`` where junk simply means "none") for the same parameters.
"""

import re

from rest_framework import serializers

from socialblue.errors import Invalid

# PostgreSQL's bigint: every primary key.
ID_MAX = 2**63 - 1
# PostgreSQL's integer: positions and other small counts that are stored.
INT_MAX = 2**31 - 1
# The deepest page of any paginated list. Offsets cost the database a scan of every row
# before them; a client that wants more than this many pages narrows its search instead.
PAGE_MAX = 1000

_DIGITS = re.compile(r"[0-9]{1,19}")


def whole_number(
    raw, *, name: str, minimum: int, maximum: int, default: int | None = None, message: str = ""
) -> int | None:
    """``raw`` (a query parameter's text) as an int from ``minimum`` to ``maximum``;
    ``default`` when it is missing or blank. Anything else (a sign, a decimal point, a digit
    of another script, a number out of range) raises ``Invalid`` for the parameter ``name``,
    a 400, with ``message`` or a sentence that gives the range."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return default
    value = int(text) if _DIGITS.fullmatch(text) else None
    if value is None or not minimum <= value <= maximum:
        raise Invalid({name: [message or f"A whole number from {minimum} to {maximum} is expected."]})
    return value


def id_or_none(raw) -> int | None:
    """``raw`` as an object id, or None when it is missing or is not one (for forms and
    pages where a stray value simply selects nothing)."""
    try:
        return whole_number(raw, name="id", minimum=1, maximum=ID_MAX)
    except Invalid:
        return None


class IdField(serializers.IntegerField):
    """An object's id in a request body: 1 to ``ID_MAX``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class PositionField(serializers.IntegerField):
    """A stored position or small count in a request body: 0 to ``INT_MAX``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(**kwargs)
