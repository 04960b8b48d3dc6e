"""How activities' objects are loaded and rendered, filled in by each app's ``ready()``.

``feed`` never imports the apps that publish activities (photos, alumni); they register
their object types here instead. ``feed`` registers ``post`` and ``profile`` itself.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from profiles.models import Profile

# load(ids, viewer) -> {id: object} of the objects that exist and that the viewer may see.
Loader = Callable[[list[int], Profile | None], dict[int, Any]]
# render(objects, context) -> for each object, the JSON-ready ``object`` of its activity
# (without type and id), in one pass for the whole page.
Renderer = Callable[[list[Any], dict], list[dict]]


@dataclass(frozen=True)
class ObjectType:
    """``cached``: a render of this type may be kept and served again while its activity's
    version and actor stay the same (``feed/pages.py``). True when everything it shows is the
    actor's own content, whose every change raises the activity's version; False when it shows
    someone else's live data (a ``profile`` object shows another person as they are now)."""

    name: str
    load: Loader
    render: Renderer
    cached: bool = True


_object_types: dict[str, ObjectType] = {}


def register_object_type(name: str, *, load: Loader, render: Renderer, cached: bool = True) -> None:
    _object_types[name] = ObjectType(name=name, load=load, render=render, cached=cached)


def object_type(name: str) -> ObjectType | None:
    return _object_types.get(name)


@dataclass(frozen=True)
class PostAttachments:
    """What another app attaches to posts (photos), as the post's own services call it:

    * ``validate(author, ids, visibility)`` raises on ids the author may not attach to a post
      of that visibility (not theirs, or seen by fewer people than the post);
    * ``attach(post, ids, descriptions)`` stores them with what the author wrote about each
      (``{id: text}``, a photo's alt text), inside the post's transaction: a post refused
      leaves nothing of its attachments written;
    * ``load(posts, viewer, request)`` returns ``{post_id: [rendered attachment, ...]}`` in
      one or two queries;
    * ``validate_visibility(post, visibility)`` raises when the post's attachments may not be
      shown as widely as ``visibility`` (before a post is widened);
    * ``forget(post)``, inside the transaction that deletes the post, removes what existed
      only to be carried by it (photos uploaded with the post);
    * ``serializer``, what ``load`` renders each attachment with: the API schema describes the
      field with it (``socialblue/schema.py``)."""

    field: str
    validate: Callable[[Profile, list[int], str], None]
    attach: Callable[[Any, list[int], dict[int, str]], None]
    load: Callable[[Iterable[Any], Profile | None, Any], dict[int, list[dict]]]
    validate_visibility: Callable[[Any, str], None]
    forget: Callable[[Any], None]
    serializer: type | None = None


_post_attachments: dict[str, PostAttachments] = {}


def register_post_attachments(attachments: PostAttachments) -> None:
    _post_attachments[attachments.field] = attachments


def post_attachments(field: str) -> PostAttachments | None:
    return _post_attachments.get(field)


def all_post_attachments() -> list[PostAttachments]:
    return list(_post_attachments.values())
