"""Every API error as one JSON shape a person can act on (core.api_errors).

`fields` names each invalid field (nested ones by dotted path: "suspects.0.age"); it is {} when the
error is not about a field. Services raise Django's own exceptions (ValidationError,
PermissionDenied, Http404), core's InvalidTransition, and exceptions that name their own answer
(core's CodedError); this handler maps them by those types, importing no app, so that the API and
the pages share one source of rules and messages.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.api_errors import error_body
from core.exceptions import CodedError, InvalidTransition

NON_FIELD_KEYS = ("non_field_errors", "__all__")


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


def _message(exc: Exception) -> str:
    """A person's message from any exception: a ValidationError's messages, else its text, else the
    class's default_message."""
    messages = getattr(exc, "messages", None) if isinstance(exc, DjangoValidationError) else None
    return " ".join(messages or [str(exc)]).strip() or getattr(exc, "default_message", "") or "Refused."


def _from_django_validation(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return _validation_body(dict(exc.message_dict))
    return _validation_body(list(exc.messages))


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: map every known error to the one JSON shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidTransition):
        set_rollback()
        message = str(exc) or "This action is not possible now."
        return Response(error_body(detail=message, code="invalid_transition"), status=status.HTTP_409_CONFLICT)

    if isinstance(exc, CodedError):
        set_rollback()
        return Response(error_body(detail=_message(exc), code=exc.error_code), status=exc.http_status)

    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(_from_django_validation(exc), status=status.HTTP_400_BAD_REQUEST)

    if isinstance(exc, Http404):
        message = str(exc) or "Not found, or not yours to see."
        exc = exceptions.NotFound(message)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or exceptions.PermissionDenied.default_detail)

    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let it be a 500 and reach the logs

    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
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
