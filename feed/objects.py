"""The object types ``feed`` itself renders: posts and profiles."""

from feed.selectors import visible_posts
from feed.serializers import PostSerializer, post_context
from profiles.selectors import profile_queryset
from profiles.serializers import PersonSerializer


def load_posts(ids: list[int], viewer) -> dict:
    return {post.pk: post for post in visible_posts(viewer).filter(pk__in=ids)}


def render_post(post, context: dict) -> dict:
    # Attachments are loaded once for every post of the page.
    if "post_context" not in context:
        context["post_context"] = post_context(
            context["objects"]["post"], context["viewer"], context["request"]
        )
    data = PostSerializer(post, context=context["post_context"]).data
    data.pop("id")
    return {"post": data}


def load_profiles(ids: list[int], viewer) -> dict:
    if viewer is None:
        return {}
    return {p.pk: p for p in profile_queryset().filter(pk__in=ids)}


def render_profile(profile, context: dict) -> dict:
    data = PersonSerializer(profile, context=context).data
    data["headline"] = profile.headline
    return {"profile": data}
