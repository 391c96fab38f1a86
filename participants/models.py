from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models


class StakeholderGroup(models.Model):
    """Who a participant speaks for. A fixed list, loaded by a data migration."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    short_name = models.CharField(max_length=20)
    description = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.name


class Participant(models.Model):
    """A pseudonymous person in one workshop: a group and, if they like, a display name."""

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="participants"
    )
    group = models.ForeignKey(StakeholderGroup, on_delete=models.PROTECT, related_name="+")
    display_name = models.CharField(max_length=40, blank=True)
    table_number = models.PositiveSmallIntegerField(null=True, blank=True)
    consented_at = models.DateTimeField()
    # Scribe participants stand for a group's paper cards, entered by a facilitator.
    is_scribe = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]

    def __str__(self):
        return self.display_name or f"{self.group.short_name} participant"


# How long a participant has to undo withdrawing a post; then the row is deleted.
WITHDRAWAL_UNDO_SECONDS = 10


class ContributionManager(models.Manager):
    """Posts as everyone sees them: never one its author has withdrawn, in the seconds it
    waits to be deleted (or brought back by an undo), wherever it is read from."""

    def get_queryset(self):
        return super().get_queryset().exclude(state=Contribution.State.WITHDRAWN)


class Contribution(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden"
        MERGED = "merged", "Merged into another"
        WITHDRAWN = "withdrawn", "Withdrawn by its author"

    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, related_name="contributions"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="contributions"
    )
    prompt = models.ForeignKey(
        "workshops.Prompt", on_delete=models.CASCADE, related_name="contributions"
    )
    text = models.TextField(validators=[MaxLengthValidator(settings.CONTRIBUTION_MAX_LENGTH)])
    # Chosen by the phone, so a retried send is recognised rather than saved twice.
    client_id = models.UUIDField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    # What everyone but the facilitators sees when the text seems to hold personal data.
    masked_text = models.TextField(blank=True)
    personal_data = models.JSONField(default=list, blank=True)
    personal_data_released = models.BooleanField(default=False)
    # A facilitator may fix a typo; what the participant first wrote is kept for audit.
    original_text = models.TextField(blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set when a facilitator types in a contribution on a group's behalf (paper cards).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When its author withdrew it, and the state an undo puts back; the row is deleted
    # once the undo's time is up (participants.tasks).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_from = models.CharField(max_length=10, choices=State.choices, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    # `with_withdrawn` is for the withdrawal services alone; every other reading goes
    # through `objects`, the default manager, which related managers such as
    # workshop.contributions use too.
    with_withdrawn = models.Manager()
    objects = ContributionManager()

    class Meta:
        default_manager_name = "objects"
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "client_id"], name="contribution_client_id_unique"
            )
        ]
        indexes = [models.Index(fields=["workshop", "state"])]

    def __str__(self):
        return self.text[:60]

    @property
    def public_text(self):
        """The words as the wall, phones, analysts and exports show them."""
        if self.personal_data and not self.personal_data_released:
            return self.masked_text
        return self.text


class Vote(models.Model):
    class Choice(models.TextChoices):
        AGREE = "agree", "Agree"
        DISAGREE = "disagree", "Disagree"
        PASS = "pass", "Pass"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "contribution"], name="one_vote_each")
        ]

    def __str__(self):
        return f"{self.participant} {self.choice} {self.contribution_id}"
