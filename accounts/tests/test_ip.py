"""The client address recorded in audit rows and used by the lockout, behind trusted proxies."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.ip import client_ip
from audit.models import AuditEvent
from conftest import PASSWORD


def test_without_proxies_the_socket_address_counts_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "127.0.0.1"


def test_behind_one_proxy_the_address_it_saw_counts_not_a_spoofed_one(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent a forged header; nginx appended the real peer address.
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23")
    assert client_ip(request) == "198.51.100.23"


@pytest.mark.django_db
def test_a_sign_in_behind_the_proxy_is_audited_with_the_clients_address(settings, alice, mallory):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.23")
    response = client.post(reverse("accounts:login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert event.actor == alice and event.ip == "198.51.100.23"
    assert not AuditEvent.objects.filter(action="auth.login", actor=mallory).exists()
