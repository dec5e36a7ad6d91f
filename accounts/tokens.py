"""API tokens, self-service: each user creates (shown once) and revokes their own DRF token.

DRF's Token model holds one token per user; creating a new one replaces the old. Creating needs a
fresh password confirmation (a token outlives the session that made it); revoking never does.
The two writes are services (one transaction, audit row); the views below only call them.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from accounts.ip import client_ip
from audit.services import audit_record

from .reauth import ReauthRequired, ensure_fresh_reauth, reauthenticated_at


@transaction.atomic
def api_token_create(*, actor, reauthenticated_at, ip: str | None = None) -> Token:
    """Give `actor` a new API token, replacing any previous one (which stops working at once).

    Requires a fresh re-authentication. Audit: api_token.created. Not idempotent: each call makes a
    new key.
    """
    ensure_fresh_reauth(reauthenticated_at)
    replaced = Token.objects.filter(user=actor).delete()[0] > 0
    token = Token.objects.create(user=actor)
    audit_record(actor=actor, action="api_token.created", target=actor, ip=ip, changes={"replaced_previous": replaced})
    return token


@transaction.atomic
def api_token_revoke(*, actor, ip: str | None = None) -> bool:
    """Delete `actor`'s API token; programs using it get 401 from then on.

    Audit: api_token.revoked (only when there was one). Safe to repeat. Returns whether one existed.
    """
    deleted = Token.objects.filter(user=actor).delete()[0] > 0
    if deleted:
        audit_record(actor=actor, action="api_token.revoked", target=actor, ip=ip)
    return deleted


@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request):
    """The account page's API section: whether a token exists, create (the key is shown once), revoke."""
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        try:
            new_key = api_token_create(
                actor=request.user, reauthenticated_at=reauthenticated_at(request), ip=client_ip(request)
            ).key
        except ReauthRequired:
            url = reverse("accounts:reauth") + "?" + urlencode({"next": reverse("accounts:tokens")})
            messages.info(request, "Confirm your password to create an API token.")
            return redirect(url)
        token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/tokens.html", {"token": token, "new_key": new_key})


@require_POST
def token_revoke(request):
    if api_token_revoke(actor=request.user, ip=client_ip(request)):
        messages.success(request, "Your API token is revoked. Programs using it can no longer sign in.")
    else:
        messages.info(request, "You had no API token.")
    return redirect("accounts:tokens")
