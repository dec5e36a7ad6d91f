"""Personas shared by every app's tests (STYLE.md). State X is Texas, state Y is New York."""

from importlib import import_module

import pytest

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _media_and_publish_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLISH_ROOT = tmp_path / "public"
    settings.STORAGES = {
        **settings.STORAGES,
        "publish": {**settings.STORAGES["publish"], "OPTIONS": {"location": str(tmp_path / "public"), "base_url": "/"}},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only


@pytest.fixture(autouse=True)
def _reference_data(request):
    """States, counties and the default criteria come from data migrations; a transactional test's
    database may have been emptied by an earlier one's flush, so load them again (idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from django.apps import apps

        from agencies.models import State

        if not State.objects.filter(usps="TX").exists():
            import_module("agencies.migrations.0002_load_states_and_counties").load(apps, None)
            import_module("alerts.migrations.0002_default_criteria").load(apps, None)


def _user(email, name):
    from accounts.models import User

    return User.objects.create_user(email=email, password=PASSWORD, full_name=name)


def _agency(state_usps, name, ori, county_fips):
    from agencies.models import Agency, County, State

    state = State.objects.get(usps=state_usps)
    return Agency.objects.create(
        name=name,
        ori=ori,
        agency_type=Agency.Type.MUNICIPAL,
        state=state,
        county=County.objects.get(state=state, fips=county_fips),
        address="1 Main St",
        city=name.split(" ")[0],
        postal_code="00000",
        phone="555-0100",
        tip_line="1-800-555-0199",
        head_name="Chief Example",
        status=Agency.Status.VERIFIED,
    )


def _grant(user, role, agency=None, state=None):
    from agencies.services import membership_grant

    membership_grant(actor=None, user=user, role=role, agency=agency, state=state)
    return user


@pytest.fixture
def state_x(db):
    from agencies.models import State

    return State.objects.get(usps="TX")


@pytest.fixture
def state_y(db):
    from agencies.models import State

    return State.objects.get(usps="NY")


@pytest.fixture
def agency_a(db):
    # Agency A: Austin, Travis County (48453), Texas.
    return _agency("TX", "Austin Police Department", "TX2270100", "453")


@pytest.fixture
def agency_b(db):
    # Agency B: Albany, Albany County (36001), New York.
    return _agency("NY", "Albany Police Department", "NY0010100", "001")


@pytest.fixture
def alice(agency_a):
    # alice: agency staff of Agency A (state X); drafts and submits alerts.
    return _grant(_user("alice@austin.example", "Alice Alvarez"), "agency_staff", agency=agency_a)


@pytest.fixture
def albert(agency_a):
    # albert: agency administrator of Agency A; manages members.
    return _grant(_user("albert@austin.example", "Albert Adams"), "agency_admin", agency=agency_a)


@pytest.fixture
def carol(state_x):
    # carol: state coordinator of state X (Texas); verifies agencies, approves alerts.
    return _grant(_user("carol@dps.texas.example", "Carol Castillo"), "state_coordinator", state=state_x)


@pytest.fixture
def cora(state_x):
    # cora: a second coordinator of state X, for two-person and concurrency cases.
    return _grant(_user("cora@dps.texas.example", "Cora Chen"), "state_coordinator", state=state_x)


@pytest.fixture
def yves(state_y):
    # yves: coordinator of state Y (New York): must never act on state X.
    return _grant(_user("yves@nysp.example", "Yves Young"), "state_coordinator", state=state_y)


@pytest.fixture
def mallory(agency_b):
    # mallory: agency staff of Agency B (state Y): must never see A's data.
    return _grant(_user("mallory@albany.example", "Mallory Moss"), "agency_staff", agency=agency_b)


@pytest.fixture
def nora(db):
    # nora: national administrator; sees everything, approves nothing on a state's behalf.
    return _grant(_user("nora@cops.example", "Nora Nash"), "national_admin")


@pytest.fixture
def login(client):
    """login(user) signs the test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        from accounts.services import second_factor_required

        if second_factor_required(user):
            # As if they had entered their authenticator code at sign-in.
            from django_otp import DEVICE_ID_SESSION_KEY

            session = client.session
            session[DEVICE_ID_SESSION_KEY] = otp_device(user).persistent_id
            session.save()
        return client

    return _login


@pytest.fixture(autouse=True)
def _celery_tasks_in_process():
    # Tasks run in-process in tests even when REDIS_URL is set (CI): no test depends on a worker
    # being up. The distribution drills (notifications/tests) start their own worker and undo this.
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def otp_device(user):
    """The user's confirmed authenticator device, created on first use; codes: totp_code(device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def totp_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
