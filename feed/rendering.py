"""Activities as JSON: the same for the API, the live socket and the web pages."""

from feed import registry
from feed.selectors import FeedItem, hydrate
from feed.serializers import PersonSerializer


def _timestamp(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def render_items(items: list[FeedItem], *, viewer, request=None) -> list[dict]:
    """Render hydrated feed items: each object type, and the actors, in one pass per page."""
    context = {"request": request, "viewer": viewer}
    by_type: dict[str, list[FeedItem]] = {}
    for item in items:
        by_type.setdefault(item.activity.object_type, []).append(item)
    bodies: dict[int, dict] = {}
    for type_name, typed in by_type.items():
        rendered = registry.object_type(type_name).render([item.object for item in typed], context)
        bodies.update({id(item): body for item, body in zip(typed, rendered, strict=True)})
    actors = PersonSerializer([item.activity.actor for item in items], many=True, context=context).data
    return [
        {
            "id": item.activity.pk,
            "verb": item.activity.verb,
            "actor": actor,
            "object": {"type": item.activity.object_type, "id": item.activity.object_id, **bodies[id(item)]},
            "created_at": _timestamp(item.activity.created_at),
            "updated_at": _timestamp(item.activity.updated_at),
        }
        for item, actor in zip(items, actors, strict=True)
    ]


def render_activities(activities, *, viewer, request=None) -> list[dict]:
    return render_items(hydrate(list(activities), viewer), viewer=viewer, request=request)
