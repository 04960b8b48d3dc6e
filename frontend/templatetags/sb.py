"""Small pieces every page uses: a person's avatar, a visibility's name, the current nav item."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from profiles.models import Visibility

register = template.Library()

SIZES = {"sm": "avatar avatar-sm", "md": "avatar", "lg": "avatar avatar-lg"}


def _initials(name: str) -> str:
    parts = [p for p in (name or "?").split() if p]
    return "".join(p[0] for p in parts[:2]) or "?"


@register.simple_tag
def avatar(person, size: str = "md"):
    """A person's avatar, or their initials on a coloured disc. ``person`` is a Profile or a
    rendered person (a dict with ``display_name`` and ``avatar``)."""
    if isinstance(person, dict):
        name, url = person.get("display_name", ""), person.get("avatar")
    else:
        name = person.display_name
        url = person.avatar.url if person.avatar else None
    css = SIZES.get(size, SIZES["md"])
    if url:
        return format_html('<img class="{}" src="{}" alt="" loading="lazy">', css, url)
    return format_html('<span class="{}" aria-hidden="true">{}</span>', css, _initials(name))


@register.filter
def visibility_label(value: str) -> str:
    try:
        return Visibility(value).label
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def current(context, *names: str) -> str:
    """``aria-current="page"`` when the page's URL name is one of ``names``."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is not None and match.url_name in names:
        return mark_safe('aria-current="page"')
    return ""


@register.filter
def status_label(value: str) -> str:
    return _("Alumnus") if value == "alumnus" else _("Employee")
