"""The exit kit's lifecycle: asking for an archive, building it, and ending it.

The exit kit is an archive of one's own posts, comments, connections and photos, for
everyone (employees too, not only alumni). What goes in is :mod:`exports.archive`'s table;
how it is downloaded is :mod:`exports.links`. This module decides when an archive exists.

It holds only what the person may still see, by the same audience rule as everything else:
an alumnus's own former ``company`` posts and albums are not in it, because what was said
inside the company stays inside it once a person has left. So an archive belongs to the
employment status it was built under (``DataExport.built_as``). When the status changes
(offboarding, rehire: ``profiles.signals.access_changed``, see ``exports.receivers``), every
archive of the person stops opening and its file is deleted (:func:`exports_revoke`); a link
is checked against the owner's status again when it is opened, and a build that was running
across the change is thrown away when it finishes.

The archive is built by a Celery job (``exports.tasks.build_export``, on the ``media`` queue
beside the image work) into a temporary file and stored through ``default_storage`` under a
random name; it is downloaded through a signed link that works for ``EXPORT_LINK_SECONDS``,
only for its owner, while the archive lives (``EXPORT_TTL_DAYS``).

Settings (in socialblue/settings.py, from the environment):

* ``EXPORT_TTL_DAYS`` (7): how long a ready archive can be downloaded before it is deleted.
* ``EXPORT_LINK_SECONDS`` (3600): how long one download link works.
* ``EXPORT_MIN_INTERVAL_SECONDS`` (600): at most one new export per person in this time.
* ``EXPORT_TIME_LIMIT_SECONDS`` (1800): the build's soft time limit; a build still pending or
  running after twice this is taken for lost (its task never ran or its worker died).
"""

import logging
import math
import os
import secrets
import tempfile
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from exports.archive import Archive, ExportFailed, chunks, write_archive
from exports.models import DataExport
from profiles.models import Profile
from socialblue.errors import Throttled

logger = logging.getLogger(__name__)

EXPORT_TIME_LIMIT_SECONDS: int = settings.EXPORT_TIME_LIMIT_SECONDS
ACTIVE = (DataExport.Status.PENDING, DataExport.Status.RUNNING)


def export_ttl() -> timedelta:
    """How long a ready archive lives (``EXPORT_TTL_DAYS``)."""
    return timedelta(days=settings.EXPORT_TTL_DAYS)


def export_min_interval() -> timedelta:
    return timedelta(seconds=settings.EXPORT_MIN_INTERVAL_SECONDS)


def _stale_after() -> timedelta:
    return timedelta(seconds=2 * EXPORT_TIME_LIMIT_SECONDS)


# --- Asking for one -------------------------------------------------------------------------


def export_request(*, profile: Profile, now: datetime | None = None) -> DataExport:
    """Start building the person's archive, or return the one already on its way.

    One export at a time per person, and at most one new one per ``EXPORT_MIN_INTERVAL_SECONDS``
    (``Throttled`` otherwise): an archive reads everything the person ever wrote and copies
    every photo, so it is not something to start on every click. The build is queued once the
    request commits. ``now`` (default: the current time) is when the request is made.
    """
    from exports import tasks

    now = now or timezone.now()
    with transaction.atomic():
        # Two clicks at once must not start two builds: requests of one person take turns.
        status = Profile.objects.select_for_update().filter(pk=profile.pk).values_list("status", flat=True)[0]
        latest = DataExport.objects.filter(profile=profile).first()
        if latest is not None and latest.status in ACTIVE:
            if latest.created_at > now - _stale_after():
                return latest
            # Its task was never delivered, or its worker died for good: let the person
            # start again rather than wait forever.
            _mark_failed(latest.pk, "The export did not finish; start a new one.")
        if latest is not None:
            wait = (latest.created_at + export_min_interval() - now).total_seconds()
            if wait > 0:
                minutes = math.ceil(wait / 60)
                raise Throttled(
                    f"You can start a new export in {minutes} minute{'s' if minutes != 1 else ''}.",
                    retry_after=math.ceil(wait),
                )
        export = DataExport.objects.create(profile=profile, built_as=status)
        # Robust: once committed, a broker outage must not turn the request into a 500; an
        # export whose task never ran is taken for lost after a while (see above).
        transaction.on_commit(lambda: tasks.build_export.delay(export.pk), robust=True)
    return export


# --- Building it ----------------------------------------------------------------------------


def export_build(*, export_id: int) -> DataExport | None:
    """Build the archive of a pending export, store it and mark the export ready (or failed,
    with the reason the person is shown).

    Safe to run twice: an export that is already ready or failed is left alone, and of two
    builds running at once only the first to finish keeps its archive. The database being
    away (``OperationalError``) is raised for the task to retry; any other fault fails the
    export instead of the task.
    """
    export = _claim(export_id)
    if export is None:
        return None
    try:
        name, size = _store(export)
    except OperationalError:
        raise
    except ExportFailed as exc:
        return _mark_failed(export.pk, str(exc))
    except SoftTimeLimitExceeded:
        return _mark_failed(export.pk, "The export took too long; try again later.")
    except Exception:
        logger.exception("export %s could not be built", export.pk)
        return _mark_failed(export.pk, "The export could not be built; try again later.")
    try:
        return _mark_ready(export, name=name, size=size)
    except BaseException:
        default_storage.delete(name)
        raise


