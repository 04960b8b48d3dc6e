from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feed import registry
from feed.models import COMMENT_MAX_CHARS, POST_MAX_CHARS, Comment, Notification, Post, Reaction
from feed.text import mentioned_usernames, render_html
from profiles.serializers import PersonSerializer, VisibilityField
from socialblue.fields import IdField


class PostSerializer(serializers.ModelSerializer):
    """A post as the contract shows it. ``photos`` (and any other attachment field) comes from
    the apps that registered post attachments, loaded once per page into the context."""

    author = PersonSerializer(read_only=True)
    body_html = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    my_reaction = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "author",
            "body",
            "body_html",
            "mentions",
            "visibility",
            "photos",
            "created_at",
            "edited_at",
            "comment_count",
            "reaction_count",
            "my_reaction",
        ]

    @extend_schema_field(serializers.CharField())
    def get_body_html(self, post):
        return render_html(post.body)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_mentions(self, post):
        return mentioned_usernames(post.body)

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_photos(self, post):
        return self.context.get("attachments", {}).get("photos", {}).get(post.pk, [])

    @extend_schema_field(serializers.ChoiceField(choices=Reaction.Kind.choices, allow_null=True))
    def get_my_reaction(self, post):
        return getattr(post, "my_reaction_kind", None)


def post_context(posts, viewer, request) -> dict:
    """Serializer context for a page of posts: attachments loaded once for all of them."""
    posts = list(posts)
    return {
        "request": request,
        "viewer": viewer,
        "attachments": {a.field: a.load(posts, viewer, request) for a in registry.all_post_attachments()},
    }


class PostCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=POST_MAX_CHARS, trim_whitespace=True)
    visibility = VisibilityField(required=False)
    photos = serializers.ListField(child=IdField(), required=False, max_length=10)


class PostUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=POST_MAX_CHARS, required=False)
    visibility = VisibilityField(required=False)


class CommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "post", "author", "body", "body_html", "created_at"]

    @extend_schema_field(serializers.CharField())
    def get_body_html(self, comment):
        return render_html(comment.body)


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_CHARS)


class ReactionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Reaction.Kind.choices, default=Reaction.Kind.LIKE)


class ReactionStateSerializer(serializers.Serializer):
    my_reaction = serializers.ChoiceField(choices=Reaction.Kind.choices, allow_null=True)
    reaction_count = serializers.IntegerField()


# Open: the rest of an activity's object is whatever its type's renderer (feed.registry) gives.
@extend_schema_field(
    {
        "type": "object",
        "properties": {"type": {"type": "string"}, "id": {"type": "integer"}},
        "required": ["type", "id"],
        "additionalProperties": True,
    },
    component_name="ActivityObject",
)
class ActivityObjectSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()


class ActivitySerializer(serializers.Serializer):
    """``{id, verb, actor, object: {type, id, ...}, created_at}``; ``object`` is rendered by
    the type's registered renderer, as the viewer may see it."""

    id = serializers.IntegerField()
    verb = serializers.CharField()
    actor = PersonSerializer()
    object = ActivityObjectSerializer()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class NotificationSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True)
    post = serializers.PrimaryKeyRelatedField(read_only=True)
    comment = serializers.PrimaryKeyRelatedField(read_only=True)
    connection_request = serializers.IntegerField(source="connection_request_id", allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "actor", "post", "comment", "connection_request", "read", "created_at"]


class MarkReadSerializer(serializers.Serializer):
    up_to = IdField()
