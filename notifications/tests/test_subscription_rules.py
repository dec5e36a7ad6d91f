"""What a subscription may hold is refused the same way by every door: the sign-up page, the
subscriber's own page and the subscription API (issue 12's reproductions: an http webhook, webhooks
to loopback, private and cloud-metadata addresses, Albany County, NY for a Texas-only outlet, a state
outside the network). Each refusal names the same field with the same message and stores nothing."""

import socket

import pytest
from django.urls import reverse

from agencies.models import State
from audit.models import AuditEvent
from notifications.models import MediaSubscriber
from notifications.services import subscriber_manage_token
from portal.tests.api_support import _api_unthrottled, api_as  # noqa: F401 (fixtures)

from .factories import county, make_subscriber

pytestmark = pytest.mark.django_db

NOT_PUBLIC = (
    "The webhook URL must point to a server on the public internet: {host} is {address}, which is not a public address."
)

# (what is changed, field, expected message): the messages are written out, never taken from the code.
CASES = {
    "http webhook": (
        {"webhook_url": "http://hooks.kxan.example/blue-alert"},
        "webhook_url",
        "The webhook URL must start with https://",
    ),
    "loopback webhook": (
        {"webhook_url": "https://127.0.0.1/hook"},
        "webhook_url",
        NOT_PUBLIC.format(host="127.0.0.1", address="127.0.0.1"),
    ),
    "private-network webhook": (
        {"webhook_url": "https://10.20.30.40:8443/hook"},
        "webhook_url",
        NOT_PUBLIC.format(host="10.20.30.40", address="10.20.30.40"),
    ),
    "cloud metadata webhook": (
        {"webhook_url": "https://169.254.169.254/latest/meta-data/"},
        "webhook_url",
        NOT_PUBLIC.format(host="169.254.169.254", address="169.254.169.254"),
    ),
    "IPv6 loopback webhook": (
        {"webhook_url": "https://[::1]/hook"},
        "webhook_url",
        NOT_PUBLIC.format(host="::1", address="::1"),
    ),
    "a county outside the outlet's states": (
        {"counties": [("NY", "001")]},
        "counties",
        "Choose counties only in the states you cover (not: Albany County, NY).",
    ),
    "a state outside the network": (
        {"states": ["TX", "NM"]},
        "states",
        "Choose only states that take part in the network (not: New Mexico).",
    ),
}


