from django.db import models
from django.urls import reverse


class Framework(models.Model):
    """A policy framework that workshops discuss: pillars, each with recommendations.

    Each organisation has its own copy, so one organisation's edits never change another's
    reports."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="frameworks"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField()
    description = models.TextField(blank=True)
    sources = models.TextField(blank=True, help_text="Where the framework's wording comes from.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="framework_slug_unique")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pillars:framework_edit", args=[self.pk])

    def recommendations(self):
        return Recommendation.objects.filter(pillar__framework=self).select_related("pillar")


class Pillar(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="pillars")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    easy_read = models.TextField(
        blank=True, help_text="A short plain-English summary that participants see."
    )

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="pillar_number_unique")
        ]

    def __str__(self):
        return f"Pillar {self.number}: {self.title}"


class Recommendation(models.Model):
    # Grouping under a pillar is editable: the published sources do not settle it.
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    easy_read = models.TextField(
        blank=True, help_text="A short plain-English summary that participants see."
    )
    needs_completion = models.BooleanField(
        default=False, help_text="The wording is a placeholder for the facilitator to complete."
    )

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"
