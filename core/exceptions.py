"""Exceptions that mean the same thing in every app, so the pages and the API map them once."""


class InvalidTransition(Exception):
    """The object is not (any longer) in a state that allows the action. Nothing was changed.

    The message says what state it is in and, where known, who acted; the pages show it, the API
    answers 409 with it.
    """
