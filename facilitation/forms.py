import uuid

from django import forms

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
