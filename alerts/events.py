"""What the alert workflow announces, for whoever reacts: alerts' own publishing and the
distribution side (notifications). Alerts imports nobody to announce; the reacting apps connect
their receivers in their AppConfig.ready.

Each signal is sent inside the transaction that made the change. A receiver only schedules work
after commit (`transaction.on_commit`) or records it in the same transaction; a rollback therefore
publishes and sends nothing.
"""

from django.dispatch import Signal

# A message (Alert, Update or Cancel) was approved and frozen. Arguments: message_id, alert_id.
message_approved = Signal()

# An alert ended without a message (expiry): its pages and feeds must change. Argument: alert_id.
alert_ended = Signal()
