"""Forms of the subscriber pages: they parse and present; what a subscription may hold is decided by
notifications.services.subscribers.subscription_check, for these pages and the API alike."""

from django import forms

from agencies.models import County, State

from .models import MediaSubscriber


def _county_choices() -> list:
    groups: dict[str, list] = {}
    for pk, name, state_name in (
        County.objects.filter(state__is_participating=True)
        .order_by("state__name", "name")
        .values_list("pk", "name", "state__name")
    ):
        groups.setdefault(state_name, []).append((str(pk), name))
    return list(groups.items())


class AreaFormMixin(forms.Form):
    """States (required) and, optionally, counties within them. The lists offer the network's states
    and their counties; whatever state or county is posted is parsed, and the service says which
    choices it refuses."""

    states = forms.ModelMultipleChoiceField(
        queryset=State.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8, "class": "states-select"}),
        help_text="Hold Ctrl (Cmd on a Mac) to choose more than one.",
    )
    counties = forms.ModelMultipleChoiceField(
        queryset=County.objects.select_related("state"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10, "class": "counties-select"}),
        help_text="Optional. Leave empty to receive alerts for the whole of each state you chose; "
        "choose counties to receive only alerts that include one of them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["states"].widget.choices = [
            (state.pk, state.name) for state in State.objects.participating().order_by("name")
        ]
        self.fields["counties"].widget.choices = _county_choices()


class SubscribeForm(AreaFormMixin):
    organisation = forms.CharField(label="Organisation", max_length=200)
    outlet_type = forms.ChoiceField(label="Type of outlet", choices=MediaSubscriber.OutletType.choices)
    contact_name = forms.CharField(label="Contact name", max_length=150)
    email = forms.EmailField(help_text="Alerts go to this address. We send a link to confirm it.")
    phone = forms.CharField(max_length=40, help_text="So the coordinator can verify your outlet.")
    language = forms.ChoiceField(
        choices=MediaSubscriber.Language.choices, widget=forms.RadioSelect, initial=MediaSubscriber.Language.EN
    )
    wants_exercises = forms.BooleanField(label="Also send me exercise (training) messages", required=False)
    webhook_url = forms.URLField(
        label="Webhook URL (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="We POST each message as signed JSON (Standard Webhooks) to this URL.",
    )

    field_order = [
        "organisation",
        "outlet_type",
        "contact_name",
        "email",
        "phone",
        "states",
        "counties",
        "language",
        "wants_exercises",
        "webhook_url",
    ]


class PreferencesForm(AreaFormMixin):
    language = forms.ChoiceField(choices=MediaSubscriber.Language.choices, widget=forms.RadioSelect)
    wants_exercises = forms.BooleanField(label="Also send me exercise (training) messages", required=False)
    webhook_url = forms.URLField(label="Webhook URL (optional)", required=False, max_length=500, assume_scheme="https")

    field_order = ["states", "counties", "language", "wants_exercises", "webhook_url"]


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, help_text="The outlet is told this reason."
    )
