"""People and the social graph: profiles, departments, offices, skills, follows, connections."""

import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ProfileStatus(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    ALUMNUS = "alumnus", _("Alumnus")


class Visibility(models.TextChoices):
    """Who may see a piece of content; the rule itself is in ``profiles.audience``."""

    COMPANY = "company", _("Company")
    NETWORK = "network", _("Network")
    CONNECTIONS = "connections", _("Connections")


class Department(models.Model):
    """A node of the department tree.

    ``path`` is the chain of ids from the root (``/1/4/9/``) so that "this department and
    everything below it" is one indexed prefix match, whatever the depth.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            Department.objects.filter(pk=self.pk).update(path=path)
            if old:
                # Moving a subtree: rewrite the prefix of every descendant.
                for child in Department.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    Department.objects.filter(pk=child.pk).update(path=path + child.path[len(old) :])


class Office(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2 country code"))

    class Meta:
        ordering = ["country", "city", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.country})"


SKILL_SLUG_MAX = 60
# Marks that tell skills apart ("C", "C++" and "C#" are three skills); any other mark only
# separates words ("Node.js" and "node js" are one skill, "UX/UI" and "UX UI" too).
SKILL_SYMBOLS = {"+": " plus ", "#": " sharp ", "&": " and "}


def _skill_letter(char: str) -> str:
    """A letter with its accents dropped if that leaves plain ASCII ("é" is "e"); any other
    script's letters as they are (dropping a Devanagari or Greek mark would change a word)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if unicodedata.category(c) != "Mn")
    return bare if bare.isascii() and bare.isalnum() else char


def skill_slug(name: str) -> str:
    """The key of a skill, made from its name (or from its slug, which it leaves as it is).

    The profile service stores skills under it and the directory looks them up by it, so the
    link a skill tag carries (its name) finds everyone who has that skill. Case, accents,
    spacing and punctuation do not count, except the symbols above; letters of every script
    do (a skill written in Japanese or Hindi is kept, not dropped)."""
    text = "".join(SKILL_SYMBOLS.get(char, char) for char in unicodedata.normalize("NFC", name))
    letters = [
        _skill_letter(char) if char.isalnum() or unicodedata.category(char).startswith("M") else " "
        for char in text
    ]
    return "-".join("".join(letters).lower().split())[:SKILL_SLUG_MAX].strip("-")


class Skill(models.Model):
    """A skill people list on their profile; ``slug`` is :func:`skill_slug` of the name."""

    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=SKILL_SLUG_MAX, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def search_text_for(*, display_name: str, username: str, headline: str, skill_names: Iterable[str]) -> str:
    """What the directory search matches for one person: name, username, title and skills,
    lower-cased and joined by spaces (blank parts left out)."""
    parts = [display_name, username, headline, *skill_names]
    return " ".join(p for p in parts if p).lower()


def avatar_upload_to(instance: "Profile", filename: str) -> str:
    # The caller names the file with a random id; the user's file name is never used.
    return f"avatars/{filename}"


class Profile(models.Model):
    """One per user, created with the user however the user was created."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, related_name="profile", on_delete=models.CASCADE
    )
    display_name = models.CharField(max_length=120)
    headline = models.CharField(_("headline / title"), max_length=160, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    location = models.CharField(
        max_length=120, blank=True, help_text=_("Where the person is, in their own words; public.")
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="profiles")
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    status = models.CharField(
        max_length=10, choices=ProfileStatus.choices, default=ProfileStatus.EMPLOYEE, db_index=True
    )

    # Internal fields: shown to employees only (see profiles.audience).
    department = models.ForeignKey(
        Department, null=True, blank=True, related_name="members", on_delete=models.SET_NULL
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, related_name="members", on_delete=models.SET_NULL
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, related_name="reports", on_delete=models.SET_NULL
    )
    work_phone = models.CharField(max_length=40, blank=True)
    # Where an alumnus signs in and is written to; seen by the person and HR only.
    personal_email = models.EmailField(blank=True, db_index=True)
    hire_date = models.DateField(null=True, blank=True)

    last_active_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Kept by the graph services so that a profile view counts nothing.
    follower_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    connection_count = models.PositiveIntegerField(default=0)
    # Lower-cased name, username, headline and skills: what the directory search matches
    # (trigram-indexed on PostgreSQL). Rebuilt by Profile.refresh_search_text().
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        permissions = [("manage_employment", "Can offboard and rehire people (HR)")]
        indexes = [models.Index(fields=["status", "display_name"], name="profile_status_name")]
        constraints = [
            # One person per personal address: it is what an alumnus signs in with.
            models.UniqueConstraint(
                Lower("personal_email"), condition=~Q(personal_email=""), name="personal_email_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} (@{self.username})"

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def is_employee(self) -> bool:
        return self.status == ProfileStatus.EMPLOYEE

    @property
    def is_alumnus(self) -> bool:
        return self.status == ProfileStatus.ALUMNUS

    def build_search_text(self, skill_names: list[str] | None = None) -> str:
        if skill_names is None:
            skill_names = [s.name for s in self.skills.all()] if self.pk else []
        return search_text_for(
            display_name=self.display_name,
            username=self.user.username,
            headline=self.headline,
            skill_names=skill_names,
        )

    def refresh_search_text(self) -> None:
        self.search_text = self.build_search_text()
        Profile.objects.filter(pk=self.pk).update(search_text=self.search_text)


class Follow(models.Model):
    """One person follows another: instant and one-way."""

    follower = models.ForeignKey(Profile, related_name="following_set", on_delete=models.CASCADE)
    followee = models.ForeignKey(Profile, related_name="follower_set", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="follow_not_self"),
        ]
        # The fan-out reads a followee's followers in follower order (keyset pagination).
        indexes = [models.Index(fields=["followee", "follower"], name="follow_followee_follower")]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.followee_id}"


class Connection(models.Model):
    """A mutual connection, stored as two rows (one per side) so that "my connections" and
    "is the viewer connected to the author" are single indexed lookups."""

    profile = models.ForeignKey(Profile, related_name="connection_set", on_delete=models.CASCADE)
    other = models.ForeignKey(Profile, related_name="+", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "other"], name="connection_once"),
            models.CheckConstraint(condition=~Q(profile=F("other")), name="connection_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} ↔ {self.other_id}"


class ConnectionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    sender = models.ForeignKey(Profile, related_name="sent_requests", on_delete=models.CASCADE)
    receiver = models.ForeignKey(Profile, related_name="received_requests", on_delete=models.CASCADE)
    message = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "receiver"],
                condition=Q(status="pending"),
                name="one_pending_request_per_pair",
            ),
            models.CheckConstraint(condition=~Q(sender=F("receiver")), name="request_not_self"),
        ]
        indexes = [models.Index(fields=["receiver", "status"], name="request_receiver_status")]

    def __str__(self) -> str:
        return f"{self.sender_id} → {self.receiver_id} ({self.status})"


class DeviceToken(AbstractAuthToken):
    """A sign-in token for one device (knox: stored as a hash, expiring, revocable)."""

    # An integer id for the API (``DELETE auth/tokens/{id}/``); the digest stays unique.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    device = models.CharField(max_length=120, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
