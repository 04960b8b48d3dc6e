"""Activities as JSON: the same for the API, the live socket and the web pages."""

from feed import registry
from feed.selectors import FeedItem, hydrate
from feed.serializers import PersonSerializer


def render_items(items: list[FeedItem], *, viewer, request=None) -> list[dict]:
    """Render hydrated feed items; each object through its type's registered renderer."""
    by_type: dict[str, list] = {}
    for item in items:
        by_type.setdefault(item.activity.object_type, []).append(item.object)
    context = {"request": request, "viewer": viewer, "objects": by_type}
    rendered = []
    for item in items:
        activity = item.activity
        body = registry.object_type(activity.object_type).render(item.object, context)
        rendered.append(
            {
                "id": activity.pk,
                "verb": activity.verb,
                "actor": PersonSerializer(activity.actor, context=context).data,
                "object": {"type": activity.object_type, "id": activity.object_id, **body},
                "created_at": activity.created_at.isoformat().replace("+00:00", "Z"),
                "updated_at": activity.updated_at.isoformat().replace("+00:00", "Z"),
            }
        )
    return rendered


def render_activities(activities, *, viewer, request=None) -> list[dict]:
    return render_items(hydrate(list(activities), viewer), viewer=viewer, request=request)
