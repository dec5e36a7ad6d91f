"""Who receives a message, the outbox rows, idempotency, threading and the email itself."""

import pytest
from django.db import transaction

from agencies.models import Agency, Membership
from alerts.events import message_approved
from alerts.models import Message
from audit.models import AuditEvent
from notifications.models import MediaSubscriber
from notifications.services import recipients_for_message
from notifications.services.rendering import message_mail_id
from outbox.models import Delivery, Notice
from outbox.services import email_notify
from outbox.tasks import deliveries_send

from .factories import county, make_alert, make_message, make_subscriber

pytestmark = pytest.mark.django_db


def _keys(message):
    return {(d.address, d.channel) for d in recipients_for_message(message)}


def _to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address]]


def test_it_sends_to_subscribers_whose_states_and_counties_meet_the_alert(alice, carol, agency_a):
    travis, harris = county("TX", "453"), county("TX", "201")
    make_subscriber("whole@tx.example")
    make_subscriber("travis@tx.example", counties=[travis])
    make_subscriber("harris@tx.example", counties=[harris])
    make_subscriber("ny@ny.example", states=["NY"])
    make_subscriber("pending@tx.example", status=MediaSubscriber.Status.PENDING)
    make_subscriber("gone@tx.example", status=MediaSubscriber.Status.UNSUBSCRIBED)
    make_subscriber("unconfirmed@tx.example", status=MediaSubscriber.Status.UNCONFIRMED)
    alert = make_alert(agency=agency_a, created_by=alice, statewide=False, counties=[travis])
    message = make_message(alert, approved_by=carol)

    addresses = {a for a, _ in _keys(message)}

    assert {"whole@tx.example", "travis@tx.example"} <= addresses
    assert not addresses & {
        "harris@tx.example",
        "ny@ny.example",
        "pending@tx.example",
        "gone@tx.example",
        "unconfirmed@tx.example",
    }


def test_a_statewide_alert_reaches_subscribers_of_any_county_and_of_joined_states(alice, carol, agency_a):
    make_subscriber("harris@tx.example", counties=[county("TX", "201")])
    make_subscriber("albany@ny.example", states=["NY"], counties=[county("NY", "001")])
    make_subscriber("ok@ok.example", states=["OK"])
    alert = make_alert(agency=agency_a, created_by=alice, statewide=True, extra_states=["NY"])
    message = make_message(alert, approved_by=carol)

    addresses = {a for a, _ in _keys(message)}

    assert {"harris@tx.example", "albany@ny.example"} <= addresses
    assert "ok@ok.example" not in addresses


def test_law_enforcement_of_verified_agencies_in_the_area_get_the_law_enforcement_version(
    alice, albert, carol, mallory, agency_a, mailoutbox, distribute
):
    make_subscriber("desk@tx.example")
    pending = Agency.objects.create(
        name="Pending PD",
        ori="TX9999999",
        agency_type="municipal",
        state=agency_a.state,
        address="x",
        city="x",
        postal_code="0",
        phone="0",
        head_name="x",
    )
    from conftest import _grant, _user

    _grant(_user("pat@pending.example", "Pat"), "agency_staff", agency=pending)
    former = _grant(_user("fred@austin.example", "Fred"), "agency_staff", agency=agency_a)
    Membership.objects.filter(user=former).update(is_active=False)
    alert = make_alert(agency=agency_a, created_by=alice)
    message = make_message(alert, approved_by=carol)

    distribute(message)

    le = {d.address for d in Delivery.objects.filter(message=message, audience=Delivery.Audience.LAW_ENFORCEMENT)}
    assert le == {alice.email, albert.email}  # not mallory (NY), not a pending agency, not a former member
    assert _to(mailoutbox, mallory.email) == []
    le_mail = _to(mailoutbox, alice.email)[0]
    media_mail = _to(mailoutbox, "desk@tx.example")[0]
    assert "Det. Rivera 512-555-0142" in le_mail.body and "Officer Jane Doe" in le_mail.body
    assert "Det. Rivera" not in media_mail.body and "Officer Jane Doe" not in media_mail.body
    assert "List-Unsubscribe" not in le_mail.extra_headers


def test_exercise_messages_reach_only_subscribers_who_opted_in(alice, carol, agency_a, mailoutbox, distribute):
    make_subscriber("drills@tx.example", wants_exercises=True)
    make_subscriber("live@tx.example")
    alert = make_alert(agency=agency_a, created_by=alice, is_exercise=True)
    message = make_message(alert, approved_by=carol)

    distribute(message)

    assert [m.to for m in mailoutbox] == [["drills@tx.example"]]
    assert mailoutbox[0].subject.startswith("EXERCISE – BLUE ALERT – Texas – ")
    assert "EXERCISE – NOT A REAL ALERT" in mailoutbox[0].body


