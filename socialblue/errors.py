"""Errors that services raise and the API turns into JSON 4xx answers.

Services stay free of HTTP, but say what went wrong in terms a client can show; the API's
exception handler (``socialblue.api.exception_handler``) maps each one to its status.
"""


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, detail, *, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}

    def text(self) -> str:
        """The error as one line, for reports and admin messages (field errors as
        ``field: message``)."""
        if not isinstance(self.detail, dict):
            return str(self.detail)
        parts = []
        for name, messages in self.detail.items():
            text = " ".join(map(str, messages)) if isinstance(messages, list | tuple) else str(messages)
            parts.append(text if name == "detail" else f"{name}: {text}")
        return "; ".join(parts)


class Invalid(ServiceError):
    """Bad input: ``detail`` is a message or a dict of field errors (400)."""


class Forbidden(ServiceError):
    """The person is known and may see the object, but may not do this to it (403)."""

    status = 403
    code = "permission_denied"


class NotFound(ServiceError):
    """Missing, or hidden from this viewer: the same answer for both (404)."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The object is in a state that does not allow this (409)."""

    status = 409
    code = "conflict"


class Gone(ServiceError):
    """It existed but is no longer available: an expired link or archive (410)."""

    status = 410
    code = "gone"


class Throttled(ServiceError):
    """Too many attempts; ``retry_after`` seconds until the next one is allowed (429)."""

    status = 429
    code = "throttled"

    def __init__(self, detail, *, retry_after: int):
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """A backing service (database, Redis, broker) is down: try again shortly (503). Raised
    where a feature must fail closed rather than carry on without the service."""

    status = 503
    code = "unavailable"

    def __init__(
        self, detail="The service is briefly unavailable. Try again shortly.", *, retry_after: int = 5
    ):
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after
