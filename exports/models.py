"""The exit kit's one record: a person's archive, from the request to the file's deletion."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.models import Profile, ProfileStatus


class DataExport(models.Model):
    """One person's exit kit: an archive of what they wrote and may still see, built by a
    Celery job and downloadable for a while.

    What the archive holds depends on the owner's employment status (an employee's holds
    their ``company`` posts and albums, an alumnus's does not), so it records the status it
    was built under and opens only while its owner still has that status.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    profile = models.ForeignKey(Profile, related_name="exports", on_delete=models.CASCADE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    file = models.CharField(max_length=200, blank=True, help_text=_("Storage name of the archive."))
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # Empty on archives from before this was recorded: they open for no one.
    built_as = models.CharField(
        max_length=10,
        choices=ProfileStatus.choices,
        blank=True,
        help_text=_("The owner's employment status when the archive was built."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The exit kit began in the alumni app; its rows stayed where they were when the
        # model moved here (exports/migrations/0001_initial.py).
        db_table = "alumni_dataexport"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.profile_id} ({self.status})"
