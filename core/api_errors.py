"""The one JSON shape of every API error, for the handler (portal.api_errors) and for the schema.

    {"detail": "What went wrong and what to do.", "code": "machine_code", "fields": {"name": ["message"]}}

Every app's api.py documents its error responses with `error_responses(...)`; nothing here imports
an app.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    detail = serializers.CharField(help_text="What went wrong and what to do about it.")
    code = serializers.CharField(
        help_text="A stable machine-readable code, e.g. invalid, not_found, invalid_transition."
    )
    # The JSON key "fields" is the documented contract; DRF declares it like any field, while the
    # stubs see Serializer.fields (the bound-field mapping) under the same name.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per invalid field, nested fields by dotted path ("suspects.0.age"); {} otherwise.',
    )


def error_body(*, detail: str, code: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "fields": fields or {}}


_DESCRIPTIONS = {
    400: "The request is not valid: `fields` names each field to correct.",
    401: "Not signed in: send `Authorization: Token <key>` or use a browser session.",
    403: "Signed in but not allowed to do this (code `permission_denied`), or a fresh password is needed "
    "(code `reauth_required`).",
    404: "No such object, or not within what you may see.",
    409: "The action does not fit the object's current state (code `invalid_transition`): reload and retry.",
    410: "The link was genuine but can no longer be used (expired, used or withdrawn).",
    413: "The upload is too large.",
    415: "Unsupported media type for the request body.",
    429: "Too many requests: wait the number of seconds in Retry-After.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema responses for the given error statuses, all with ErrorSerializer as the body."""
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in codes}
