"""Every API error as one JSON shape a person can act on.

    {"detail": "What went wrong and what to do.", "code": "machine_code", "fields": {"name": ["message"]}}

`fields` names each invalid field (nested ones by dotted path: "suspects.0.age"); it is {} when the
error is not about a field. Services raise Django's own exceptions (ValidationError,
PermissionDenied, Http404) and the alerts InvalidTransition; this handler maps them so that the
API and the pages share one source of rules and messages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from accounts.reauth import ReauthRequired
from agencies.exceptions import InvitationInvalid

NON_FIELD_KEYS = ("non_field_errors", "__all__")


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    detail = serializers.CharField(help_text="What went wrong and what to do about it.")
    code = serializers.CharField(
        help_text="A stable machine-readable code, e.g. invalid, not_found, invalid_transition."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per invalid field, nested fields by dotted path ("suspects.0.age"); {} otherwise.',
    )


def _invalid_transition_classes() -> tuple[type, ...]:
    """The apps' "not in the state this action starts from" errors (409). Looked up lazily: the
    alerts workflow module is written by another issue and may not exist yet."""
    classes = []
    for module in ("alerts.services", "alerts.exceptions", "agencies.exceptions", "notifications.exceptions"):
        try:
            cls = getattr(__import__(module, fromlist=["InvalidTransition"]), "InvalidTransition", None)
        except ImportError:
            cls = None
        if isinstance(cls, type) and cls not in classes:
            classes.append(cls)
    return tuple(classes)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure -> {"a.0.b": ["message", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if not prefix or key in NON_FIELD_KEYS else f"{prefix}.{key}"
            if key in NON_FIELD_KEYS and prefix:
                name = prefix
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            if detail:
                out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for k, v in _flatten(item, f"{prefix}.{index}" if prefix else str(index)).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _code(detail: Any, default: str) -> str:
    if isinstance(detail, exceptions.ErrorDetail) and detail.code:
        return str(detail.code)
    return default


def error_body(*, detail: str, code: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "fields": fields or {}}


def _validation_body(detail: Any) -> dict[str, Any]:
    fields = _flatten(detail)
    general = []
    for key in NON_FIELD_KEYS:
        general.extend(fields.pop(key, []))
    if general and not fields:
        return error_body(detail=" ".join(general), code="invalid")
    if fields:
        names = ", ".join(sorted(fields))
        message = f"Some fields need correcting: {names}."
        if general:
            message = " ".join(general) + " " + message
        return error_body(detail=message, code="invalid", fields=fields)
    return error_body(detail="The request is not valid.", code="invalid")


def _from_django_validation(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return _validation_body(dict(exc.message_dict))
    return _validation_body(list(exc.messages))


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: map every known error to the one JSON shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, _invalid_transition_classes()):
        message = " ".join(getattr(exc, "messages", None) or [str(exc)]) or "This action is not possible now."
        set_rollback()
        return Response(error_body(detail=message, code="invalid_transition"), status=status.HTTP_409_CONFLICT)

    if isinstance(exc, InvitationInvalid):
        set_rollback()
        gone = getattr(exc, "gone", False)
        return Response(
            error_body(detail=" ".join(exc.messages), code="invitation_invalid"),
            status=status.HTTP_410_GONE if gone else status.HTTP_400_BAD_REQUEST,
        )

    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(_from_django_validation(exc), status=status.HTTP_400_BAD_REQUEST)

    if isinstance(exc, ReauthRequired):
        set_rollback()
        message = str(exc) or ReauthRequired.default_message
        return Response(error_body(detail=message, code="reauth_required"), status=status.HTTP_403_FORBIDDEN)

    if isinstance(exc, Http404):
        message = str(exc) or "Not found, or not yours to see."
        exc = exceptions.NotFound(message)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or exceptions.PermissionDenied.default_detail)

    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let it be a 500 and reach the logs

    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()

    if isinstance(exc, exceptions.ValidationError):
        return Response(_validation_body(exc.detail), status=exc.status_code, headers=headers)
    if isinstance(exc, exceptions.NotAuthenticated):
        message = (
            "Sign in first: send the header 'Authorization: Token <key>' (create a token on your account "
            "page) or use a signed-in browser session."
        )
        return Response(error_body(detail=message, code=exc.default_code), status=exc.status_code, headers=headers)
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        return Response(_validation_body(detail), status=exc.status_code, headers=headers)
    return Response(
        error_body(detail=str(detail), code=_code(detail, exc.default_code)), status=exc.status_code, headers=headers
    )


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
