"""Errors the agencies services raise for a refused action; views turn them into messages."""

from django.core.exceptions import ValidationError


class InvalidTransition(ValidationError):
    """The record was not in the state the transition starts from (usually: someone else got there first)."""


class InvitationInvalid(ValidationError):
    """An invitation link that cannot be used: tampered, expired, already used, or withdrawn.

    `gone` is True when the link was genuine but can no longer be used (HTTP 410 rather than 400).
    """

    def __init__(self, message: str, *, gone: bool = True):
        super().__init__(message)
        self.gone = gone
