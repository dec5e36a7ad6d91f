"""Errors the notifications services raise for a refused action; views turn them into messages."""

from django.core.exceptions import ValidationError


class InvalidTransition(ValidationError):
    """The record was not in the state the transition starts from (usually: someone else got there first)."""