@pytest.fixture(autouse=True)
def _new_mexico_left_the_network(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP = False  # production's default
    State.objects.filter(usps="NM").update(is_participating=False)


def _state_pks(usps_codes):
    return [State.objects.get(usps=u).pk for u in usps_codes]


def _page_data(change: dict, **base) -> dict:
    data = {"states": _state_pks(["TX"]), "counties": [], "language": "en", "webhook_url": "", **base}
    if "states" in change:
        data["states"] = _state_pks(change["states"])
    if "counties" in change:
        data["counties"] = [county(usps, fips).pk for usps, fips in change["counties"]]
    if "webhook_url" in change:
        data["webhook_url"] = change["webhook_url"]
    return data


def _api_data(change: dict) -> dict:
    data = {}
    if "states" in change:
        data["states"] = change["states"]
    if "counties" in change:
        data["counties"] = [f"{county(u, f).state.fips}{f}" for u, f in change["counties"]]
    if "webhook_url" in change:
        data["webhook_url"] = change["webhook_url"]
    return data


@pytest.fixture
def outlet():
    """A verified Texas-only newsroom, no counties, no webhook."""
    return make_subscriber("desk@kxan.example", organisation="KXAN")


def _unchanged(outlet: MediaSubscriber) -> None:
    outlet.refresh_from_db()
    assert [s.usps for s in outlet.states.all()] == ["TX"]
    assert list(outlet.counties.all()) == []
    assert outlet.webhook_url == "" and outlet.webhook_secret == ""
    assert not AuditEvent.objects.filter(action="subscriber.preferences_changed").exists()


@pytest.mark.parametrize("case", list(CASES))
def test_the_sign_up_page_refuses_it_and_stores_nothing(client, mailoutbox, case):
    change, field, message = CASES[case]
    data = _page_data(
        change,
        organisation="KXAN News",
        outlet_type="tv",
        contact_name="Dana Desk",
        email="desk@kxan.example",
        phone="512-555-0100",
    )

    response = client.post(reverse("notifications:subscribe"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert not MediaSubscriber.objects.exists()
    assert mailoutbox == [] and not AuditEvent.objects.exists()


@pytest.mark.parametrize("case", list(CASES))
def test_the_subscribers_page_refuses_it_and_changes_nothing(client, outlet, case):
    change, field, message = CASES[case]
    url = reverse("notifications:subscriber-manage", args=[subscriber_manage_token(outlet)])

    response = client.post(url, _page_data(change))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    _unchanged(outlet)


@pytest.mark.parametrize("case", list(CASES))
def test_the_subscription_api_refuses_it_and_changes_nothing(api_as, outlet, case):  # noqa: F811
    change, field, message = CASES[case]
    url = f"/api/v1/subscription/{subscriber_manage_token(outlet)}/"

    response = api_as(None).patch(url, _api_data(change), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["fields"] == {field: [message]}
    assert response.json()["code"] == "invalid"
    _unchanged(outlet)


def test_a_public_https_webhook_is_accepted_by_the_page_and_the_api(client, api_as, outlet):  # noqa: F811
    url = reverse("notifications:subscriber-manage", args=[subscriber_manage_token(outlet)])
    response = client.post(url, _page_data({"webhook_url": "https://93.184.216.34/blue-alert"}))
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.webhook_url == "https://93.184.216.34/blue-alert" and outlet.webhook_secret.startswith("whsec_")

    response = api_as(None).patch(
        f"/api/v1/subscription/{subscriber_manage_token(outlet)}/",
        {"webhook_url": "https://[2606:2800:220:1::]/hook"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    outlet.refresh_from_db()
    assert outlet.webhook_url == "https://[2606:2800:220:1::]/hook"


@pytest.fixture
def dns(monkeypatch):
    """The resolver is the one outside service here: answer from a table instead of the network."""
    table: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in table[host]
        ]

    monkeypatch.setattr("outbox.webhook_target.socket.getaddrinfo", getaddrinfo)
    return table


def test_a_name_is_judged_by_every_address_it_resolves_to(api_as, outlet, dns):  # noqa: F811
    url = f"/api/v1/subscription/{subscriber_manage_token(outlet)}/"
    dns["hooks.kxan.example"] = ["93.184.216.34", "10.0.0.5"]  # one public, one internal: refused
    dns["ok.kxan.example"] = ["93.184.216.34"]

    response = api_as(None).patch(url, {"webhook_url": "https://hooks.kxan.example/blue"}, format="json")
    assert response.json()["fields"] == {
        "webhook_url": [NOT_PUBLIC.format(host="hooks.kxan.example", address="10.0.0.5")]
    }
    response = api_as(None).patch(url, {"webhook_url": "https://nowhere.kxan.example/blue"}, format="json")
    assert response.json()["fields"] == {
        "webhook_url": ["The webhook URL's server nowhere.kxan.example could not be found."]
    }
    _unchanged(outlet)

    response = api_as(None).patch(url, {"webhook_url": "https://ok.kxan.example/blue"}, format="json")
    assert response.status_code == 200
    outlet.refresh_from_db()
    assert outlet.webhook_url == "https://ok.kxan.example/blue"


def test_http_is_accepted_where_the_settings_allow_it(api_as, outlet, settings, dns):  # noqa: F811
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP = True
    dns["hooks.kxan.example"] = ["93.184.216.34"]
    response = api_as(None).patch(
        f"/api/v1/subscription/{subscriber_manage_token(outlet)}/",
        {"webhook_url": "http://hooks.kxan.example/blue"},
        format="json",
    )
    assert response.status_code == 200, response.json()


def test_a_state_that_left_the_network_does_not_block_other_changes(api_as):  # noqa: F811
    outlet = make_subscriber("desk@kob.example", states=["NM", "TX"])
    response = api_as(None).patch(
        f"/api/v1/subscription/{subscriber_manage_token(outlet)}/", {"language": "es"}, format="json"
    )
    assert response.status_code == 200, response.json()
    outlet.refresh_from_db()
    assert outlet.language == "es" and sorted(s.usps for s in outlet.states.all()) == ["NM", "TX"]


def test_every_state_removed_is_refused(client, outlet):
    url = reverse("notifications:subscriber-manage", args=[subscriber_manage_token(outlet)])
    response = client.post(url, {**_page_data({}), "states": []})
    assert response.context["form"].errors == {"states": ["This field is required."]}
    _unchanged(outlet)
