import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from synthesis.stats import Verdict

STALE_AFTER = timedelta(minutes=30)
VERDICT_CHOICES = [(verdict.value, verdict.label) for verdict in Verdict]


def recommendations_of(posts):
    """The recommendations a set of posts answers, by number, each once."""
    found = {post.prompt.recommendation for post in posts if post.prompt.recommendation}
    return sorted(found, key=lambda recommendation: recommendation.number)


class Theme(models.Model):
    """Contributions from different workshops that say the same thing; their votes pool.

    A theme may span recommendations (its recommendations are those of its posts), and a
    post may be in several themes: a cross-cutting finding gathers posts made on different
    questions.
    """

    series = models.ForeignKey("workshops.Series", on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=300)
    contributions = models.ManyToManyField("participants.Contribution", related_name="themes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def recommendations(self):
        return recommendations_of(self.contributions.all())


class ItemDecision(models.Model):
    """An analyst's decision about one board item: a post or a theme, never both."""

    contribution = models.OneToOneField(
        "participants.Contribution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)s",
    )
    theme = models.OneToOneField(
        Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="%(class)s"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contribution__isnull=False, theme__isnull=True)
                | models.Q(contribution__isnull=True, theme__isnull=False),
                name="%(class)s_of_one_item",
            )
        ]

    @property
    def item_key(self):
        """(kind, id) as the board names its items."""
        if self.contribution_id:
            return ("contribution", self.contribution_id)
        return ("theme", self.theme_id)


class Judgement(ItemDecision):
    """An analyst's confirmation or override of the suggested class of one item.

    `computed` records what the rule said at the time, so the board can show when later
    votes have moved the computed class away from what the analyst decided on.
    """

    series = models.ForeignKey(
        "workshops.Series", on_delete=models.CASCADE, related_name="judgements"
    )
    verdict = models.CharField(max_length=20, choices=VERDICT_CHOICES)
    computed = models.CharField(max_length=20, choices=VERDICT_CHOICES)
    reason = models.TextField(blank=True)

    class Meta(ItemDecision.Meta):
        pass

    def __str__(self):
        return f"{self.get_verdict_display()} ({'override' if self.is_override else 'confirmed'})"

    @property
    def is_override(self):
        return self.verdict != self.computed


class ReportChoice(ItemDecision):
    """An analyst's choice to print an item in the report whatever the selection rule says
    (pinned), or to leave it out of the report only: it stays on the board, in the appendix
    and in the data exports."""

    class Choice(models.TextChoices):
        PINNED = "pinned", "Always print in the report"
        LEFT_OUT = "left_out", "Leave out of the report"

    series = models.ForeignKey(
        "workshops.Series", on_delete=models.CASCADE, related_name="report_choices"
    )
    choice = models.CharField(max_length=10, choices=Choice.choices)

    class Meta(ItemDecision.Meta):
        pass

    def __str__(self):
        return self.get_choice_display()


