"""Forms of the drafting and review pages. They check input; the services decide."""

from typing import cast

from django import forms
from django.forms import inlineformset_factory

from agencies.models import Agency, County, State

from .fields import DRAFT_FIELDS, SUSPECT_FIELDS, VEHICLE_FIELDS
from .models import Alert, Criterion, Suspect, Vehicle
from .photos import MAX_UPLOAD_BYTES
from .services import MAX_EXTENSION_HOURS
from .texts import EAS_MAX_SECONDS, HEADLINE_MAX, WEA_FIELDS, plain_texts, texts_problems

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AlertCreateForm(forms.Form):
    agency: "forms.ModelChoiceField[Agency]" = forms.ModelChoiceField(queryset=None, empty_label=None)
    trigger = forms.ChoiceField(choices=Alert.Trigger.choices, widget=forms.RadioSelect)
    is_exercise = forms.BooleanField(
        required=False,
        label="This is an EXERCISE (training)",
        help_text="Runs the whole workflow but never appears publicly and never reaches live recipients. "
        "It cannot be changed later.",
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]


class AlertForm(forms.ModelForm):
    """The working copy's own fields, with the channel-text rules applied as the service applies them."""

    class Meta:
        model = Alert
        fields = list(DRAFT_FIELDS) + ["counties", "extra_states"]
        widgets = {
            "incident_at": DATETIME_WIDGET,
            "last_seen_at": DATETIME_WIDGET,
            "private_notes": forms.Textarea(attrs={"rows": 3}),
            "officer_description": forms.Textarea(attrs={"rows": 3}),
            "headline": forms.TextInput(attrs={"data-limit": HEADLINE_MAX}),
            "eas_script": forms.Textarea(attrs={"rows": 5, "data-eas": EAS_MAX_SECONDS}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "description_es": forms.Textarea(attrs={"rows": 6, "lang": "es"}),
            "counties": forms.SelectMultiple(attrs={"size": 8}),
            "extra_states": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "case_number": "Internal: never public.",
            "ncic_number": "Internal: never public. Required where the state asks for it.",
            "private_notes": "Stays in the portal; never sent.",
            "officer_name": "Private unless a coordinator releases it.",
            "statewide": "Untick to choose counties below.",
            "counties": "Used when the alert is not statewide.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        alert = self.instance
        self.fields["incident_county"].queryset = (
            County.objects.filter(state=alert.state_id).select_related("state").order_by("name")
        )
        self.fields["counties"].queryset = (
            County.objects.filter(state=alert.state_id).select_related("state").order_by("name")
        )
        self.fields["extra_states"].queryset = State.objects.exclude(pk=alert.state_id).order_by("name")
        for name, limit in WEA_FIELDS.items():
            self.fields[name].widget = forms.Textarea(
                attrs={
                    "rows": 2 if limit <= 90 else 4,
                    "data-limit": limit,
                    "data-gsm": "1",
                    **({"lang": "es"} if name.endswith("_es") else {}),
                }
            )
            self.fields[name].max_length = None  # the GSM count below is the rule, with a clearer message
            self.fields[name].validators = []
            self.fields[name].help_text = f"At most {limit} characters, GSM 7-bit only (no accents on a, i, o, u)."

    def clean(self):
        data = super().clean()
        data.update(plain_texts(data))
        for name, problems in texts_problems(data).items():
            for p in problems:
                self.add_error(name, p)
        return data

    def service_fields(self) -> dict:
        return {f: self.cleaned_data[f] for f in DRAFT_FIELDS if f in self.cleaned_data}


class SuspectForm(forms.ModelForm):
    class Meta:
        model = Suspect
        fields = list(SUSPECT_FIELDS)
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class VehicleForm(forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = list(VEHICLE_FIELDS)
        labels = {"plate_partial": "The plate is partial"}

    def clean_plate(self):
        return "".join(self.cleaned_data.get("plate", "").upper().split())

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 1900 <= year <= 2100:
            raise forms.ValidationError("Give a four-digit year.")
        return year


SuspectFormSet = inlineformset_factory(Alert, Suspect, form=SuspectForm, extra=0, can_delete=True)
VehicleFormSet = inlineformset_factory(Alert, Vehicle, form=VehicleForm, extra=0, can_delete=True)


def formset_rows(formset) -> list[dict]:
    """The formset as the service wants it: dicts with "id" (None for a new row) and "DELETE"."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue  # an untouched blank row
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("id", "alert", "DELETE")}
        rows.append({**data, "id": form.instance.pk, "DELETE": bool(form.cleaned_data.get("DELETE"))})
    return rows


class CriteriaForm(forms.Form):
    """One checkbox per active criterion of the alert's state."""

    def __init__(self, *args, alert: Alert, **kwargs):
        super().__init__(*args, **kwargs)
        attested = set(alert.attestations.values_list("criterion__key", flat=True))
        for c in Criterion.objects.filter(state=alert.state_id, is_active=True):
            label = c.label + ("" if c.required else " (optional)")
            self.fields[f"criterion_{c.key}"] = forms.BooleanField(
                required=False, label=label, help_text=c.help_text, initial=c.key in attested
            )

    def keys(self) -> set[str]:
        return {name.removeprefix("criterion_") for name, value in self.cleaned_data.items() if value}


class PhotoForm(forms.Form):
    image = forms.FileField(
        label="Photo",
        help_text=f"JPEG, PNG or WebP, at most {MAX_UPLOAD_BYTES // 1048576} MB. Location data and "
        "other metadata are removed.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(max_length=200, required=False)
    subject = forms.ChoiceField(label="Shows", required=False)

    def __init__(self, *args, alert: Alert, **kwargs):
        super().__init__(*args, **kwargs)
        self.alert = alert
        choices = [("", "The alert in general")]
        choices += [(f"s{s.pk}", f"Suspect: {s}") for s in alert.suspects.all()]
        choices += [(f"v{v.pk}", f"Vehicle: {v}") for v in alert.vehicles.all()]
        cast(forms.ChoiceField, self.fields["subject"]).choices = choices  # the field declared above

    def suspect_and_vehicle(self):
        value = self.cleaned_data.get("subject") or ""
        if value.startswith("s"):
            return self.alert.suspects.filter(pk=value[1:]).first(), None
        if value.startswith("v"):
            return None, self.alert.vehicles.filter(pk=value[1:]).first()
        return None, None


class UpdateSubmitForm(forms.Form):
    note = forms.CharField(
        label="What changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='For the coordinator and the history, e.g. "New direction: north on I-35".',
    )


class ExtendForm(forms.Form):
    hours = forms.IntegerField(label="Extend by (hours)", min_value=1, max_value=MAX_EXTENSION_HOURS, initial=24)
    note = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Alert.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    officer_release = forms.ChoiceField(
        label="Officer details",
        choices=Alert.OfficerRelease.choices,
        help_text="Private unless you release them. Public means they appear on every public output.",
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Sent to the agency and kept in the history."
    )
