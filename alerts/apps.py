from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import events, receivers

        events.message_approved.connect(receivers.publish_after_commit, dispatch_uid="alerts.publish.message")
        events.alert_ended.connect(receivers.publish_after_commit, dispatch_uid="alerts.publish.ended")
