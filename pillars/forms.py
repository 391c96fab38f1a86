from django import forms

from accounts import govuk
from pillars.models import Framework, Pillar, Recommendation


class FrameworkForm(govuk.ModelForm):
    class Meta:
        model = Framework
        fields = ["name", "description", "sources"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"name": {"required": "Enter the framework’s name"}}


class PillarForm(govuk.ModelForm):
    class Meta:
        model = Pillar
        fields = ["number", "title", "summary", "easy_read"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "easy_read": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "number": {"required": "Enter the pillar’s number"},
            "title": {"required": "Enter the pillar’s title"},
        }


class RecommendationForm(govuk.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["number", "pillar", "title", "summary", "easy_read", "needs_completion"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "easy_read": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "number": {"required": "Enter the recommendation’s number"},
            "pillar": {"required": "Choose the pillar the recommendation sits under"},
            "title": {"required": "Enter the recommendation’s title"},
        }

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].queryset = framework.pillars.all()


PillarFormSet = forms.inlineformset_factory(
    Framework, Pillar, form=PillarForm, extra=0, can_delete=False
)


class BaseRecommendationFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        numbers = [f.cleaned_data.get("number") for f in self.forms if f.cleaned_data]
        if len(numbers) != len(set(numbers)):
            raise forms.ValidationError("Each recommendation needs its own number.")


RecommendationFormSet = forms.modelformset_factory(
    Recommendation, form=RecommendationForm, formset=BaseRecommendationFormSet, extra=0
)
