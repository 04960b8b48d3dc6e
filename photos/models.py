"""Photo albums: albums, photos and their files, the batches the feed tells about, and the
photos a post carries."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feed.models import Post
from profiles.models import Profile, Visibility


class Album(models.Model):
    owner = models.ForeignKey(Profile, related_name="albums", on_delete=models.CASCADE)
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    cover = models.ForeignKey("Photo", null=True, blank=True, related_name="+", on_delete=models.SET_NULL)
    # The album that holds the photos a person attached to posts of one visibility (one per
    # visibility, made on first use by ``services.post_photos_album``); it can be renamed.
    for_posts = models.BooleanField(default=False)
    # Kept by the photo services: ready photos only, so an album card counts nothing.
    photo_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-id"], name="album_owner_newest")]

    def __str__(self) -> str:
        return self.title


class PhotoBatch(models.Model):
    """Photos one person added to one album within FEED_AGGREGATE_WINDOW: one ``added_photos``
    activity in the feed, updated as the batch grows."""

    album = models.ForeignKey(Album, related_name="batches", on_delete=models.CASCADE)
    uploader = models.ForeignKey(Profile, related_name="+", on_delete=models.CASCADE)
    activity_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"batch {self.pk} of album {self.album_id}"


def _random_name() -> str:
    import uuid

    return uuid.uuid4().hex


class Photo(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    album = models.ForeignKey(Album, related_name="photos", on_delete=models.CASCADE)
    uploader = models.ForeignKey(Profile, related_name="photos", on_delete=models.CASCADE)
    batch = models.ForeignKey(
        PhotoBatch, null=True, blank=True, related_name="photos", on_delete=models.SET_NULL
    )
    caption = models.CharField(max_length=500, blank=True)
    alt_text = models.CharField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    error = models.CharField(max_length=300, blank=True)
    # The random stem of every stored file of this photo; never the uploader's file name.
    key = models.CharField(max_length=32, default=_random_name, unique=True, editable=False)
    # The upload as received, kept until processing has written the clean files.
    incoming = models.CharField(max_length=200, blank=True)
    original = models.CharField(max_length=200, blank=True)
    medium = models.CharField(max_length=200, blank=True)
    thumb = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    blurhash = models.CharField(max_length=60, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["album", "position", "id"], name="photo_album_order")]

    def __str__(self) -> str:
        return f"photo {self.pk} in album {self.album_id}"

    def stored_files(self) -> list[str]:
        return [name for name in (self.incoming, self.original, self.medium, self.thumb) if name]


class PostPhoto(models.Model):
    """A photo a status update carries."""

    post = models.ForeignKey(Post, related_name="+", on_delete=models.CASCADE)
    photo = models.ForeignKey(Photo, related_name="+", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "photo"], name="photo_once_per_post")]

    def __str__(self) -> str:
        return f"photo {self.photo_id} on post {self.post_id}"
