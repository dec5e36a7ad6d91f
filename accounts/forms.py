from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from .services import has_second_factor, second_factor_verify


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class OTPTokenForm(forms.Form):
    otp_token = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ReauthForm(forms.Form):
    """Password, plus the second factor when the user has one."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    otp_token = forms.CharField(
        label="Code from your authenticator app (or a recovery code)",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user, request=None, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)
        self.needs_second_factor = has_second_factor(user)
        if not self.needs_second_factor:
            del self.fields["otp_token"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if authenticate(self.request, username=self.user.email, password=password) is None:
            raise forms.ValidationError("That password is not correct.")
        return password

    def clean_otp_token(self):
        token = self.cleaned_data.get("otp_token", "")
        if second_factor_verify(user=self.user, token=token) is None:
            raise forms.ValidationError("That code is not right. Use the newest code from your app.")
        return token
