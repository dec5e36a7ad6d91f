"""API tokens: self-service on the account page, DRF's drf_create_token, and token authentication."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from conftest import PASSWORD


def test_creating_a_token_needs_a_fresh_password_and_shows_the_key_once(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/api-token/")
    assert response.status_code == 302 and "/accounts/reauth/" in response["Location"]
    assert not Token.objects.filter(user=alice).exists()
    client.post("/accounts/reauth/", {"password": PASSWORD})
    response = client.post("/accounts/api-token/")
    assert response.status_code == 200
    key = Token.objects.get(user=alice).key
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert key not in client.get("/accounts/api-token/").content.decode()
    assert AuditEvent.objects.filter(action="api_token.created", actor_id=alice.pk).exists()


def test_a_new_token_replaces_the_old_one(client, alice):
    client.force_login(alice)
    client.post("/accounts/reauth/", {"password": PASSWORD})
    client.post("/accounts/api-token/")
    first = Token.objects.get(user=alice).key
    client.post("/accounts/api-token/")
    assert Token.objects.get(user=alice).key != first
    assert Token.objects.filter(user=alice).count() == 1


def test_revoking_stops_the_token_working(client, alice, api_as):
    token = Token.objects.create(user=alice)
    client.force_login(alice)
    response = client.post("/accounts/api-token/revoke/")
    assert response.status_code == 302
    assert not Token.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action="api_token.revoked", actor_id=alice.pk).exists()
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/alerts/")
    assert response.status_code == 401 and response.json()["detail"]


def test_mallory_cannot_revoke_alices_token(client, alice, mallory):
    Token.objects.create(user=alice)
    client.force_login(mallory)
    client.post("/accounts/api-token/revoke/")
    assert Token.objects.filter(user=alice).exists()


def test_the_token_page_requires_sign_in(client, db):
    response = client.get("/accounts/api-token/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.post("/accounts/api-token/revoke/")
    assert Token.objects.count() == 0


def test_drf_create_token_works_with_the_email_login(alice, capsys, api_as):
    call_command("drf_create_token", "ALICE@austin.example")
    out = capsys.readouterr().out
    key = Token.objects.get(user=alice).key
    assert key in out
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/alerts/").status_code == 200


def test_drf_create_token_fails_clearly_for_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="does not exist"):
        call_command("drf_create_token", "nobody@example.org")
