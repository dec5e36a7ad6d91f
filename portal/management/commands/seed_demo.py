"""Demo data for `make run` (in portal, the top layer, because it drives every app's services): two agencies in two states, the personas, and alerts that went through
the real workflow (one active with an approved update, one resolved, one pending approval).

Idempotent: everything is looked up before it is made, and each demo alert (marked by its case
number DEMO-1..3) resumes from wherever it stands, so a second run changes nothing and prints the
logins again. Every alert step goes through alerts.services, so the audit log, messages and mail
are what production would produce.
"""

import io
from datetime import timedelta
from typing import TypedDict

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from agencies.models import Agency, County, Role, State
from agencies.services import agency_register, agency_verify, membership_grant
from alerts import services
from alerts.models import Alert, Criterion
from notifications.models import MediaSubscriber
from notifications.services.subscribers import (
    subscriber_confirm,
    subscriber_confirm_token,
    subscriber_manage_url,
    subscriber_register,
    subscriber_verify,
)

DEMO_PASSWORD = "bluealert-demo-2026"  # noqa: S105 (printed on purpose: demo accounts only)


class AgencySpec(TypedDict):
    key: str
    name: str
    ori: str
    state: str
    county: str
    address: str
    city: str
    postal_code: str
    phone: str
    tip_line: str
    head_name: str
    head_title: str
    admin: tuple[str, str]  # (email, full name)


AGENCIES: list[AgencySpec] = [
    {
        "key": "austin",
        "name": "Austin Police Department",
        "ori": "TX2270100",
        "state": "TX",
        "county": "453",
        "address": "715 E 8th St",
        "city": "Austin",
        "postal_code": "78701",
        "phone": "512-555-0100",
        "tip_line": "1-800-555-0199",
        "head_name": "Chief Lisa Davis",
        "head_title": "Chief of Police",
        "admin": ("albert@austin.example", "Albert Adams"),
    },
    {
        "key": "albany",
        "name": "Albany Police Department",
        "ori": "NY0010100",
        "state": "NY",
        "county": "001",
        "address": "165 Henry Johnson Blvd",
        "city": "Albany",
        "postal_code": "12210",
        "phone": "518-555-0100",
        "tip_line": "1-800-555-0177",
        "head_name": "Chief Eric Hawkins",
        "head_title": "Chief of Police",
        "admin": ("adam@albany.example", "Adam Abbott"),
    },
]
# (email, full name, role, agency key or state code)
PERSONAS = [
    ("carol@dps.texas.example", "Carol Castillo", Role.STATE_COORDINATOR, "TX"),
    ("yves@nysp.example", "Yves Young", Role.STATE_COORDINATOR, "NY"),
    ("nora@cops.example", "Nora Nash", Role.NATIONAL_ADMIN, None),
    ("alice@austin.example", "Alice Alvarez", Role.AGENCY_STAFF, "austin"),
    ("maria@albany.example", "Maria Moreno", Role.AGENCY_STAFF, "albany"),
]


DEMO_SUBSCRIBERS = [
    # organisation, type, contact, email, state, counties (FIPS; empty: statewide), language
    ("KXAN Austin Newsroom", "tv", "Nina Patel", "desk@kxan-demo.example", "TX", [], "both"),
    ("Austin Radio 590", "radio", "Rob Diaz", "news@radio590-demo.example", "TX", ["453", "491"], "en"),
    ("Times Union Albany", "print", "Tess Ueda", "metro@timesunion-demo.example", "NY", ["001"], "en"),
]


def demo_photo() -> SimpleUploadedFile:
    """A drawn stand-in for a vehicle photo: made here, nothing downloaded."""
    img = Image.new("RGB", (960, 640), (235, 238, 243))
    draw = ImageDraw.Draw(img)
    draw.rectangle((120, 300, 840, 500), fill=(20, 20, 20))
    draw.rectangle((520, 200, 800, 310), fill=(20, 20, 20))
    for x in (250, 700):
        draw.ellipse((x - 70, 440, x + 70, 580), fill=(60, 60, 60))
    draw.text((40, 40), "DEMO - black pickup, TX plate ABC1234", fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="JPEG")
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


