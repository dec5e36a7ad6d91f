"""The content provider notifications registers with the outbox (notifications.services.content)."""

import pytest

from notifications.services.content import AlertMessageContent
from outbox.models import Delivery, Notice
from outbox.sending import PermanentFailure


def test_the_provider_refuses_a_row_without_an_alert_message_instead_of_failing_on_none():
    delivery = Delivery(
        notice=Notice(template="x", subject="A workflow email", body_text="Body"),
        recipient_key="addr.carol@example.org",
        channel=Delivery.Channel.EMAIL,
        audience=Delivery.Audience.WORKFLOW,
        address="carol@example.org",
    )
    with pytest.raises(PermanentFailure, match="not an alert-message delivery"):
        AlertMessageContent().email(delivery)
