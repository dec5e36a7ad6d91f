"""Two-factor enrolment and verification, and coordinators' unlocking of locked-out sign-ins."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from accounts.ip import client_ip

from .forms import OTPTokenForm
from .policy import account_policy
from .reauth import reauth_mark
from .services import (
    has_second_factor,
    lockout_clear,
    lockouts_visible_to,
    recovery_codes_regenerate,
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
)


def _next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if has_second_factor(request.user) and not request.user.is_verified():
        # Replacing a device needs the current one first, or a stolen password would be enough.
        return redirect("accounts:2fa-verify")
    device = totp_device_start(user=request.user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(
            user=request.user, device=device, token=form.cleaned_data["otp_token"], ip=client_ip(request)
        )
        if codes is None:
            form.add_error("otp_token", "That code is not right. Check the time on your phone and try the newest code.")
        else:
            device.refresh_from_db()
            otp_login(request, device)
            reauth_mark(request)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request)})
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
            "replacing": has_second_factor(request.user),
        },
    )


@never_cache
def two_factor_qr(request):
    """The enrolment QR code, drawn on the server as SVG (no third-party service sees the secret)."""
    if has_second_factor(request.user) and not request.user.is_verified():
        return HttpResponse(status=403)
    device = totp_device_start(user=request.user)
    img = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buf = io.BytesIO()
    img.save(buf)
    response = HttpResponse(buf.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if not has_second_factor(request.user):
        return redirect("accounts:2fa-setup")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_verify(user=request.user, token=form.cleaned_data["otp_token"])
        if device is None:
            form.add_error(
                "otp_token", "That code is not right. Use the newest code from your app, or a recovery code."
            )
        else:
            otp_login(request, device)
            reauth_mark(request)
            return redirect(_next(request) or "accounts:home")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    if request.method == "POST":
        codes = recovery_codes_regenerate(user=request.user, ip=client_ip(request))
        messages.success(request, "New recovery codes made; the old ones no longer work.")
        return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": ""})
    return render(request, "accounts/two_factor_manage.html", {})


@require_http_methods(["GET", "POST"])
def lockouts(request):
    """Coordinators unlock sign-ins of their states' people; a national administrator, anyone's."""
    if not account_policy().may_clear_lockouts(request.user):
        raise Http404
    if request.method == "POST":
        try:
            lockout_clear(actor=request.user, username=request.POST.get("username", ""), ip=client_ip(request))
            messages.success(request, "Unlocked. They can sign in again now.")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect("accounts:lockouts")
    return render(request, "accounts/lockouts.html", {"attempts": lockouts_visible_to(request.user)})
