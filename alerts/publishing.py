"""Publishing: write an alert's public artifacts, and the site pages that list it, as files.

Files go through the Django storage `storages["publish"]` (FileSystemStorage under var/public/ by
default; S3 through django-storages in production) under names that mirror the URL paths, so
nginx can serve the publish root directly:

    alerts/<public_id>/index.html, index.es.html, cap.xml, alert.json, photos/<photo>.jpg
    cap/<message_id>.xml                 one per message, written once
    index.html, states/<usps>/index.html, alerts/archive/index.html
    feeds/alerts.atom, feeds/states/<usps>.atom

Every write is atomic: on a local filesystem a temporary file in the same directory is renamed
over the old one; a remote storage's put (S3) is atomic per object. File times are set to the
content's own Last-Modified so nginx sends the same date as the application.

Publishing holds a lock (a PostgreSQL advisory lock; SQLite's IMMEDIATE transaction is one) so two
publishers never interleave and an older rendering never overwrites a newer one.
"""

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from agencies.models import State

from . import cap
from .feeds import feed_artifact
from .models import Alert, Message
from .public import render, selectors

log = logging.getLogger(__name__)

PUBLISH_LOCK_KEY = 0x426C7565  # "Blue"


# ---- file names (mirror the URL paths) ----------------------------------------------------


def alert_dir(public_id) -> str:
    return f"alerts/{public_id}"


def alert_page_name(public_id, lang: str = "en") -> str:
    return f"{alert_dir(public_id)}/index.es.html" if lang == "es" else f"{alert_dir(public_id)}/index.html"


def alert_cap_name(public_id) -> str:
    return f"{alert_dir(public_id)}/cap.xml"


def alert_json_name(public_id) -> str:
    return f"{alert_dir(public_id)}/alert.json"


def photo_name(public_id, photo_id) -> str:
    return f"{alert_dir(public_id)}/photos/{photo_id}.jpg"


def cap_message_name(message_id) -> str:
    return f"cap/{message_id}.xml"


def home_name(usps: str | None = None) -> str:
    return f"states/{usps}/index.html" if usps else "index.html"


ARCHIVE_NAME = "alerts/archive/index.html"


def feed_name(usps: str | None = None) -> str:
    return f"feeds/states/{usps}.atom" if usps else "feeds/alerts.atom"


# ---- storage -------------------------------------------------------------------------------


def publish_storage() -> Storage:
    return storages["publish"]


def _local_path(storage: Storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def write_atomic(name: str, content: bytes, modified: datetime | None = None, storage: Storage | None = None) -> None:
    """Replace `name` with `content` so that a reader sees the old file or the new one, never half."""
    storage = storage or publish_storage()
    path = _local_path(storage, name)
    if path is None:
        # Remote storages (S3) replace an object atomically; they must be set to overwrite.
        saved = storage.save(name, ContentFile(content))
        if saved != name:
            storage.delete(saved)
            raise RuntimeError(f"the publish storage renamed {name} to {saved}: enable overwriting (file_overwrite)")
        return
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".publish-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        if modified is not None:
            os.utime(tmp, (modified.timestamp(), modified.timestamp()))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def delete_published(name: str, storage: Storage | None = None) -> None:
    storage = storage or publish_storage()
    if storage.exists(name):
        storage.delete(name)


def read_published(name: str) -> tuple[bytes, datetime] | None:
    """The published file and its modification time, or None when it is not (yet) published."""
    storage = publish_storage()
    try:
        with storage.open(name, "rb") as f:
            content = f.read()
        return content, storage.get_modified_time(name)
    except (FileNotFoundError, NotImplementedError, OSError):
        return None


@contextmanager
def _publish_lock() -> Iterator[None]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK_KEY])
        yield


# ---- the alert's artifacts -----------------------------------------------------------------


