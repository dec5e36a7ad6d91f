from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from alerts import events
        from outbox import content

        from . import receivers
        from .services.content import AlertMessageContent

        events.message_approved.connect(receivers.distribute_after_commit, dispatch_uid="notifications.distribute")
        content.register(AlertMessageContent())
