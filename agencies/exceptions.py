"""Errors the agencies services raise for a refused action; views turn them into messages.

A registration or invitation no longer in the state an action starts from raises core's
InvalidTransition (409 in the API), like every other app.
"""

from django.core.exceptions import ValidationError

from core.exceptions import CodedError


class InvitationInvalid(CodedError, ValidationError):
    """An invitation link that cannot be used: tampered, expired, already used, or withdrawn.

    `gone` is True when the link was genuine but can no longer be used (HTTP 410 rather than 400).
    """

    error_code = "invitation_invalid"

    def __init__(self, message: str, *, gone: bool = True):
        super().__init__(message)
        self.gone = gone
        self.http_status = 410 if gone else 400
