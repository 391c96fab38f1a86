import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

# No 0/O, 1/I/L: codes are read off a projector and typed on phones.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 7


def new_join_code():
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_results_code():
    """The public results page's short address (/r/<code>/): read off a wall, typed on phones."""
    return new_join_code()


class Series(models.Model):
    """A programme of workshops on one framework, analysed together."""

    name = models.CharField(max_length=200)
    framework = models.ForeignKey(
        "pillars.Framework", on_delete=models.PROTECT, related_name="series"
    )
    description = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="series"
    )
    results_code = models.CharField(
        max_length=8, unique=True, default=new_results_code, editable=False
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """Its public results page."""
        return reverse("results", args=[self.results_code])

    @property
    def results_url(self):
        """The results page on the site's public address (SITE_URL): for QR codes, emails
        and the address read off a wall, made where a request's host may not be that."""
        return settings.SITE_URL.rstrip("/") + self.get_absolute_url()


class Workshop(models.Model):
    class Kind(models.TextChoices):
        REGIONAL = "regional", "Regional"
        NATIONAL = "national", "National"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REGIONAL)
    region = models.CharField(max_length=100, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    join_code = models.CharField(max_length=8, unique=True, default=new_join_code, editable=False)
    premoderation = models.BooleanField(
        default=True,
        help_text="Hold posts until a facilitator approves them. Keep this on when young "
        "people take part.",
    )
    easy_read_default = models.BooleanField(
        "Easy Read by default",
        default=False,
        help_text="Phones open in Easy Read: larger type, Easy Read questions and answer "
        "buttons with symbols. Each person can still switch. Useful for young people's sessions.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self):
        return self.title

    @property
    def is_live(self):
        return self.status == self.Status.LIVE


class Prompt(models.Model):
    """A question put to the room, usually about one recommendation."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="prompts")
    recommendation = models.ForeignKey(
        "pillars.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="prompts",
    )
    question = models.TextField(max_length=500)
    easy_read = models.TextField(
        "Easy Read question",
        max_length=500,
        blank=True,
        help_text="The question in short sentences of everyday words, for phones in Easy Read.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_open = models.BooleanField(default=False)
    # Closing a workshop closes its questions; reopening it opens again those that were open.
    open_before_closing = models.BooleanField(default=False)
    # The countdown is a guide for the room; nothing closes by itself (no input is timed).
    timer_ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workshop", "order", "pk"]

    def __str__(self):
        return self.question

    def accepts_contributions(self):
        return self.is_open and self.workshop.is_live


class WorkshopSummary(models.Model):
    """What remains of a workshop after its participant-level data is purged: counts only."""

    workshop = models.OneToOneField(Workshop, on_delete=models.CASCADE, related_name="summary")
    participants_by_group = models.JSONField(default=dict)
    contributions = models.PositiveIntegerField(default=0)
    votes = models.PositiveIntegerField(default=0)
    classes = models.JSONField(default=dict)
    purged_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Summary of {self.workshop}"