class Finding(models.Model):
    class Kind(models.TextChoices):
        COMMON_GROUND = "common_ground", "Common ground"
        DEBATE = "debate", "Point of debate"

    series = models.ForeignKey(
        "workshops.Series", on_delete=models.CASCADE, related_name="findings"
    )
    title = models.CharField(max_length=300)
    body = models.TextField()
    easy_read = models.CharField(
        "Easy Read sentence",
        max_length=200,
        blank=True,
        help_text="The finding in one short sentence of everyday words, for the Easy Read version.",
    )
    pillar = models.ForeignKey(
        "pillars.Pillar", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    contributions = models.ManyToManyField(
        "participants.Contribution", blank=True, related_name="findings"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="findings")
    order = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


def new_export_token():
    return secrets.token_urlsafe(32)


class ReportExport(models.Model):
    """A report or data export of a series (or one of its workshops), built in the background."""

    class Kind(models.TextChoices):
        PDF = "pdf", "Report (PDF)"
        EASY_READ = "easy_read", "Easy Read report (PDF)"
        DOCX = "docx", "Report (Word)"
        CONTRIBUTIONS_CSV = "contributions_csv", "Contributions (CSV)"
        VOTES_CSV = "votes_csv", "Votes (CSV)"
        XLSX = "xlsx", "Contributions and votes (Excel)"
        POLIS = "polis", "Contributions and votes for Pol.is tools (ZIP of CSV files)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    series = models.ForeignKey("workshops.Series", on_delete=models.CASCADE, related_name="exports")
    workshop = models.ForeignKey(
        "workshops.Workshop", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    include_appendix = models.BooleanField(default=False)
    # Identifies the data the export was asked for, so an unchanged scope is built once.
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    # The download link's key: not a counting number, so no one finds exports by guessing.
    token = models.CharField(max_length=43, unique=True, default=new_export_token, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        scope = self.workshop or self.series
        return f"{self.get_kind_display()} of {scope}"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_stale(self):
        """Unfinished long past any real build: its worker most likely died with it."""
        return not self.is_finished and timezone.now() - self.created > STALE_AFTER


REPRESENTATIVENESS_CAVEAT = (
    "The people who took part chose to come, and the groups were not equal in size: what they "
    "said shows where the groups that were there agree and differ, not the views of everyone "
    "in each group. Each post was voted on only in the workshop where it was made, and many "
    "rest on a few votes per group; the method section says how many."
)


class ReportText(models.Model):
    """What analysts write around a report: its front matter, in the Markdown subset of
    synthesis.rich_text. A series has one for its report and each workshop may have its own;
    a workshop's report without one prints the series' text."""

    FIELDS = ("summary", "background", "recruitment", "caveats", "next_steps")

    series = models.ForeignKey(
        "workshops.Series", on_delete=models.CASCADE, related_name="report_texts"
    )
    workshop = models.OneToOneField(
        "workshops.Workshop",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_text",
    )
    background = models.TextField("Background and purpose", blank=True)
    recruitment = models.TextField(
        "How people were recruited", blank=True, help_text="Printed in the method."
    )
    summary = models.TextField("Executive summary", blank=True)
    caveats = models.TextField(default=REPRESENTATIVENESS_CAVEAT, blank=True)
    next_steps = models.TextField("Next steps", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series"],
                condition=models.Q(workshop__isnull=True),
                name="one_report_text_per_series",
            )
        ]

    def __str__(self):
        return f"Report text for {self.workshop or self.series}"


class ReportVersion(models.Model):
    """A final version of a series report: numbered, its PDFs (the report and its Easy Read
    version) frozen as they were approved.

    The report being worked on is always the draft of the next number; every page of a
    draft says so. Later votes, erasures or purges never change a final version: they
    show as changes since it, until an analyst makes a new final. Its number is taken when
    an analyst asks for it; its PDFs are then made in the background.
    """

    class Status(models.TextChoices):
        MAKING = "making", "Being made final"
        FINAL = "final", "Final"
        FAILED = "failed", "Failed"

    series = models.ForeignKey(
        "workshops.Series", on_delete=models.CASCADE, related_name="report_versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FINAL)
    error = models.TextField(blank=True)
    # Both empty while it is being made; the Easy Read one also for versions made final
    # before the Easy Read version existed.
    file = models.FileField(upload_to="reports/", blank=True)
    easy_read_file = models.FileField(upload_to="reports/", blank=True)
    # Its PDFs held people's words: when those are erased or purged, the PDFs go and the
    # version stays only as a record that it existed.
    files_deleted = models.DateTimeField(null=True, blank=True)
    files_deleted_because = models.CharField(max_length=200, blank=True)
    fingerprint = models.CharField(max_length=64)
    # What the version rests on, to say later what has changed since.
    contributions = models.PositiveIntegerField()
    votes = models.PositiveIntegerField()
    unconfirmed = models.PositiveIntegerField(
        help_text="Items printed in its body whose class no analyst had confirmed."
    )
    requested = models.DateTimeField(default=timezone.now)
    finalised = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the public results page shows of this version (synthesis.publication), frozen
    # when it was made final so later drafting never reaches the public.
    public_content = models.JSONField(default=dict, blank=True)
    # Set while this version is on the public results page; a series has at most one.
    published = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="report_version_unique"),
            models.UniqueConstraint(
                fields=["series"],
                condition=models.Q(published__isnull=False),
                name="one_published_version_per_series",
            ),
        ]

    def __str__(self):
        return f"{self.series}, version {self.number}"

    @property
    def is_stale(self):
        """Still being made long after any real render: its worker has gone."""
        return self.status == self.Status.MAKING and self.requested < timezone.now() - STALE_AFTER


class Embedding(models.Model):
    """Where a post's meaning sits (synthesis.embeddings), computed from the words others see.

    `text_digest` is the SHA-256 of those words when the vector was made: a post whose words
    changed since (edited, merged, its masked words released) has a stale vector.
    """

    contribution = models.OneToOneField(
        "participants.Contribution", on_delete=models.CASCADE, related_name="embedding"
    )
    vector = models.BinaryField()  # float32, synthesis.embeddings.DIMENSIONS of them
    text_digest = models.CharField(max_length=64)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Embedding of {self.contribution_id}"


class DismissedSuggestion(models.Model):
    """A suggested theme an analyst turned down (synthesis.suggestions): a suggestion sharing
    at least half its posts with it is not shown again."""

    series = models.ForeignKey(
        "workshops.Series", on_delete=models.CASCADE, related_name="dismissed_suggestions"
    )
    contribution_ids = models.JSONField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Dismissed suggestion of {len(self.contribution_ids)} posts"


class GroupTally(models.Model):
    """How one group voted on one post, kept in step with the votes as they are cast
    (synthesis.tallies) so the board and reports read counts instead of counting. The
    author's own vote is never in it."""

    contribution = models.ForeignKey(
        "participants.Contribution", on_delete=models.CASCADE, related_name="group_tallies"
    )
    group = models.ForeignKey(
        "participants.StakeholderGroup", on_delete=models.CASCADE, related_name="+"
    )
    # Not positive-only: a count that has drifted must never stop a vote from being saved;
    # `repair_tallies` puts it right.
    agree = models.IntegerField(default=0)
    disagree = models.IntegerField(default=0)
    passes = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "group"], name="one_tally_per_group")
        ]

    def __str__(self):
        return f"Tally of {self.contribution_id} for group {self.group_id}"


