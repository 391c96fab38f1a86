from django import forms

from pillars.models import Framework, Pillar, Recommendation


class FrameworkForm(forms.ModelForm):
    class Meta:
        model = Framework
        fields = ["name", "description", "sources"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 3}),
        }


class PillarForm(forms.ModelForm):
    class Meta:
        model = Pillar
        fields = ["number", "title", "summary", "easy_read"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "easy_read": forms.Textarea(attrs={"rows": 2}),
        }


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["number", "pillar", "title", "summary", "easy_read", "needs_completion"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "easy_read": forms.Textarea(attrs={"rows": 2}),
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
