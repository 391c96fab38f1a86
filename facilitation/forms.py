import uuid

from django import forms

from accounts import govuk
from accounts.models import Membership
from participants.models import StakeholderGroup


class ConsoleFilterForm(govuk.Form):
    group = forms.ModelChoiceField(
        queryset=StakeholderGroup.objects.all(),
        required=False,
        label="Stakeholder group",
        empty_label="All groups",
    )
    table = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Table")

    def __init__(self, *args, tables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [("", "All tables")] + [(n, f"Table {n}") for n in tables]


class ScribeForm(govuk.Form):
    prompt = forms.ModelChoiceField(
        queryset=None,
        label="Question",
        empty_label=None,
        error_messages={
            "required": "Choose the question they answered",
            "invalid_choice": "Choose one of the open questions: that one has closed",
        },
    )
    group = forms.ModelChoiceField(
        queryset=StakeholderGroup.objects.all(),
        label="Stakeholder group",
        empty_label=None,
        error_messages={"required": "Choose the group they speak for"},
    )
    text = forms.CharField(
        label="What they said",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        strip=False,
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prompt"].queryset = workshop.prompts.filter(is_open=True)


class RolesForm(govuk.Form):
    roles = forms.MultipleChoiceField(
        choices=Membership.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Roles",
        help_text="Facilitators run workshops; analysts read the results and export reports; "
        "organisation admins manage members and frameworks.",
    )


class InviteForm(RolesForm):
    email = forms.EmailField(
        label="Email address",
        max_length=150,
        error_messages={
            "required": "Enter the email address of the person to add",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    field_order = ["email", "roles"]

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        if not roles:
            raise forms.ValidationError("Choose at least one role for them.")
        return roles
