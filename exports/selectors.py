"""Reads of the exit kit: a person's latest export, and what state it is in for them now."""

from datetime import datetime

from django.utils import timezone

from exports.models import DataExport
from profiles.models import Profile

# What a person is shown: the export's own status, or ``expired`` for a ready archive whose
# time is up or whose owner's employment status changed since it was built (its file is
# deleted, or soon will be).
EXPORT_STATES = [*DataExport.Status.values, "expired"]


def export_latest(*, profile: Profile) -> DataExport | None:
    """The person's most recent export, whatever its state."""
    return DataExport.objects.select_related("profile").filter(profile=profile).first()


def export_is_expired(export: DataExport, *, now: datetime | None = None) -> bool:
    """A ready archive past its ``expires_at``, or built under another employment status than
    its owner's now (its file is deleted, or soon will be). ``export.profile`` is read: load
    it with the export."""
    return export.status == DataExport.Status.READY and (
        not export.file
        or (export.expires_at is not None and export.expires_at <= (now or timezone.now()))
        or export.built_as != export.profile.status
    )


def export_state(export: DataExport, *, now: datetime | None = None) -> str:
    """One of :data:`EXPORT_STATES`: what the export's owner is told about it."""
    return "expired" if export_is_expired(export, now=now) else export.status
