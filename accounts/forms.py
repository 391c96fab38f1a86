import re

from django import forms
from django.contrib.auth import forms as auth_forms

from accounts import govuk


class CodeForm(govuk.Form):
    """A six-digit code from an authenticator app; spaces and dashes some apps show are
    ignored."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="6 numbers, for example 123456. A new code shows every 30 seconds.",
        error_messages={"required": "Enter the 6-digit code your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "code"}
        ),
    )

    def clean_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError("The code must be 6 numbers, for example 123456.")
        return code


class LoginForm(govuk.PlainErrorsMixin, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "Your username and password did not match. Check them and try again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class PasswordResetForm(govuk.PlainErrorsMixin, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address of your staff account.",
            "invalid": "Enter an email address in the correct format, like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SetPasswordForm(govuk.PlainErrorsMixin, auth_forms.SetPasswordForm):
    """Django's, in plain words: its rules in one sentence (its own hint is an HTML list), and
    a password that breaks them is pointed out at the box it was chosen in."""

    error_messages = {
        "password_mismatch": "The two passwords are different. Type the same one in both boxes."
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.help_text = (
            "At least 8 characters, not only numbers, not a common password and not like "
            "your username or email address."
        )
        first.error_messages["required"] = "Enter a new password."
        second.label, second.help_text = "Type the new password again", ""
        second.error_messages["required"] = "Type the new password again."

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data
