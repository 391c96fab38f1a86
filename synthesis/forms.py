from django import forms
from django.utils import timezone

from accounts import govuk
from participants.models import StakeholderGroup
from pillars.models import Pillar, Recommendation
from synthesis.board import VERDICT_ORDER
from synthesis.models import Finding, FindingResponse, ReportChoice, ReportExport, ReportText


class SeriesFilterForm(govuk.Form):
    workshop = forms.ModelChoiceField(queryset=None, required=False)
    region = forms.ChoiceField(required=False)
    pillar = forms.ModelChoiceField(queryset=None, required=False)
    recommendation = forms.ModelChoiceField(queryset=None, required=False)
    group = forms.ModelChoiceField(
        queryset=StakeholderGroup.objects.all(), required=False, label="Stakeholder group"
    )

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = series.workshops.all()
        regions = (
            series.workshops.exclude(region="").order_by().values_list("region", flat=True)
        ).distinct()
        self.fields["region"].choices = [("", "All regions")] + [(r, r) for r in sorted(regions)]
        self.fields["pillar"].queryset = Pillar.objects.filter(framework=series.framework_id)
        self.fields["recommendation"].queryset = Recommendation.objects.filter(
            pillar__framework=series.framework_id
        )


class PostNumbersField(forms.CharField):
    """Post numbers as the board shows them, typed as a list: "12, 40 57"."""

    def to_python(self, value):
        value = super().to_python(value)
        parts = [p for p in value.replace(",", " ").split() if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(
                "Type post numbers only, separated by commas, like 12, 40, 57"
            )
        return sorted({int(p) for p in parts})


class BoardFilterForm(SeriesFilterForm):
    verdict = forms.ChoiceField(required=False, label="Class")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("consensus", "Strongest agreement first"),
            ("votes", "Most votes first"),
            ("newest", "Newest first"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["pillar"]
        self.fields["verdict"].choices = [("", "All classes")] + [
            (verdict.value, verdict.label) for verdict in VERDICT_ORDER
        ]


class JudgementForm(govuk.Form):
    verdict = forms.ChoiceField(
        label="Class",
        choices=[(v.value, v.label) for v in VERDICT_ORDER],
        error_messages={
            "required": "Choose a class",
            "invalid_choice": "Choose one of the classes listed",
        },
    )
    reason = forms.CharField(
        label="Reason (needed if you change the class)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )


class ReportChoiceForm(govuk.Form):
    choice = forms.ChoiceField(
        label="In the report",
        required=False,
        choices=[("", "As the selection rule decides"), *ReportChoice.Choice.choices],
    )


class PostNumbersForm(govuk.Form):
    contributions = PostNumbersField(label="Post numbers")


class ThemeForm(govuk.Form):
    title = forms.CharField(
        max_length=300,
        label="What the posts say, in one line",
        error_messages={
            "required": "Enter what the posts say, in one line",
            "max_length": "The line must be %(limit_value)d characters or fewer "
            "(it has %(show_value)d)",
        },
    )
    contributions = PostNumbersField(
        label="Post numbers",
        help_text="The numbers shown on the board, e.g. 12, 40, 57.",
        error_messages={"required": "Enter the numbers of the posts the theme links"},
    )


class FindingForm(govuk.Form):
    title = forms.CharField(
        max_length=300, error_messages={"required": "Enter the finding’s title"}
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the finding itself, under its title"},
    )
    easy_read = forms.CharField(
        max_length=200,
        required=False,
        label="Easy Read sentence",
        help_text="The finding in one short sentence of everyday words.",
    )
    kind = forms.ChoiceField(
        choices=Finding.Kind.choices,
        label="Common ground or debate",
        error_messages={"required": "Choose whether it is common ground or a debate"},
    )
    pillar = forms.ModelChoiceField(queryset=None, required=False)
    contributions = PostNumbersField(
        label="Evidence: post numbers",
        required=False,
        help_text="The numbers shown on the board, e.g. 12, 40, 57.",
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Evidence: themes",
    )

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].queryset = Pillar.objects.filter(framework=series.framework_id)
        self.fields["themes"].queryset = series.themes.all()


class ExportForm(govuk.Form):
    kind = forms.ChoiceField(
        choices=ReportExport.Kind.choices,
        label="What to export",
        error_messages={"required": "Choose what to export"},
        help_text="The Excel file starts with a README sheet that explains every column. "
        "The Pol.is option gives comments.csv and participants-votes.csv laid out exactly as "
        "Pol.is exports them, for software made to read them, with groups.csv to say which "
        "group each group number stands for.",
    )
    workshop = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="The whole series", label="Scope"
    )
    include_appendix = forms.BooleanField(
        required=False, label="Add every contribution as an appendix (PDF only)"
    )

    def __init__(self, *args, series, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = series.workshops.all()


MARKDOWN_HINT = (
    "Leave a blank line between paragraphs. Start a line with “- ” for a bullet. "
    "*Italics*, **bold** and [a link](https://example.org) work; nothing else is formatted."
)


class ReportTextForm(govuk.ModelForm):
    class Meta:
        model = ReportText
        fields = ReportText.FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in ReportText.FIELDS}
        help_texts = {
            "background": "Why the workshops were held and who took part. " + MARKDOWN_HINT,
            "summary": "What a reader who reads nothing else should know. " + MARKDOWN_HINT,
            "recruitment": "Who was invited, how, and who could not come. " + MARKDOWN_HINT,
            "caveats": "What the findings can and cannot say. " + MARKDOWN_HINT,
            "next_steps": "What happens now, and when. " + MARKDOWN_HINT,
        }


class FinalVersionForm(govuk.Form):
    reviewed = forms.BooleanField(
        label="I have read this draft, including the classes no analyst has confirmed",
        error_messages={
            "required": "Tick to confirm you have read the draft before making it final"
        },
    )


class FindingResponseForm(govuk.ModelForm):
    status = forms.ChoiceField(
        choices=FindingResponse.Status.choices,
        widget=forms.RadioSelect,
        label="Where things stand",
        error_messages={"required": "Choose where things stand"},
    )
    date = govuk.DayMonthYearField(
        label="Date",
        initial=timezone.localdate,
        help_text="The day this became where things stand. For example, 27 3 2026.",
        error_messages={"required": "Enter the date of this response"},
    )

    class Meta:
        model = FindingResponse
        fields = ["status", "action", "reason", "date", "responsible", "easy_read"]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 4}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "action": {"required": "Enter what you will do or have done"},
            "responsible": {
                "required": "Enter who is responsible: a role or team, not a person’s name"
            },
            "easy_read": {"required": "Enter the response in one short Easy Read sentence"},
        }
