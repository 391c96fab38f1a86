import uuid

from django import forms

from accounts.models import Membership
from participants.models import StakeholderGroup


class ConsoleFilterForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=StakeholderGroup.objects.all(), required=False, label="Stakeholder group"
    )
    table = forms.IntegerField(required=False, min_value=1, label="Table")


class ScribeForm(forms.Form):
    prompt = forms.ModelChoiceField(queryset=None, label="Question", empty_label=None)
    group = forms.ModelChoiceField(
        queryset=StakeholderGroup.objects.all(), label="Stakeholder group", empty_label=None
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


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Membership.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Roles",
        help_text="Facilitators run workshops; analysts read the results and export reports; "
        "organisation admins manage members and frameworks.",
    )


class InviteForm(RolesForm):
    email = forms.EmailField(label="Email address", max_length=150)
    field_order = ["email", "roles"]

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        if not roles:
            raise forms.ValidationError("Choose at least one role for them.")
        return roles
