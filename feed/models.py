"""Status updates, comments, reactions, activities and notifications."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models import Profile, Visibility

POST_MAX_CHARS = 5000
COMMENT_MAX_CHARS = 2000


class Post(models.Model):
    """A status update. Attachments (photos) belong to other apps, which register how to load
    them (``feed.registry.register_post_attachments``)."""

    author = models.ForeignKey(Profile, related_name="posts", on_delete=models.CASCADE)
    body = models.TextField(max_length=POST_MAX_CHARS)
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Kept by the comment and reaction services, so that a list of posts counts nothing.
    comment_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["author", "-id"], name="post_author_newest")]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:40]}"


class Comment(models.Model):
    post = models.ForeignKey(Post, related_name="comments", on_delete=models.CASCADE)
    author = models.ForeignKey(Profile, related_name="comments", on_delete=models.CASCADE)
    body = models.TextField(max_length=COMMENT_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["post", "id"], name="comment_post_order")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.post_id}: {self.body[:40]}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("Like")

    post = models.ForeignKey(Post, related_name="reactions", on_delete=models.CASCADE)
    person = models.ForeignKey(Profile, related_name="reactions", on_delete=models.CASCADE)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.LIKE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="one_reaction_per_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.post_id}"


class Reach(models.TextChoices):
    FOLLOWERS = "followers", _("Followers")
    CONNECTIONS = "connections", _("Connections")


class Activity(models.Model):
    """Something that happened, as the feed shows it: ``actor`` ``verb`` ``object``.

    Ids are allocated in time order, so an id is the activity's Redis score and the feed's
    cursor. ``visibility`` follows the object's (a post's, an album's) and decides who may
    see the activity. ``fanned_out_at`` is set once the fan-out has written it into every
    timeline (or marked ``merged_on_read``); a periodic task re-drives the ones that stalled.
    A removed activity keeps its
    row with ``removed_at`` set, so that a late fan-out can tell it must not write it.
    """

    id = models.BigAutoField(primary_key=True)
    actor = models.ForeignKey(Profile, related_name="activities", on_delete=models.CASCADE)
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    # Whose feeds it enters: the actor's followers (who may see it), or only those followers
    # who are also the actor's connections (news meant for one's own people, such as
    # ``left_company``).
    reach = models.CharField(max_length=12, choices=Reach.choices, default=Reach.FOLLOWERS)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    # Its actor had more than FEED_FANOUT_LIMIT followers when it was fanned out: it is in no
    # follower's timeline, and every follower's feed merges it when read.
    merged_on_read = models.BooleanField(default=False)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Raised by every change to what the activity shows (an edit, a visibility change, a photo
    # ready, captioned or gone, an album renamed): cached renders are keyed by it
    # (``feed/pages.py``), so a change is never served from a stale render.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["actor", "-id"], name="activity_actor_newest"),
            models.Index(fields=["object_type", "object_id"], name="activity_object"),
            models.Index(fields=["-id"], condition=Q(merged_on_read=True), name="activity_merged_on_read"),
            models.Index(
                fields=["created_at"],
                condition=Q(fanned_out_at__isnull=True, removed_at__isnull=True),
                name="activity_fanout_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_id} {self.verb} {self.object_type}:{self.object_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment on your post")
        REACTION = "reaction", _("Reaction to your post")
        MENTION = "mention", _("Mention")
        CONNECTION_REQUEST = "connection_request", _("Connection request")
        CONNECTION_ACCEPTED = "connection_accepted", _("Connection accepted")

    recipient = models.ForeignKey(Profile, related_name="notifications", on_delete=models.CASCADE)
    actor = models.ForeignKey(Profile, related_name="+", on_delete=models.CASCADE)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    post = models.ForeignKey(Post, null=True, blank=True, related_name="+", on_delete=models.CASCADE)
    comment = models.ForeignKey(Comment, null=True, blank=True, related_name="+", on_delete=models.CASCADE)
    connection_request_id = models.BigIntegerField(null=True, blank=True)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_newest"),
            models.Index(fields=["recipient"], condition=Q(read=False), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
