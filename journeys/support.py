"""What the journeys do in the browser and read back: sign-in with the second factor, codes from an
authenticator, mail at the SMTP server and the links in it, axe checks, screenshots."""

import base64
import re
import time
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
URL_RE = re.compile(r"https?://[^\s<>\"']+")


# --- second factor ------------------------------------------------------------------------------


def code_from_key(secret: str) -> str:
    """What an authenticator app shows for the key printed on the enrolment page."""
    from django_otp.oath import totp

    key = secret.replace(" ", "").strip().upper()
    return f"{totp(base64.b32decode(key + '=' * (-len(key) % 8))):06d}"


def fresh_code(user) -> str:
    """A code the user's confirmed device accepts now. django-otp refuses a time step already used,
    so right after a sign-in take the next step (within the device's tolerance) or wait for it."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    deadline = time.monotonic() + 70
    while True:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        now_t = int(time.time() - device.t0) // device.step
        base = now_t + device.drift
        target = max(base, device.last_t + 1)
        if target - base <= device.tolerance:
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=target - now_t)
            return f"{code:0{device.digits}d}"
        assert time.monotonic() < deadline, "no usable authenticator code"
        time.sleep(0.5)


def field(page: Page, label: str):
    """The form field with exactly this label (required fields' labels end with an asterisk)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def submit_main_form(page: Page) -> None:
    page.locator("main form button[type=submit]").first.click()


def enrol_second_factor(page: Page, shot_name: str | None = None) -> str:
    """On /accounts/2fa/setup/: type the shown key into an 'app', confirm, keep the recovery codes."""
    secret = page.locator("#otp-secret").inner_text()
    if shot_name:
        shot(page, shot_name)
    page.locator("#id_otp_token").fill(code_from_key(secret))
    submit_main_form(page)
    expect(page.locator("#recovery-codes li").first).to_be_visible()
    page.locator("main a.button").first.click()
    return secret.replace(" ", "")


def pass_second_factor(page: Page, user, *, shot_name: str | None = None) -> str:
    """Whatever the middleware asks after the password: enrolment ('enrolled'), a code ('verified'),
    or nothing when two-factor sign-in is not switched on ('none')."""
    page.wait_for_load_state()
    if "/accounts/2fa/setup/" in page.url:
        enrol_second_factor(page, shot_name)
        return "enrolled"
    if "/accounts/2fa/verify/" in page.url:
        page.locator("#id_otp_token").fill(fresh_code(user))
        submit_main_form(page)
        expect(page).not_to_have_url(re.compile(r"/accounts/2fa/"))
        return "verified"
    return "none"


def sign_in(page: Page, user, password: str = PASSWORD, *, next_path: str = "") -> str:
    page.goto("/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return pass_second_factor(page, user)


def reauthenticate(page: Page, user, password: str = PASSWORD) -> None:
    """On /accounts/reauth/: the password, and the code when the user has an authenticator."""
    expect(page).to_have_url(re.compile(r"/accounts/reauth/"))
    page.locator("#id_password").fill(password)
    if page.locator("#id_otp_token").count():
        page.locator("#id_otp_token").fill(fresh_code(user))
    submit_main_form(page)
    expect(page).not_to_have_url(re.compile(r"/accounts/reauth/"))


def let_reauth_lapse(page: Page, minutes: int = 16) -> None:
    """'Some time later': the session's last password confirmation is older than 15 minutes."""
    from accounts.reauth import SESSION_KEY

    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[SESSION_KEY] = (timezone.now() - timedelta(minutes=minutes)).isoformat()
    session.save()


# --- mail ---------------------------------------------------------------------------------------


def wait_for_mail(smtp, address: str, subject: str = "", *, count: int = 1, timeout: float = 60) -> list:
    """The messages the SMTP server received for `address` whose subject contains `subject`."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in smtp.handler.to(address) if subject in str(m["Subject"])]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            got = [str(m["Subject"]) for m in smtp.handler.to(address)]
            raise AssertionError(f"no mail to {address} about {subject!r} within {timeout}s; received: {got}")
        time.sleep(0.2)


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_in(msg, fragment: str) -> str:
    for url in URL_RE.findall(text_of(msg)):
        if fragment in url:
            return url.rstrip(".,)")
    raise AssertionError(f"no link with {fragment!r} in:\n{text_of(msg)}")


# --- what the page shows --------------------------------------------------------------------------


def shot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def expect_error_on(page: Page, field_id: str, text: str) -> None:
    """The field is marked invalid and its description (read by screen readers) holds the error."""
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    ids = (field.get_attribute("aria-describedby") or "").split()
    described = " ".join(page.locator(f"#{i}").inner_text() for i in ids if page.locator(f"#{i}").count())
    assert text in described, f"#{field_id} is described by {ids} = {described!r}, not by {text!r}"


def reload_until(page: Page, selector: str, text: str, timeout: float = 45) -> None:
    """Public pages are files the worker publishes after each approval (nginx serves them first):
    reload until the new version is out."""
    deadline = time.monotonic() + timeout
    while True:
        page.reload()
        found = page.locator(selector)
        if found.count() and text.lower() in found.first.inner_text().lower():
            return
        assert time.monotonic() < deadline, f"{page.url}: {selector} never showed {text!r}"
        time.sleep(0.5)


def expect_not_found(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 404, f"{path}: {response and response.status}"
    expect(page.locator("h1")).to_contain_text("Not Found", ignore_case=True)


def expect_fits_width(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size}"


_axe = None


def expect_accessible(page: Page, name: str) -> None:
    """axe-core finds no serious or critical violation (WCAG 2.1 A/AA rules and best practices)."""
    global _axe
    from axe_playwright_python.sync_playwright import Axe

    _axe = _axe or Axe()
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name} ({page.url}):\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:6]}" for v in bad
    )


def photo_file(label: str) -> dict:
    """A drawn photo for the upload field: made here, nothing downloaded."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (214, 220, 229))
    draw = ImageDraw.Draw(img)
    draw.ellipse((220, 60, 420, 260), fill=(120, 90, 70))
    draw.rectangle((180, 260, 460, 480), fill=(30, 30, 40))
    draw.text((20, 20), label, fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="JPEG")
    return {"name": "suspect.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


# --- what happened before the journey ---------------------------------------------------------------


def approved_alert(*, agency, staff, coordinator, marker: str = "APD-2026-0042"):
    """An alert drafted, submitted and approved through the workflow services, as `make run`'s demo
    data is (portal/management/commands/seed_demo.py); its message goes to the real worker."""
    from django.utils import timezone

    from alerts import services
    from alerts.models import Alert
    from portal.management.commands.seed_demo import Command

    now = timezone.now()
    seed = Command()
    alert = seed.draft(
        user=staff,
        agency=agency,
        marker=marker,
        trigger=Alert.Trigger.INJURED,
        fields={
            "incident_at": now - timedelta(hours=2),
            "incident_address": "900 E 6th St",
            "incident_city": "Austin",
            "last_seen_place": "I-35 at E 6th St",
            "last_seen_at": now - timedelta(hours=1),
            "last_seen_lat": 30.2672,
            "last_seen_lon": -97.7431,
            "direction": "N",
            "travel_mode": "vehicle",
        },
        suspect={"name": "Marcus Lee Hill", "sex": "Male", "age": 34, "clothing": "black hoodie"},
        vehicle={"year": 2019, "make": "Ford", "model": "F-150", "color": "Black", "plate": "ABC1234"},
    )
    seed.submit(alert, staff)
    services.alert_approve(actor=coordinator, alert=alert, reauthenticated_at=timezone.now())
    alert.refresh_from_db()
    return alert
