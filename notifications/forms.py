from urllib.parse import urlparse

from django import forms
from django.conf import settings

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
    """States (required) and, optionally, counties within them."""

    states = forms.ModelMultipleChoiceField(
        queryset=State.objects.participating().order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8, "class": "states-select"}),
        help_text="Hold Ctrl (Cmd on a Mac) to choose more than one.",
    )
    counties = forms.MultipleChoiceField(
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10, "class": "counties-select"}),
        help_text="Optional. Leave empty to receive alerts for the whole of each state you chose; "
        "choose counties to receive only alerts that include one of them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counties"].choices = _county_choices()

    def clean(self):
        cleaned = super().clean()
        states = list(cleaned.get("states") or [])
        ids = [int(pk) for pk in cleaned.get("counties") or []]
        counties = list(County.objects.filter(pk__in=ids).select_related("state"))
        outside = sorted(str(c) for c in counties if c.state not in states)
        if outside:
            self.add_error("counties", f"Choose counties only in the states you cover (not: {', '.join(outside)}).")
        cleaned["county_objects"] = counties
        return cleaned

    def clean_webhook_url(self):
        url = (self.cleaned_data.get("webhook_url") or "").strip()
        if url and urlparse(url).scheme != "https" and not settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP:
            raise forms.ValidationError("The webhook URL must start with https://")
        return url


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
