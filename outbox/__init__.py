"""The outbox: workflow notices, deliveries, sending (SMTP and webhooks), retries and the sweeper.

An app of its own because every app above it sends through it (alerts' workflow mail, agencies'
registration mail, notifications' alert messages, and later accounts' security mail) and it must
not know any of them: it knows rows, addresses, queues and outcomes, never an alert.

What sending needs from an upper layer it gets without importing that layer:

- a workflow `Notice` is rendered by the caller once (`outbox.services.notice_create`), so its rows
  carry everything the sender needs;
- an alert message's email and webhook body, the subscriber's webhook secret and the threading
  headers come from the content provider the distribution side registers in its AppConfig.ready
  (`outbox.content`).

`Delivery` keeps foreign keys to `alerts.Message`, `notifications.MediaSubscriber` and the user as
lazy string references: they are database constraints on the rows (a message or a subscriber with
deliveries cannot be deleted; the dashboard counts a message's rows), not code the outbox calls. The
tables are the ones notifications created (`notifications_notice`, `notifications_delivery`), moved
here without touching the data.
"""
