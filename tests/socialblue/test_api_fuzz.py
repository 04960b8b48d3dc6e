"""Fuzzing the whole API from its own OpenAPI schema.

Schemathesis reads the schema that drf-spectacular generates in this process and, for every
operation, sends requests built from it: the documented examples, boundary values of every
parameter (the "coverage" phase) and random valid and invalid inputs. Every answer must be
something the schema promised: never a 5xx, a status code the operation documents, a body of
the documented shape, and a 4xx for input the schema rules out.

It runs against Django's own WSGI handler in this process (the same URLs, middleware and
views as the ASGI server, without a socket), on PostgreSQL and Redis, as Ana, an employee,
signed in with a token, inside the test's transaction: nothing the fuzzer writes outlives
it. A fixed seed and a bounded number of examples keep it repeatable and under two minutes on
a small machine.

No operation is left out. Each case gets a token of its own, revoked after it, so sign-out,
sign-out everywhere and revoking a token by id are fuzzed like the rest without ending the
session the next case needs; offboarding and rehiring need HR, which Ana is not, so they are
refused (403) and change nothing. What the fuzzer found is kept as plain regression tests, one
per finding, in ``test_bad_input.py``.
"""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.core import NOT_SET

from profiles.models import DeviceToken

# Examples per operation and phase. Enough to reach every parameter's boundaries (the
# coverage phase adds those deterministically) while the whole run stays under two minutes.
MAX_EXAMPLES = 6

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261129,
        "suppress-health-check": ["all"],
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            # The fuzzer's example database would make one run depend on the last.
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
        },
    }
)


def _openapi() -> dict:
    """The schema exactly as ``/api/schema/`` serves it, as plain JSON."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)
schema.app = WSGIHandler()


@pytest.fixture(autouse=True)
def _company(db, ana, marco, priya, media_root, eager_tasks, fresh_timelines, settings):
    """Ana and two colleagues, files in a temporary MEDIA_ROOT, real Redis timelines, and any
    task sent run in this process rather than left on the broker."""
    settings.ALLOWED_HOSTS = ["*"]
    # The general rate limit would answer most of the run with 429s (documented, but they
    # test nothing); its own tests are in test_rate_limits.py.
    for name in ("API_RATE_READ", "API_RATE_WRITE", "API_RATE_UPLOAD"):
        setattr(settings, name, "1000000/5m")
    # As Django's test client does: a request must not close the connection that holds the
    # test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# DRF reads a JSON number sent for text as that text, and 0 or 1 sent for a yes/no as false or
# true, by design: such a body is coerced, not misread. So "input the schema rules out is
# refused" is checked for the URL (paths and queries: pages, limits, cursors, ids) but not for
# bodies; a body is still held to every other check (no 5xx, a documented status, the
# documented shape), and the bounds of numbers in bodies by test_bad_input.py.
BODY_TYPES_ARE_COERCED = schemathesis.checks.CHECKS.get_by_names(["negative_data_rejection"])


@schema.parametrize()
def test_every_answer_is_one_the_schema_promised(case, ana):
    token, key = DeviceToken.objects.create(user=ana.user)
    try:
        case.call_and_validate(
            headers={"Authorization": f"Token {key}"},
            excluded_checks=BODY_TYPES_ARE_COERCED if case.body is not NOT_SET else None,
        )
    finally:
        DeviceToken.objects.filter(pk=token.pk).delete()