def _claim(export_id: int) -> DataExport | None:
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update(of=("self",))
            .select_related("profile__user")
            .filter(pk=export_id, status__in=ACTIVE)
            .first()
        )
        if export is None:
            return None
        # Running already: a build whose worker died is delivered again, and starts over.
        export.status = DataExport.Status.RUNNING
        export.progress = 0
        # What the build reads is what the person may see now (a leave may have come since
        # the request).
        export.built_as = export.profile.status
        export.save(update_fields=["status", "progress", "built_as"])
    return export


def _mark_failed(export_id: int, reason: str) -> DataExport | None:
    DataExport.objects.filter(pk=export_id, status__in=ACTIVE).update(
        status=DataExport.Status.FAILED, error=reason[:300], finished_at=timezone.now()
    )
    return DataExport.objects.filter(pk=export_id).first()


def _mark_ready(export: DataExport, *, name: str, size: int) -> DataExport | None:
    now = timezone.now()
    with transaction.atomic():
        # The owner's row first, as the offboarding and rehire services lock it: either the
        # change of status commits first and is seen here, or it waits for this to commit and
        # then revokes the archive (``exports_revoke``). A build never outlives the status it
        # was built under.
        status = (
            Profile.objects.select_for_update(no_key=True)
            .filter(pk=export.profile_id)
            .values_list("status", flat=True)
            .first()
        )
        current = DataExport.objects.select_for_update().filter(pk=export.pk).first()
        if current is None or current.status != DataExport.Status.RUNNING:
            # Finished by another delivery of the same task, or taken for lost meanwhile.
            transaction.on_commit(lambda: default_storage.delete(name), robust=True)
            return current
        if status != current.built_as:
            transaction.on_commit(lambda: default_storage.delete(name), robust=True)
            return _mark_failed(
                current.pk, "Your employment status changed while the archive was built; start a new export."
            )
        current.status = DataExport.Status.READY
        current.progress = 100
        current.file = name
        current.size = size
        current.error = ""
        current.finished_at = now
        current.expires_at = now + export_ttl()
        current.save()
        # One archive per person: the previous one stops working now.
        _retire(DataExport.objects.filter(profile_id=current.profile_id).exclude(pk=current.pk), now=now)
    return current


def _store(export: DataExport) -> tuple[str, int]:
    """Write the archive into a temporary file, then store it; its storage name and size."""
    with tempfile.TemporaryFile(suffix=".zip") as tmp:
        with Archive(tmp, when=timezone.now()) as archive:
            write_archive(export, archive)
        size = tmp.seek(0, os.SEEK_END)
        tmp.seek(0)
        try:
            name = default_storage.save(f"exports/{secrets.token_hex(16)}.zip", File(tmp, name="export.zip"))
        except OSError as exc:
            raise ExportFailed("The archive could not be stored; try again later.") from exc
    return name, size


# --- Ending it ------------------------------------------------------------------------------


def exports_revoke(*, profile: Profile) -> int:
    """Every archive of the person stops opening now, and its file is deleted once this
    commits; the number of archives. For a change of the person's employment status: an
    archive holds what they could see when it was built."""
    with transaction.atomic():
        return _retire(DataExport.objects.filter(profile=profile), now=timezone.now())


def _retire(exports: QuerySet, *, now: datetime) -> int:
    """Inside a transaction: the stored archives among ``exports`` expire now, and their files
    go once it commits (or, should that fail, with the periodic clean-up, which finds them by
    their ``expires_at``)."""
    stored = exports.filter(status=DataExport.Status.READY).exclude(file="")
    stale = list(stored.select_for_update().order_by("pk").values_list("pk", "file"))
    stored.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).update(expires_at=now)
    for pk, name in stale:
        transaction.on_commit(lambda pk=pk, name=name: _discard_archive(pk, name), robust=True)
    return len(stale)


def _discard_archive(export_id: int, name: str) -> None:
    # The file first, then the row: if the delete fails, the row still names the file and the
    # next clean-up tries again.
    default_storage.delete(name)
    DataExport.objects.filter(pk=export_id, file=name).update(file="")


def exports_expire(*, now: datetime | None = None) -> int:
    """Delete the files of expired archives (and give up on builds lost for good); the number
    of files deleted. For a periodic task; running it twice is harmless."""
    now = now or timezone.now()
    DataExport.objects.filter(status__in=ACTIVE, created_at__lt=now - _stale_after()).update(
        status=DataExport.Status.FAILED,
        error="The export did not finish; start a new one.",
        finished_at=now,
    )
    # Built under another status than the owner's now: its revocation may not have run.
    expired = DataExport.objects.filter(Q(expires_at__lte=now) | ~Q(built_as=F("profile__status")))
    expired = expired.exclude(file="")
    deleted = 0
    for chunk in chunks(expired.only("id", "file")):
        for export in chunk:
            try:
                _discard_archive(export.pk, export.file)
            except Exception:
                # One file that storage refuses to delete must not keep the others; the
                # row still names it, so the next run tries again.
                logger.exception("archive of export %s could not be deleted", export.pk)
                continue
            deleted += 1
    return deleted
