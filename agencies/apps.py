from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import policy

        from .account_policy import AgencyAccountPolicy

        policy.register(AgencyAccountPolicy())