def test_the_email_has_subject_summary_links_and_one_click_unsubscribe(
    alice, carol, agency_a, mailoutbox, settings, distribute
):
    sub = make_subscriber("desk@tx.example", language="both")
    alert = make_alert(agency=agency_a, created_by=alice)
    message = make_message(alert, approved_by=carol)

    distribute(message)

    (mail,) = _to(mailoutbox, sub.email)
    assert mail.subject == "BLUE ALERT – Texas – Officer shot in Austin; suspect at large"
    assert mail.body.startswith("Blue Alert: an officer was shot in Austin, TX.")
    assert "Alerta Azul: un policía fue herido" in mail.body
    assert f"{settings.SITE_URL}/alerts/{alert.public_id}/" in mail.body
    assert f"{settings.SITE_URL}/cap/{message.message_id}.xml" in mail.body
    html = mail.alternatives[0][0]
    assert "Alerta Azul" in html and f"/cap/{message.message_id}.xml" in html
    unsubscribe = mail.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/subscriber/") and unsubscribe.endswith("/unsubscribe/>")
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    manage = unsubscribe[1:-1].removesuffix("unsubscribe/")
    assert manage in mail.body and "BLUEALERT_" not in mail.body + html
    assert mail.extra_headers["Message-ID"] == message_mail_id(message.message_id, sub.recipient_key)


def test_running_distribution_twice_creates_nothing_new_and_sends_nothing_twice(
    alice, carol, agency_a, mailoutbox, distribute
):
    for i in range(5):
        make_subscriber(f"n{i}@tx.example")
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)

    created_first = distribute(message)
    created_again = distribute(message)

    assert created_first == 5 + 1 and created_again == 0  # five subscribers and alice
    assert Delivery.objects.filter(message=message).count() == 6
    assert len(mailoutbox) == 6
    assert AuditEvent.objects.filter(action="message.distribution_planned", target_id=str(message.pk)).count() == 1


def test_the_same_send_task_delivered_twice_sends_nothing_twice(alice, carol, agency_a, mailoutbox, distribute):
    make_subscriber("n@tx.example")
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)
    distribute(message)
    ids = list(Delivery.objects.filter(message=message).values_list("pk", flat=True))
    sent = len(mailoutbox)

    assert deliveries_send.apply(args=[ids]).get() == 0
    assert deliveries_send.apply(args=[ids]).get() == 0
    assert len(mailoutbox) == sent
    assert set(Delivery.objects.filter(message=message).values_list("status", flat=True)) == {"sent"}


def test_a_rolled_back_approval_enqueues_nothing(
    alice, carol, agency_a, mailoutbox, django_capture_on_commit_callbacks
):
    make_subscriber("n@tx.example")
    alert = make_alert(agency=agency_a, created_by=alice)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        message = make_message(alert, approved_by=carol)
        message_approved.send(sender=Message, message_id=message.pk, alert_id=alert.pk)
        raise RuntimeError("approval failed after the hook")

    assert callbacks == []
    assert not Message.objects.filter(alert=alert).exists()
    assert not Delivery.objects.exists()
    assert mailoutbox == []


def test_an_update_goes_to_earlier_recipients_and_new_ones_in_the_same_thread(
    alice, carol, agency_a, mailoutbox, distribute
):
    early = make_subscriber("early@tx.example")
    gone = make_subscriber("gone@tx.example")
    moved = make_subscriber("moved@tx.example")
    alert = make_alert(agency=agency_a, created_by=alice)
    first = make_message(alert, approved_by=carol)
    distribute(first)
    gone.status = MediaSubscriber.Status.UNSUBSCRIBED
    gone.save()
    moved.states.set([agency_a.state.__class__.objects.get(usps="NY")])  # no longer covers Texas
    late = make_subscriber("late@tx.example")
    mailoutbox.clear()

    update = make_message(alert, approved_by=carol, kind=Message.Kind.UPDATE, note="New vehicle: blue Honda.")
    distribute(update)

    got = {m.to[0] for m in mailoutbox}
    assert got == {early.email, moved.email, late.email, alice.email}
    mail = _to(mailoutbox, early.email)[0]
    original = message_mail_id(first.message_id, early.recipient_key)
    assert mail.extra_headers["In-Reply-To"] == original
    assert mail.extra_headers["References"] == original
    assert mail.subject == "BLUE ALERT – Texas – UPDATE: Officer shot in Austin; suspect at large"
    assert "New vehicle: blue Honda." in mail.body


