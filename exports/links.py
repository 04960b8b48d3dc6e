"""Signed download links of the exit kit: making them, and opening the archive through one.

An archive is downloaded through ``/api/v1/me/export/<id>/download/?signature=…``. The
signature is Django's ``TimestampSigner`` over the export's id and its owner's id, so a link
opens that archive for that person only, and only for ``EXPORT_LINK_SECONDS`` after it was
handed out: a link copied into a chat or a browser history stops working soon, while the
owner, signed in, can always ask for a fresh one. The owner must also be signed in to use it
(the API checks the viewer before the signature), so a link alone opens nothing.

Every function takes ``now`` (default: the current time), so the lifetime of a link is
checked with a moved clock rather than a wait.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from exports.models import DataExport
from exports.selectors import export_is_expired
from profiles.models import Profile
from socialblue.errors import Gone, NotFound

logger = logging.getLogger(__name__)

# Unchanged since the exit kit lived in the alumni app: links handed out before it moved
# still open.
SIGNING_SALT = "alumni.export.download"


def export_link_seconds() -> int:
    """How long one download link works (``EXPORT_LINK_SECONDS``)."""
    return settings.EXPORT_LINK_SECONDS


class _LinkSigner(signing.TimestampSigner):
    """``TimestampSigner`` on a clock that can be moved: the same links, signed and checked
    at ``now``."""

    def __init__(self, *, now: datetime | None = None):
        super().__init__(salt=SIGNING_SALT)
        self.at = (now or timezone.now()).timestamp()

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.at))

    def unsign(self, value: str, max_age: float | None = None) -> str:
        value, timestamp = signing.Signer.unsign(self, value).rsplit(self.sep, 1)
        age = self.at - signing.b62_decode(timestamp)
        if max_age is not None and age > max_age:
            raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return value


def _link_value(export: DataExport) -> str:
    return f"{export.pk}:{export.profile_id}"


def export_link_signature(*, export: DataExport, now: datetime | None = None) -> str:
    """The ``signature`` of a download link for this export, good for ``EXPORT_LINK_SECONDS``
    from ``now`` (the export id and its owner are signed, so it opens this archive for this
    person only)."""
    value = _link_value(export)
    return _LinkSigner(now=now).sign(value)[len(value) + 1 :]


def export_download_path(export: DataExport, *, now: datetime | None = None) -> str | None:
    """The signed download link (a path) of a ready, unexpired export; None otherwise."""
    if export.status != DataExport.Status.READY or export_is_expired(export, now=now):
        return None
    path = reverse("me-export-download", kwargs={"pk": export.pk})
    return path + "?" + urlencode({"signature": export_link_signature(export=export, now=now)})


@dataclass
class ExportDownload:
    file: File
    filename: str
    size: int


def export_open(
    *, profile: Profile, export_id: int, signature: str, now: datetime | None = None
) -> ExportDownload:
    """The person's ready archive, opened for reading, if the link's signature is theirs and
    current at ``now``: the same 404 for someone else's export, a missing one or a forged
    signature; 410 for a link or an archive that has expired."""
    export = DataExport.objects.select_related("profile__user").filter(pk=export_id, profile=profile).first()
    if export is None:
        raise NotFound("No such export.")
    try:
        _LinkSigner(now=now).unsign(f"{_link_value(export)}:{signature}", max_age=export_link_seconds())
    except signing.SignatureExpired:
        raise Gone("This download link has expired; GET /api/v1/me/export/ gives a new one.") from None
    except signing.BadSignature:
        raise NotFound("No such export.") from None
    if export.status != DataExport.Status.READY:
        raise NotFound("This export is not ready.")
    if export_is_expired(export, now=now):
        raise Gone("This archive has expired and was deleted; start a new export.")
    try:
        file = default_storage.open(export.file, "rb")
    except OSError:
        logger.exception("archive of export %s is missing", export.pk)
        raise Gone("This archive is no longer available; start a new export.") from None
    day = (export.finished_at or export.created_at).date().isoformat()
    return ExportDownload(
        file=file, filename=f"socialblue-{export.profile.user.username}-{day}.zip", size=export.size
    )
