"""The peer's feed: django-activity-stream's ``user_stream`` behind the same DRF stack.

It is written the way actstream's documentation uses it (``user_stream(request.user)``,
generic relations fetched in bulk) and renders each action to JSON of about the size of a
SocialBlue feed item: the actor, the verb, the post with its text, HTML, mentions and counts.
actstream has no audience rule; every action is public.
"""

from actstream.models import user_stream
from rest_framework.response import Response
from rest_framework.views import APIView

from feed.text import mentioned_usernames, render_html


def _person(user) -> dict:
    return {"username": user.username, "display_name": user.get_full_name() or user.username}


def _post(post, author) -> dict | None:
    if post is None:
        return None
    return {
        "id": post.pk,
        "author": _person(author),
        "body": post.body,
        "body_html": render_html(post.body),
        "mentions": mentioned_usernames(post.body),
        "visibility": post.visibility,
        "created_at": post.created_at.isoformat().replace("+00:00", "Z"),
        "edited_at": None,
        "comment_count": post.comment_count,
        "reaction_count": post.reaction_count,
    }


class ActstreamFeedView(APIView):
    """GET: the newest 20 actions of the people the user follows, and the user's own."""

    def get(self, request):
        actions = user_stream(request.user, with_user_activity=True)[:20]
        results = [
            {
                "id": action.pk,
                "verb": action.verb,
                "actor": _person(action.actor),
                "object": {"type": "post", "post": _post(action.action_object, action.actor)},
                "created_at": action.timestamp.isoformat().replace("+00:00", "Z"),
            }
            for action in actions
        ]
        return Response({"results": results, "next": None})
