"""The photo bytes a CAP message's resources describe, read from the media storage."""

import logging

from django.core.files.storage import default_storage

log = logging.getLogger(__name__)


def photo_bytes(photo: dict) -> bytes | None:
    """The stored web copy of a snapshot's photo, or None (logged) when it is missing."""
    try:
        with default_storage.open(photo["path"], "rb") as f:
            return f.read()
    except (OSError, ValueError):
        log.warning("photo %s is missing from storage", photo.get("public_id"))
        return None
