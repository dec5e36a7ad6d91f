"""Forms of the agencies pages. They check input early for a friendly message; the services decide."""

from typing import cast

from django import forms
from django.contrib.auth import get_user_model, password_validation

from .models import AGENCY_ROLES, Agency, County, Membership, Role, State, validate_ori
from .services import DUPLICATE_EMAIL, DUPLICATE_ORI

AGENCY_ROLE_CHOICES = [(r.value, r.label) for r in AGENCY_ROLES]


def _county_choices() -> list:
    """Counties grouped by state name; static/agencies/register.js shows only the chosen state's group."""
    groups: dict[str, list] = {}
    for pk, name, state_name in County.objects.order_by("state__name", "name").values_list("pk", "name", "state__name"):
        groups.setdefault(state_name, []).append((pk, name))
    return [("", "Choose a county (optional)"), *groups.items()]


class AgencyRegistrationForm(forms.Form):
    name = forms.CharField(
        label="Agency name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    ori = forms.CharField(
        label="ORI",
        max_length=9,
        help_text="Your 9-character NCIC Originating Agency Identifier, starting with your state's code (e.g. TX2270000).",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    agency_type = forms.ChoiceField(label="Type of agency", choices=Agency.Type.choices)
    state = forms.ModelChoiceField(label="State", queryset=State.objects.participating(), empty_label="Choose a state")
    county = forms.TypedChoiceField(label="County", required=False, coerce=int, empty_value=None)
    address = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    city = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    postal_code = forms.CharField(
        label="ZIP code",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label="Agency phone", max_length=40, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    tip_line = forms.CharField(
        label="Public tip line",
        max_length=40,
        required=False,
        help_text="The number the public calls with information; printed in your alerts.",
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    head_name = forms.CharField(label="Head of agency (name)", max_length=150)
    head_title = forms.CharField(
        label="Head of agency (title)", max_length=100, required=False, help_text="e.g. Chief of Police, Sheriff."
    )
    admin_full_name = forms.CharField(
        label="Your full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    admin_email = forms.EmailField(
        label="Your work email",
        help_text="Your agency address: the state coordinator checks it, and your sign-in link is sent to it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    admin_phone = forms.CharField(
        label="Your phone", max_length=40, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _county_choices()

    def clean_ori(self) -> str:
        ori = self.cleaned_data["ori"].strip().upper()
        validate_ori(ori)
        if Agency.objects.filter(ori=ori).exists():
            raise forms.ValidationError(DUPLICATE_ORI, code="duplicate")
        return ori

    def clean_admin_email(self) -> str:
        email = self.cleaned_data["admin_email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(DUPLICATE_EMAIL, code="duplicate")
        return email

    def clean(self):
        data = super().clean()
        state, ori, county_id = data.get("state"), data.get("ori"), data.get("county")
        if state and ori and not ori.startswith(state.usps):
            self.add_error("ori", f"An ORI in {state.name} starts with {state.usps}.")
        if county_id is not None:
            county = County.objects.filter(pk=county_id).select_related("state").first()
            if county is None or (state and county.state_id != state.pk):
                self.add_error(
                    "county", f"Choose a county in {state.name}." if state else "Choose a county from the list."
                )
            else:
                data["county"] = county
        return data


class VerifyForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How you checked the agency; kept in the audit log and sent to the administrator.",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required. Sent to the person who registered.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Write the reason: the requester receives it by email.")
        return reason


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label="Role", choices=AGENCY_ROLE_CHOICES, initial=Role.AGENCY_STAFF)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class _MemberForm(forms.Form):
    """A member of this agency, chosen from its memberships only (anything else is not a valid choice)."""

    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["membership"])  # the field declared above
        field.queryset = Membership.objects.filter(agency=agency).select_related("user")


class MemberRoleForm(_MemberForm):
    role = forms.ChoiceField(label="Role", choices=AGENCY_ROLE_CHOICES)


class MemberDeactivateForm(_MemberForm):
    pass


class AcceptInvitationForm(forms.Form):
    """Create the account an invitation is for: name and password (Django's password validators)."""

    full_name = forms.CharField(
        label="Your full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label="Your phone (optional)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password.",
    )
    password2 = forms.CharField(
        label="The same password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            candidate = get_user_model()(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as e:
                self.add_error("password1", e)
        return data