def _publish_alert_files(alert: Alert, now: datetime) -> set[str]:
    """Write the artifacts of one public alert (loaded by selectors.alert_get_public). Returns
    the states whose pages and feeds list it."""
    messages: list[Message] = alert.public_messages
    public_id = alert.public_id
    storage = publish_storage()
    for i, message in enumerate(messages):
        xml = cap.message_cap_xml(message, earlier=messages[:i])
        name = cap_message_name(message.message_id)
        if not storage.exists(name):  # immutable once published
            write_atomic(name, xml.encode(), message.sent_at)
    latest = messages[-1]
    write_atomic(alert_cap_name(public_id), latest.cap_xml.encode(), latest.sent_at)

    photos = {p["public_id"]: p for p in render.public_photos(alert, messages, now)}
    for photo_id, photo in photos.items():
        name = photo_name(public_id, photo_id)
        if not storage.exists(name):
            data = cap.photo_bytes(photo)
            if data is not None:
                write_atomic(name, data, latest.sent_at)
    photo_dir = f"{alert_dir(public_id)}/photos"
    try:
        _, files = storage.listdir(photo_dir)
    except (FileNotFoundError, NotImplementedError):
        files = []
    for filename in files:
        if filename.endswith(".jpg") and filename.removesuffix(".jpg") not in photos:
            storage.delete(f"{photo_dir}/{filename}")  # removed by an update, or withdrawn

    for lang in ("en", "es"):
        page = render.alert_page(alert, lang, now)
        write_atomic(alert_page_name(public_id, lang), page.content, page.last_modified)
    doc = render.alert_json(alert, now)
    write_atomic(alert_json_name(public_id), doc.content, doc.last_modified)
    view_states = {alert.state.usps}
    view_states.update(s["usps"] for s in (latest.snapshot.get("extra_states") or []))
    return view_states


def _publish_site(states: set[str] | None, now: datetime) -> None:
    """Home, archive and the all-states feed; the pages and feeds of `states` (all when None)."""
    for artifact, name in (
        (render.home_page(), home_name()),
        (render.archive_page(), ARCHIVE_NAME),
        (feed_artifact(None, now), feed_name()),
    ):
        write_atomic(name, artifact.content, artifact.last_modified)
    qs = State.objects.all() if states is None else State.objects.filter(usps__in=states)
    for state in qs:
        page = render.home_page(state)
        write_atomic(home_name(state.usps), page.content, page.last_modified)
        feed = feed_artifact(state, now)
        write_atomic(feed_name(state.usps), feed.content, feed.last_modified)


def alert_publish(*, alert_id: int) -> None:
    """Render the alert's public artifacts (pages in English and Spanish, the CAP XML of each
    message, the JSON, photos) and the pages and feeds that list it, and write them atomically to
    the publish storage. Fills each message's cap_xml once. An alert that is not public (draft,
    pending, returned, denied, exercise) publishes nothing. Safe to repeat (Celery retries it)."""
    now = timezone.now()
    alert = Alert.objects.filter(pk=alert_id).only("public_id", "status", "is_exercise").first()
    if alert is None or not alert.is_public:
        log.info("alert %s is not public: nothing published", alert_id)
        return
    with _publish_lock():
        alert = selectors.alert_get_public(alert.public_id)
        states = _publish_alert_files(alert, now)
        _publish_site(states, now)


def alerts_due_for_photo_withdrawal(now: datetime | None = None) -> list[int]:
    """Ended alerts whose suspect photos are past the withdrawal period but still published."""
    now = now or timezone.now()
    storage = publish_storage()
    due = []
    for alert in selectors.alerts_list_public(active=False):
        if render.photos_withdrawn(alert, alert.public_messages, now):
            for photo in public_photos_all(alert):
                if photo.get("vehicle") is None and storage.exists(photo_name(alert.public_id, photo["public_id"])):
                    due.append(alert.pk)
                    break
    return due


def public_photos_all(alert: Alert) -> list[dict]:
    return list(alert.public_messages[-1].snapshot.get("photos") or [])


def photos_withdraw_due() -> int:
    """Republish every ended alert whose suspect photos have passed the withdrawal period, which
    removes them from its page and from the publish root. Safe to repeat. Returns the count."""
    due = alerts_due_for_photo_withdrawal()
    for alert_id in due:
        alert_publish(alert_id=alert_id)
    return len(due)


def site_republish(*, stdout=None) -> int:
    """Rebuild every public artifact: each public alert, then the home, state, archive pages and
    every feed. Safe to repeat. Returns the number of alerts published."""
    now = timezone.now()
    public_ids = list(Alert.objects.public().order_by("pk").values_list("public_id", flat=True))
    count = 0
    for public_id in public_ids:
        with _publish_lock():
            try:
                alert = selectors.alert_get_public(public_id)
            except Http404:  # an alert with no message yet: nothing to publish
                continue
            _publish_alert_files(alert, now)
            count += 1
            if stdout is not None:
                stdout.write(f"published {public_id}\n")
    with _publish_lock():
        _publish_site(None, now)
    return count
