from django import forms

from pillars.models import Framework
from workshops.models import Prompt, Workshop


class SeriesForm(forms.Form):
    name = forms.CharField(max_length=200)
    framework = forms.ModelChoiceField(queryset=Framework.objects.all(), empty_label=None)
    organisation = forms.CharField(max_length=200, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WorkshopForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Workshop.Kind.choices)
    region = forms.CharField(max_length=100, required=False)
    venue = forms.CharField(max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label="Starts at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class PromptForm(forms.ModelForm):
    class Meta:
        model = Prompt
        fields = ["question", "recommendation", "order"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, framework=None, **kwargs):
        super().__init__(*args, **kwargs)
        if framework is not None:
            self.fields["recommendation"].queryset = framework.recommendations()


PromptFormSet = forms.modelformset_factory(Prompt, form=PromptForm, extra=1, can_delete=True)