class Command(BaseCommand):
    help = "Load the demo agencies, personas and alerts (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        self.logins: list[tuple[str, str]] = []
        coordinators = self.seed_coordinators()
        agencies = self.seed_agencies(coordinators)
        users = self.seed_agency_staff(agencies)
        # Newsrooms first, so the demo alerts are really distributed to them.
        self.seed_subscribers(coordinators)
        self.seed_alerts(agencies, users, coordinators)
        self.print_logins()

    # --- people and agencies ------------------------------------------------------------------

    def user(self, email: str, full_name: str):
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=email).first()
        if user is None:
            user = user_model.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
        return user

    def seed_coordinators(self) -> dict:
        people = {}
        for email, name, role, where in PERSONAS:
            if role not in (Role.STATE_COORDINATOR, Role.NATIONAL_ADMIN):
                continue
            user = self.user(email, name)
            state = State.objects.get(usps=where) if where else None
            if not user.memberships.filter(role=role, state=state, is_active=True).exists():
                membership_grant(actor=None, user=user, role=role, state=state)
            people[where or "national"] = user
            label = f"coordinator, {state.name}" if state else "national administrator"
            self.logins.append((email, label))
        return people

    def seed_agencies(self, coordinators: dict) -> dict:
        agencies = {}
        for spec in AGENCIES:
            state = State.objects.get(usps=spec["state"])
            agency = Agency.objects.filter(ori=spec["ori"]).first()
            admin_email, admin_name = spec["admin"]
            if agency is None:
                # The real path: a registration, then a coordinator's verification.
                agency = agency_register(
                    name=spec["name"],
                    ori=spec["ori"],
                    agency_type=Agency.Type.MUNICIPAL,
                    state=state,
                    county=County.objects.get(state=state, fips=spec["county"]),
                    address=spec["address"],
                    city=spec["city"],
                    postal_code=spec["postal_code"],
                    phone=spec["phone"],
                    tip_line=spec["tip_line"],
                    head_name=spec["head_name"],
                    head_title=spec["head_title"],
                    admin_full_name=admin_name,
                    admin_email=admin_email,
                )
            if agency.status == Agency.Status.PENDING:
                agency = agency_verify(actor=coordinators[spec["state"]], agency=agency, note="Demo agency")
            admin = self.user(admin_email, admin_name)
            if not admin.has_usable_password():
                admin.set_password(DEMO_PASSWORD)
                admin.save(update_fields=["password"])
            if not admin.memberships.filter(agency=agency, is_active=True).exists():
                membership_grant(actor=None, user=admin, role=Role.AGENCY_ADMIN, agency=agency)
            agencies[spec["key"]] = agency
            self.logins.append((admin_email, f"agency administrator, {agency.name}"))
        return agencies

    def seed_agency_staff(self, agencies: dict) -> dict:
        users = {}
        for email, name, role, where in PERSONAS:
            if role != Role.AGENCY_STAFF:
                continue
            user = self.user(email, name)
            agency = agencies[where]
            if not user.memberships.filter(agency=agency, is_active=True).exists():
                membership_grant(actor=None, user=user, role=role, agency=agency)
            users[where] = user
            self.logins.append((email, f"agency staff, {agency.name}"))
        return users

    # --- alerts ---------------------------------------------------------------------------------

    def draft(self, *, user, agency, marker: str, trigger: str, fields: dict, suspect: dict, vehicle: dict | None):
        alert = Alert.objects.filter(agency=agency, case_number=marker).first()
        if alert is not None:
            return alert
        alert = services.alert_create(actor=user, agency=agency, trigger=trigger)
        services.alert_save_draft(
            actor=user,
            alert=alert,
            fields={"case_number": marker, **fields},
            suspects=[suspect],
            vehicles=[vehicle] if vehicle else [],
            regenerate_texts=True,
        )
        keys = Criterion.objects.filter(state=agency.state, is_active=True, required=True).values_list("key", flat=True)
        services.alert_attest(actor=user, alert=alert, keys=set(keys))
        alert.refresh_from_db()
        self.stdout.write(f"  drafted {marker} ({agency.name})")
        return alert

    def submit(self, alert: Alert, user) -> None:
        if alert.status in (Alert.Status.DRAFT, Alert.Status.RETURNED):
            services.alert_submit(actor=user, alert=alert)
            self.stdout.write(f"  submitted {alert.case_number}")

    def approve(self, alert: Alert, coordinator) -> None:
        if alert.status == Alert.Status.PENDING:
            # The command acts as the coordinator who has just confirmed their password.
            services.alert_approve(actor=coordinator, alert=alert, reauthenticated_at=timezone.now())
            alert.refresh_from_db()
            self.stdout.write(f"  approved {alert.case_number}")

    def seed_alerts(self, agencies: dict, users: dict, coordinators: dict) -> None:
        austin, albany = agencies["austin"], agencies["albany"]
        alice, maria, carol = users["austin"], users["albany"], coordinators["TX"]
        tx, ny = State.objects.get(usps="TX"), State.objects.get(usps="NY")
        now = timezone.now()

        # DEMO-1: active, with an approved update (new direction and a photo).
        one = self.draft(
            user=alice,
            agency=austin,
            marker="DEMO-1",
            trigger=Alert.Trigger.INJURED,
            fields={
                "incident_at": now - timedelta(hours=2),
                "incident_address": "900 E 6th St",
                "incident_city": "Austin",
                "last_seen_place": "I-35 at E 6th St",
                "last_seen_at": now - timedelta(hours=1),
                "direction": "N",
                "travel_mode": "vehicle",
                "officer_name": "Officer Dana Reyes",
                "private_notes": "Suspect's sister lives in Round Rock.",
            },
            suspect={
                "name": "John Doe",
                "sex": "Male",
                "race": "White",
                "age": 34,
                "height": "5'11\"",
                "weight": "180 lb",
                "hair": "brown",
                "clothing": "black hoodie, jeans",
                "armed_and_dangerous": True,
            },
            vehicle={
                "year": 2019,
                "make": "Ford",
                "model": "F-150",
                "color": "Black",
                "plate": "ABC1234",
                "plate_state": tx,
            },
        )
        self.submit(one, alice)
        self.approve(one, carol)
        if one.status == Alert.Status.ACTIVE and one.messages.count() == 1:
            if one.update_state == "":
                services.alert_update_start(actor=alice, alert=one)
            if one.update_state in (Alert.UpdateState.DRAFT, Alert.UpdateState.RETURNED):
                services.alert_save_draft(
                    actor=alice,
                    alert=one,
                    fields={
                        "last_seen_place": "I-35 southbound at Slaughter Ln",
                        "last_seen_at": now - timedelta(minutes=20),
                        "direction": "S",
                    },
                    regenerate_texts=True,
                )
                if not one.photos.exists():
                    services.alert_photo_add(
                        actor=alice,
                        alert=one,
                        upload=demo_photo(),
                        caption="Suspect vehicle",
                        vehicle=one.vehicles.first(),
                    )
                services.alert_update_submit(actor=alice, alert=one, note="Seen heading south on I-35; vehicle photo.")
            if one.update_state == Alert.UpdateState.PENDING:
                services.alert_update_approve(actor=carol, alert=one, reauthenticated_at=timezone.now())
                self.stdout.write("  approved the update of DEMO-1")

        # DEMO-2: resolved (suspect apprehended).
        two = self.draft(
            user=alice,
            agency=austin,
            marker="DEMO-2",
            trigger=Alert.Trigger.THREAT,
            fields={
                "incident_at": now - timedelta(days=3),
                "incident_city": "Austin",
                "last_seen_place": "US-183 at Lakeline Blvd",
                "direction": "W",
                "travel_mode": "vehicle",
            },
            suspect={"name": "Richard Roe", "sex": "Male", "age": 41, "clothing": "green jacket"},
            vehicle={
                "year": 2015,
                "make": "Chevrolet",
                "model": "Malibu",
                "color": "Silver",
                "plate": "KLM*8",
                "plate_partial": True,
                "plate_state": tx,
            },
        )
        self.submit(two, alice)
        self.approve(two, carol)
        if two.status == Alert.Status.ACTIVE:
            services.alert_resolve(
                actor=carol,
                alert=two,
                outcome=Alert.Outcome.APPREHENDED,
                note="Arrested in Cedar Park.",
                reauthenticated_at=timezone.now(),
            )
            self.stdout.write("  resolved DEMO-2")

        # DEMO-3: pending approval in New York (for Yves's queue).
        three = self.draft(
            user=maria,
            agency=albany,
            marker="DEMO-3",
            trigger=Alert.Trigger.KILLED,
            fields={
                "incident_at": now - timedelta(minutes=40),
                "incident_city": "Albany",
                "last_seen_place": "I-787 at Quay St",
                "direction": "S",
                "travel_mode": "vehicle",
            },
            suspect={
                "name": "",
                "sex": "Male",
                "age": 25,
                "height": "6'0\"",
                "clothing": "red baseball cap, grey coat",
            },
            vehicle={
                "year": 2021,
                "make": "Honda",
                "model": "Civic",
                "color": "Blue",
                "plate": "JKR5521",
                "plate_state": ny,
            },
        )
        self.submit(three, maria)

    # --- media subscribers (issue 5) ----------------------------------------------------------

    def seed_subscribers(self, coordinators: dict) -> None:
        """A few verified newsrooms, signed up, confirmed and verified through the services."""
        self.subscriber_links = []
        for org, kind, contact, email, usps, county_fips, language in DEMO_SUBSCRIBERS:
            subscriber = MediaSubscriber.objects.filter(email__iexact=email).first()
            if subscriber is None:
                state = State.objects.get(usps=usps)
                counties = list(County.objects.filter(state=state, fips__in=county_fips))
                data = {
                    "organisation": org,
                    "outlet_type": kind,
                    "contact_name": contact,
                    "email": email,
                    "phone": "555-0123",
                    "language": language,
                    "wants_exercises": False,
                }
                with transaction.atomic():
                    subscriber = subscriber_register(data=data, states=[state], counties=counties)
                with transaction.atomic():
                    subscriber_confirm(token=subscriber_confirm_token(subscriber))
                coordinator = coordinators[usps]
                with transaction.atomic():
                    subscriber_verify(actor=coordinator, subscriber=MediaSubscriber.objects.get(pk=subscriber.pk))
                self.stdout.write(f"  newsroom {org} verified")
            self.subscriber_links.append((org, subscriber_manage_url(subscriber)))

    # --- output ---------------------------------------------------------------------------------

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role in self.logins:
            self.stdout.write(f"  {email:<28} {role}")
        self.stdout.write("Sign in at /accounts/login/. Coordinators and administrators set up an authenticator")
        self.stdout.write("app (any TOTP app) at their first sign-in.")
        self.stdout.write("Demo newsrooms (their mail is under var/mail/; their own pages, no password):")
        for org, url in getattr(self, "subscriber_links", []):
            self.stdout.write(f"  {org:<28} {url}")
