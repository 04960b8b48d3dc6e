"""The object types ``feed`` itself renders: posts and profiles."""

from feed.selectors import visible_posts
from feed.serializers import PostSerializer, post_context
from profiles.selectors import profile_queryset
from profiles.serializers import PersonSerializer


def load_posts(ids: list[int], viewer) -> dict:
    return {post.pk: post for post in visible_posts(viewer).filter(pk__in=ids)}


def render_posts(posts: list, context: dict) -> list[dict]:
    rendered = PostSerializer(
        posts, many=True, context=post_context(posts, context["viewer"], context["request"])
    )
    return [{"post": {key: value for key, value in data.items() if key != "id"}} for data in rendered.data]


def load_profiles(ids: list[int], viewer) -> dict:
    if viewer is None:
        return {}
    return {p.pk: p for p in profile_queryset().filter(pk__in=ids)}


def render_profiles(profiles: list, context: dict) -> list[dict]:
    people = PersonSerializer(profiles, many=True, context=context).data
    return [
        {"profile": {**person, "headline": p.headline}} for person, p in zip(people, profiles, strict=True)
    ]