def test_a_cancellation_reaches_everyone_who_received_the_alert_even_after_unsubscribing(
    alice, carol, agency_a, mailoutbox, distribute
):
    gone = make_subscriber("gone@tx.example")
    alert = make_alert(agency=agency_a, created_by=alice)
    first = make_message(alert, approved_by=carol)
    distribute(first)
    gone.status = MediaSubscriber.Status.UNSUBSCRIBED
    gone.save()
    Membership.objects.filter(user=alice).update(is_active=False)
    mailoutbox.clear()

    cancel = make_message(alert, approved_by=carol, kind=Message.Kind.CANCEL, note="Suspect in custody.")
    distribute(cancel)

    assert {m.to[0] for m in mailoutbox} == {gone.email, alice.email}
    former = _to(mailoutbox, alice.email)[0]
    assert "Det. Rivera" not in former.body  # no longer a member: the public version
    assert Delivery.objects.get(message=cancel, recipient_key=f"user.{alice.pk}").audience == "public"
    assert _to(mailoutbox, gone.email)[0].subject.startswith("BLUE ALERT – Texas – CANCELLED: ")
    rows = Delivery.objects.filter(message=cancel)
    assert rows.count() == 2 and set(rows.values_list("status", flat=True)) == {"sent"}


def test_email_notify_goes_through_the_outbox_after_commit(carol, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_notify(
            to=[carol.email, carol.email.upper(), ""],
            template="notifications/email/subscriber_review",
            context={
                "subscriber": MediaSubscriber(organisation="KXAN", email="x@kxan.example"),
                "review_url": "http://x/",
            },
        )
        assert mailoutbox == []

    assert [m.to for m in mailoutbox] == [[carol.email]]
    assert mailoutbox[0].subject == "Media outlet awaiting verification: KXAN"
    notice = Notice.objects.get()
    assert notice.deliveries.get().status == Delivery.Status.SENT


def test_mallory_in_another_state_receives_nothing_of_a_texas_alert(
    alice, carol, mallory, agency_a, mailoutbox, distribute
):
    make_subscriber("ny@ny.example", states=["NY"])
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)

    distribute(message)

    assert not {mallory.email, "ny@ny.example"} & {m.to[0] for m in mailoutbox}


def test_planning_commits_page_by_page_and_queues_each_page_as_it_commits(
    alice, carol, agency_a, mailoutbox, settings, django_capture_on_commit_callbacks
):
    from notifications.models import DistributionPlan
    from notifications.services import message_distribute

    settings.NOTIFICATIONS_PLAN_PAGE = 2
    settings.NOTIFICATIONS_CHUNK_SIZE = 2
    for i in range(5):
        make_subscriber(f"n{i}@tx.example")
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert message_distribute(message_id=message.pk) == 6
    # Law enforcement (alice) is planned first; three pages of two rows, each queued on its commit.
    assert len(callbacks) == 3
    first_page = Delivery.objects.filter(message=message).order_by("pk")[:2]
    assert first_page[0].address == alice.email
    assert DistributionPlan.objects.get(message=message).deliveries == 6
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([alice.email] + [f"n{i}@tx.example" for i in range(5)])


def test_a_planning_cut_short_is_completed_by_the_next_run(alice, carol, agency_a, settings, distribute):
    from notifications.models import DistributionPlan
    from notifications.services import message_deliveries_create

    settings.NOTIFICATIONS_PLAN_PAGE = 2
    for i in range(5):
        make_subscriber(f"n{i}@tx.example")
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)

    class Killed(Exception):
        pass

    def die_after_first_page(ids):
        raise Killed  # the worker dies inside the second page's transaction

    pages = []
    with pytest.raises(Killed):
        message_deliveries_create(
            message_id=message.pk, on_page=lambda ids: pages.append(ids) if not pages else die_after_first_page(ids)
        )
    assert Delivery.objects.filter(message=message).count() == 2  # the first page committed, the second did not
    assert not DistributionPlan.objects.filter(message=message).exists()

    assert distribute(message) == 4
    assert Delivery.objects.filter(message=message).count() == 6
    assert DistributionPlan.objects.filter(message=message).exists()


def test_a_message_whose_planning_task_was_lost_is_planned_by_the_plan_check(
    alice, carol, agency_a, mailoutbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import DistributionPlan
    from notifications.tasks import messages_plan_check

    make_subscriber("n@tx.example")
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)
    # Approved three minutes ago; the message_distribute task never ran (lost with the broker).
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    assert not Delivery.objects.filter(message=message).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert messages_plan_check() == 1  # tasks run in-process here: planned and sent

    assert DistributionPlan.objects.get(message=message).deliveries == 2
    assert set(Delivery.objects.filter(message=message).values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@austin.example", "n@tx.example"]
    # Planned now: the next check leaves it alone.
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_plan_check() == 0
    assert len(mailoutbox) == 2


def test_a_message_just_approved_is_not_planned_twice_by_the_plan_check(
    alice, carol, agency_a, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.tasks import messages_plan_check

    make_subscriber("n@tx.example")
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)

    with django_capture_on_commit_callbacks(execute=True):
        assert messages_plan_check() == 0
    assert not Delivery.objects.filter(message=message).exists() and mailoutbox == []
