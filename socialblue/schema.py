"""OpenAPI for drf-spectacular: the auth extension (loaded by ``SocialBlueConfig.ready()``) and
the schema class that documents the answers every operation shares.

Mobile clients generate code from the schema and the API fuzz test
(``tests/socialblue/test_api_fuzz.py``) holds every answer to it, so an answer the schema does
not list is a lie either way. Some answers do not belong to one view but to how the API works:
bad input is a 400, a missing or hidden object a 404, a throttled client a 429, a backing
service that is down a 503. They are written once, as the table below, instead of in each
view's ``extend_schema``; a view documents only what is its own (a 409, a 413, a 415) and its
own words win where it documents a shared status too.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_array_type
from rest_framework import serializers

from socialblue.fields import ID_MAX


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    target_class = "socialblue.authentication.TokenOrBearerAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`, from `POST /api/v1/auth/token/`.",
        }


# Every error body (socialblue.api.exception_handler): ``detail`` (with a ``code``) for the
# request as a whole, or field errors, each field's name with its messages.
ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` (and `code`) for the request as a whole, or each field's name with "
    "its messages.",
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "code": {"type": "string"},
    },
}


def _takes_input(operation: dict, view) -> bool:
    return "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", []))


def _signed_in_only(operation: dict, view) -> bool:
    security = operation.get("security", [])
    return bool(security) and {} not in security


def _names_an_object(operation: dict, view) -> bool:
    return any(p["in"] == "path" for p in operation.get("parameters", []))


def _throttled(operation: dict, view) -> bool:
    return bool(view.throttle_classes)


def _always(operation: dict, view) -> bool:
    return True


# status: (whether an operation can give it, what it means there)
SHARED_ANSWERS = {
    "400": (_takes_input, "Bad input: field errors, or a malformed parameter"),
    "401": (_signed_in_only, "Not signed in, or the token is expired or revoked"),
    "403": (_signed_in_only, "Signed in, but not allowed to do this"),
    "404": (_names_an_object, "No such object, or one the viewer may not see"),
    "429": (_throttled, "Too many requests; see Retry-After"),
    "503": (_always, "A backing service is briefly down; see Retry-After"),
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the shared answers of ``SHARED_ANSWERS`` and the error
    body on every 4xx and 5xx."""

    def map_parsers(self):
        # The API speaks JSON, and multipart where a view takes files (API.md); the form
        # encodings DRF also parses are there for the browsable API, not for clients.
        media_types = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    def _map_basic_serializer(self, serializer, direction):
        # An answer carries every field of its serializer, a default or a null included: a
        # field that is optional in a request is never missing from a response, and a client
        # generated from the schema should not have to treat it as maybe absent.
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and schema.get("properties"):
            schema["required"] = list(schema["properties"])
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # A post's attachment fields (photos) are filled by the app that registered them
        # (feed.registry), rendered with that app's serializer: the schema says so, without
        # feed importing the app.
        if isinstance(field, serializers.SerializerMethodField) and direction == "response":
            from feed.registry import post_attachments
            from feed.serializers import PostSerializer

            on_a_post = isinstance(field.parent, PostSerializer)
            attachments = post_attachments(field.field_name) if on_a_post else None
            if attachments is not None and attachments.serializer is not None:
                component = self.resolve_serializer(attachments.serializer, direction)
                return {**build_array_type(component.ref), "readOnly": True}
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_paginator(self):
        # Only reads are paginated: a write that answers with a list (a photo upload's new
        # photos) answers with all of it, whatever the view's pagination_class.
        return super()._get_paginator() if self.method == "GET" else None

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        registry.register_on_missing(error)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                # Every integer in a path is an object's id (socialblue.fields).
                parameter["schema"].update(minimum=1, maximum=ID_MAX)
            if parameter["in"] == "query" and not parameter.get("required"):
                # ``?page=`` reads as no page at all, as an HTML form sends it.
                parameter["allowEmptyValue"] = True
        responses = operation.setdefault("responses", {})
        for status, (applies, description) in SHARED_ANSWERS.items():
            if status not in responses and applies(operation, self.view):
                responses[status] = {"description": description}
        for status, response in responses.items():
            # An error a view documents in words only has the shared body all the same.
            if status.startswith(("4", "5")) and "content" not in response:
                response["content"] = {"application/json": {"schema": error.ref}}
        return operation
