"""Atom feeds of active alerts (and of cancellations from the last 24 hours), all states or one.

Built with Django's syndication framework. Each entry is an alert's latest message: its id is the
CAP identifier and its link the CAP XML, which is how aggregators and newsrooms pick alerts up.
The publisher renders the feed without a request (`feed_artifact`), and the fallback view serves
the same bytes.
"""

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import feedgenerator, timezone

from agencies.models import State

from .cap import wording
from .models import Alert, Message
from .public import selectors
from .public.render import Artifact
from .snapshot import public_view

ATOM = "application/atom+xml; charset=utf-8"
CANCEL_WINDOW = timedelta(hours=24)
EPOCH = datetime(2019, 1, 18, tzinfo=UTC)  # Blue Alerts joined EAS


class CapAtomFeed(feedgenerator.Atom1Feed):
    """Atom with a typed link to each entry's CAP message and another to the alert page, and a
    stable feed date when there is no entry (so the bytes, hence the ETag, do not change)."""

    def latest_post_date(self):
        dates = [d for item in self.items for d in (item.get("updateddate"), item.get("pubdate")) if d]
        return max(dates) if dates else self.feed.get("quiet_since") or EPOCH

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("link", "", {"rel": "enclosure", "href": item["link"], "type": "application/cap+xml"})
        handler.addQuickElement("link", "", {"rel": "related", "href": item["page_url"], "type": "text/html"})


class _SiteRequest(HttpRequest):
    """What the syndication framework needs of a request when the publisher renders a feed:
    the site's own host and scheme (every link is already absolute)."""

    def __init__(self, path: str):
        super().__init__()
        self.path = self.path_info = path
        self._site = urlsplit(settings.SITE_URL)

    def get_host(self) -> str:
        return self._site.netloc

    def is_secure(self) -> bool:
        return self._site.scheme == "https"


class AlertsFeed(Feed):
    feed_type = CapAtomFeed
    language = "en"

    def __init__(self, now: datetime | None = None):
        self.now = now or timezone.now()

    def get_object(self, request, usps: str | None = None):
        return selectors.state_get_public(usps) if usps else None

    def title(self, obj: State | None) -> str:
        return f"{settings.SITE_NAME}: Blue Alerts" + (f" in {obj.name}" if obj else "")

    def subtitle(self, obj: State | None) -> str:
        return "Active Blue Alerts and cancellations from the last 24 hours; each entry links its CAP 1.2 message."

    def link(self, obj: State | None) -> str:
        return wording.absolute(
            reverse("public:state-home", kwargs={"usps": obj.usps}) if obj else reverse("public:home")
        )

    def feed_url(self, obj: State | None) -> str:
        return wording.absolute(
            reverse("public:feed-state", kwargs={"usps": obj.usps}) if obj else reverse("public:feed-alerts")
        )

    def feed_guid(self, obj: State | None) -> str:
        return self.feed_url(obj)

    def author_name(self) -> str:
        return settings.SITE_NAME

    def feed_extra_kwargs(self, obj: State | None) -> dict:
        return {"quiet_since": selectors.alerts_last_ended(obj) or EPOCH}

    def items(self, obj: State | None) -> list[Alert]:
        return selectors.alerts_for_feed(since=self.now - CANCEL_WINDOW, state=obj)

    # An item is an alert; what it shows is its latest message.
    def _latest(self, alert: Alert) -> tuple[Message, dict]:
        message = alert.public_messages[-1]
        return message, public_view(message.snapshot)

    def item_title(self, alert: Alert) -> str:
        message, view = self._latest(alert)
        if message.kind == Message.Kind.CANCEL:
            return wording.headline(view, "en", message.kind)
        return wording.headline(view, "en", Message.Kind.ALERT)

    def item_description(self, alert: Alert) -> str:
        message, view = self._latest(alert)
        return wording.description(view, "en", message.kind)

    def item_link(self, alert: Alert) -> str:
        return wording.message_url(alert.public_messages[-1])

    def item_guid(self, alert: Alert) -> str:
        return alert.public_messages[-1].identifier

    def item_pubdate(self, alert: Alert) -> datetime:
        return alert.public_messages[-1].sent_at

    def item_updateddate(self, alert: Alert) -> datetime:
        return alert.public_messages[-1].sent_at

    def item_author_name(self, alert: Alert) -> str:
        return self._latest(alert)[1]["agency"]["name"]

    def item_categories(self, alert: Alert) -> list[str]:
        message, view = self._latest(alert)
        return ["Blue Alert", view["state"]["usps"], message.kind]

    def item_extra_kwargs(self, alert: Alert) -> dict:
        view = self._latest(alert)[1]
        return {"page_url": wording.alert_page_url(view["public_id"])}


def feed_artifact(state: State | None = None, now: datetime | None = None) -> Artifact:
    """The feed's bytes, for all states or one, rendered without a request."""
    path = reverse("public:feed-state", kwargs={"usps": state.usps}) if state else reverse("public:feed-alerts")
    feed = AlertsFeed(now).get_feed(state, _SiteRequest(path))
    out = io.StringIO()
    feed.write(out, "utf-8")
    return Artifact(out.getvalue().encode(), ATOM, feed.latest_post_date())