class FindingResponse(models.Model):
    """What the organisation will do, or has done, about a key finding: one entry of its
    history. The latest entry is where things stand; earlier ones stay, so people can see
    what changed ("You said, we did")."""

    class Status(models.TextChoices):
        CONSIDERING = "considering", "Being considered"
        AGREED = "agreed", "Agreed"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(max_length=20, choices=Status.choices)
    action = models.TextField(
        "What we will do or have done", help_text="In plain English, for the public page."
    )
    reason = models.TextField(
        blank=True, help_text="Why it is not being taken forward. Needed for that status."
    )
    date = models.DateField(default=timezone.localdate)
    responsible = models.CharField(
        "Who is responsible",
        max_length=200,
        help_text="A role or team, not a person's name: for example “SEND strategic lead”.",
    )
    easy_read = models.CharField(
        "Easy Read sentence",
        max_length=200,
        help_text="The response in one short sentence of everyday words.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["finding", "date", "pk"]

    def __str__(self):
        return f"{self.get_status_display()}: {self.action[:60]}"


def new_subscription_token():
    return secrets.token_urlsafe(32)


class ResultsSubscription(models.Model):
    """An email address that asked to be told when a series' results or responses change.

    Kept only with explicit consent; used only once confirmed (the link in the first
    email); deleted on unsubscribing, or RETENTION_DAYS after the series' last workshop."""

    series = models.ForeignKey(
        "workshops.Series", on_delete=models.CASCADE, related_name="results_subscriptions"
    )
    email = models.EmailField()
    consented = models.DateTimeField(default=timezone.now)
    confirmed = models.DateTimeField(null=True, blank=True)
    # The key of its confirm and unsubscribe links: no one reaches an address by guessing.
    token = models.CharField(
        max_length=43, unique=True, default=new_subscription_token, editable=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "email"], name="one_subscription_per_address")
        ]

    def __str__(self):
        return f"Results notices for series {self.series_id}"


class ResultsNews(models.Model):
    """A change to a series' public results not yet emailed to those who follow them: the
    news of a few minutes goes out together, in one email (synthesis.notices)."""

    series = models.ForeignKey("workshops.Series", on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name_plural = "results news"

    def __str__(self):
        return self.what
