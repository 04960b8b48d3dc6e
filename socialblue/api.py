"""Shared API bits: authentication, pagination and the JSON error format."""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from socialblue.errors import ServiceError, Throttled, Unavailable
from socialblue.fields import PAGE_MAX, whole_number
from socialblue.images import ImageRejected
from socialblue.outages import RETRY_AFTER_SECONDS, is_outage

# --- Pagination -----------------------------------------------------------------------------


class LimitedPageNumberPagination(BasePagination):
    """``{"results": [...], "next": url|null, "previous": url|null}``, ``?page=`` and
    ``?limit=`` (at most 100). It counts nothing: one query per page, whatever the total."""

    default_limit = 20
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = parse_limit(request, default=self.default_limit, maximum=self.max_limit)
        # A page past the end is an empty page; past PAGE_MAX, or not a page at all, a 400.
        self.page = whole_number(
            request.query_params.get("page"), name="page", minimum=1, maximum=PAGE_MAX, default=1
        )
        offset = (self.page - 1) * self.limit
        rows = list(queryset[offset : offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        has_next = self.has_next and self.page < PAGE_MAX
        next_url = replace_query_param(url, "page", self.page + 1) if has_next else None
        previous_url = None
        if self.page > 1:
            previous_url = (
                remove_query_param(url, "page")
                if self.page == 2
                else replace_query_param(url, "page", self.page - 1)
            )
        return Response({"results": data, "next": next_url, "previous": previous_url})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_limit},
            },
        ]


def parse_limit(request, *, default: int, maximum: int) -> int:
    """``?limit=``: from 1 to ``maximum``, ``default`` when left out; otherwise a 400."""
    return whole_number(
        request.query_params.get("limit"), name="limit", minimum=1, maximum=maximum, default=default
    )


# --- Errors ---------------------------------------------------------------------------------


def exception_handler(exc, context):
    """Every error is JSON with at least ``detail`` or field errors, never a 500 for a client's
    mistake, and a 503 with ``Retry-After`` when a backing service is down."""
    if is_outage(exc) and not isinstance(exc, ServiceError):
        exc = Unavailable(retry_after=RETRY_AFTER_SECONDS)
    if isinstance(exc, ServiceError):
        detail = exc.detail
        body = detail if isinstance(detail, dict) else {"detail": str(detail), "code": exc.code}
        return Response(body, status=exc.status, headers=exc.headers)
    if isinstance(exc, ImageRejected):
        return Response({"detail": exc.detail, "code": exc.code}, status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "The request is too large.", "code": "too_large"}, status=413)
    if isinstance(exc, SuspiciousOperation):
        # Too many fields or files in one request, and the like: a client's mistake.
        return Response({"detail": str(exc) or "Bad request.", "code": "bad_request"}, status=400)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": response.data}
    return response


def login_lockout(request) -> Throttled:
    """The error for an account or address that has failed to sign in too often."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    seconds = max(1, math.ceil(cool_off.total_seconds())) if cool_off else 60
    return Throttled(
        f"Too many failed sign-in attempts. Try again in {math.ceil(seconds / 60)} minutes.",
        retry_after=seconds,
    )


def login_lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when a sign-in is refused (the admin's form included)."""
    error = login_lockout(request)
    if not request.path.startswith(("/api/", "/admin/")):
        # The web sign-in page says it in its own words, on the page.
        from django.shortcuts import render

        minutes = max(1, math.ceil(error.retry_after / 60))
        response = render(
            request,
            "frontend/signin.html",
            {
                "error": _("Too many failed attempts. Try again in %(n)d minute(s).") % {"n": minutes},
                "throttled": True,
                "login": (credentials or {}).get("username", ""),
            },
            status=error.status,
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    response = JsonResponse({"detail": error.detail, "code": error.code}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
