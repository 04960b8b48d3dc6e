"""Employment history, alumni profiles and the record of every offboarding and rehire."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from profiles.models import Department, Profile

MAX_LINKS = 5


class EmploymentPeriod(models.Model):
    """One stretch of work at the company. The open period (no ``end``) is today's job; closed
    ones drive the alumni directory and former-colleague suggestions, and survive rehires."""

    profile = models.ForeignKey(Profile, related_name="employment_periods", on_delete=models.CASCADE)
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text=_("Last day; empty while employed."))
    department = models.ForeignKey(
        Department, null=True, blank=True, related_name="employment_periods", on_delete=models.SET_NULL
    )
    title = models.CharField(max_length=160, blank=True)
    manager = models.ForeignKey(
        Profile, null=True, blank=True, related_name="managed_periods", on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["profile", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"], condition=Q(end__isnull=True), name="one_open_period"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="period_order"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "start"], name="period_department_start"),
            models.Index(fields=["manager", "start"], name="period_manager_start"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.start} – {self.end or '…'}"


class AlumniProfile(models.Model):
    """What an alumnus tells former colleagues about life after the company."""

    profile = models.OneToOneField(
        Profile, primary_key=True, related_name="alumni_profile", on_delete=models.CASCADE
    )
    current_company = models.CharField(max_length=120, blank=True)
    current_title = models.CharField(max_length=160, blank=True)
    links = models.JSONField(default=list, blank=True, help_text=_("Up to 5 http(s) URLs."))
    listed = models.BooleanField(default=False, help_text=_("Shown in the alumni directory (opt-in)."))
    open_to_rehire = models.BooleanField(default=False)
    announce_departure = models.BooleanField(
        default=True, help_text=_("Tell my connections when I leave (a left_company item).")
    )
    # Kept by the offboarding service for the directory's filters: the last day of the most
    # recent period, and that period's department.
    left_on = models.DateField(null=True, blank=True, db_index=True)
    former_department = models.ForeignKey(
        Department, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["listed", "left_on"], name="alumni_listed_left")]

    def __str__(self) -> str:
        return f"alumni profile of {self.profile_id}"


# A decision that has not happened yet: neither applied nor called off.
WAITING = Q(applied_at__isnull=True, cancelled_at__isnull=True)


class EmploymentEventQuerySet(models.QuerySet):
    def pending_leaves(self) -> "EmploymentEventQuerySet":
        """Offboardings that wait for their day: the periodic task applies them, a new
        decision replaces them, and their personal email is promised to their person."""
        return self.filter(WAITING, action=EmploymentEvent.Action.OFFBOARD)


class EmploymentEvent(models.Model):
    """The audit record of one offboarding or rehire: who did what, when, through which way
    in. An offboarding with a leave date in the future waits here (``applied_at`` empty) until
    the periodic task applies it on that day."""

    class Action(models.TextChoices):
        OFFBOARD = "offboard", _("Offboard")
        REHIRE = "rehire", _("Rehire")

    class Source(models.TextChoices):
        API = "api", _("API")
        ADMIN = "admin", _("Django admin")
        SYNC_HR = "sync_hr", _("HR file")
        SCHEDULE = "schedule", _("Scheduled")
        WEB = "web", _("Web pages")

    profile = models.ForeignKey(Profile, related_name="employment_events", on_delete=models.CASCADE)
    action = models.CharField(max_length=10, choices=Action.choices)
    effective_on = models.DateField()
    personal_email = models.EmailField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Who called a waiting leave off (empty: a later decision replaced it, or the HR file did).
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )

    objects = EmploymentEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["effective_on"],
                condition=WAITING,
                name="employment_event_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.profile_id} on {self.effective_on}"

    @property
    def pending(self) -> bool:
        """:data:`WAITING`, for one loaded record."""
        return self.applied_at is None and self.cancelled_at is None
