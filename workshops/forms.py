from django import forms

from accounts import govuk
from accounts.models import Organisation
from pillars.models import Framework
from workshops.models import Prompt, Workshop


class SeriesForm(govuk.Form):
    """A new series, in one of the organisations given, on one of that organisation's
    frameworks."""

    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter a name for the series"}
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the organisation the series belongs to"},
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the framework the series works through"},
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["framework"].queryset = Framework.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        if len(self.fields["organisation"].queryset) > 1:
            self.fields["framework"].label_from_instance = lambda framework: (
                f"{framework} ({framework.organisation})"
            )

    def clean(self):
        data = super().clean()
        organisation, framework = data.get("organisation"), data.get("framework")
        if organisation and framework and framework.organisation_id != organisation.pk:
            self.add_error(
                "framework", f"Choose one of {organisation}’s frameworks for its series."
            )
        return data


class WorkshopForm(govuk.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter the workshop’s title"}
    )
    kind = forms.ChoiceField(
        choices=Workshop.Kind.choices,
        error_messages={"required": "Choose what kind of workshop it is"},
    )
    region = forms.CharField(max_length=100, required=False)
    venue = forms.CharField(max_length=200, required=False)
    starts_at = govuk.DayMonthYearField(
        time=True,
        label="Start date and time",
        help_text="For example, 27 3 2026 and 18:30 (the time on the 24-hour clock).",
        error_messages={"required": "Enter the date and time the workshop starts"},
    )
    easy_read_default = forms.BooleanField(
        label="Easy Read by default (phones open in Easy Read; each person can switch it off)",
        required=False,
    )


class PromptForm(govuk.ModelForm):
    class Meta:
        model = Prompt
        fields = ["question", "easy_read", "recommendation", "order"]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "easy_read": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "easy_read": "The question in short sentences of everyday words, for phones in "
            "Easy Read. Leave it empty on a new question to start from its recommendation's "
            "Easy Read words."
        }
        error_messages = {"question": {"required": "Enter the question people will answer"}}

    def __init__(self, *args, framework=None, **kwargs):
        super().__init__(*args, **kwargs)
        if framework is not None:
            self.fields["recommendation"].queryset = framework.recommendations()


PromptFormSet = forms.modelformset_factory(Prompt, form=PromptForm, extra=1, can_delete=True)
