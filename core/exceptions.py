"""Exceptions that mean the same thing in every app, so the pages and the API map them once.

The API's error handler (portal.api_errors) maps by these types and Django's and DRF's own, and
imports no app: an app that wants its own answer for an error gives the exception `CodedError`.
"""


class InvalidTransition(Exception):
    """The object is not (any longer) in a state that allows the action. Nothing was changed.

    The message says what state it is in and, where known, who acted; the pages show it, the API
    answers 409 with it.
    """


class CodedError:
    """Mixin for an exception that names its own API answer: the HTTP status and the stable `code`
    of the error body (core.api_errors). Combine it with the Django exception the pages catch, e.g.
    `class ReauthRequired(CodedError, PermissionDenied)`."""

    error_code: str = "invalid"
    http_status: int = 400
