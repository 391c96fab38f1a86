from django import forms

from participants.models import StakeholderGroup
from pillars.models import Pillar, Recommendation


class SeriesFilterForm(forms.Form):
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
