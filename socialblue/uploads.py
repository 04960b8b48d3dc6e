"""Uploads are bounded while they arrive, not after.

Django would spool any upload, however large, to a temporary file before a view could look
at its size. :class:`BoundedUploadHandler` stops reading a file part as soon as it passes
``UPLOAD_MAX_FILE_BYTES`` (the largest any upload may be), skips the rest of the request,
and marks the request so the view answers 413 (:func:`uploaded_files`).
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from socialblue.images import ImageRejected


class BoundedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_FILE_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data  # the next handlers (memory, temporary file) store it

    def file_complete(self, file_size):
        return None


def uploaded_files(request, field: str) -> list:
    """The files of a multipart field, or 413 if one was cut off for its size. ``request`` is
    Django's or DRF's (which wraps Django's)."""
    files = request.FILES.getlist(field)
    if getattr(getattr(request, "_request", request), "upload_too_large", False):
        limit = settings.UPLOAD_MAX_FILE_BYTES
        raise ImageRejected(f"A file is larger than {limit} bytes.", status=413, code="too_large")
    return files
