from django.db import models
from django.utils.text import Truncator


class Spotlight(models.Model):
    """The one post a workshop's wall shows large, if any: wall state, owned by the wall."""

    workshop = models.OneToOneField(
        "workshops.Workshop", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    contribution = models.ForeignKey(
        "participants.Contribution", on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self):
        return f"Spotlight on post {self.contribution_id} in workshop {self.workshop_id}"


class WallDisplay(models.Model):
    """What a workshop's wall shows, chosen from the console: the projector's keyboard is not
    where the facilitator stands. No row means the wall shows posts as they come."""

    class Showing(models.TextChoices):
        POSTS = "posts", "Posts as they come"
        RESULTS = "results", "Results: common ground and where we differ"
        HEARD = "heard", "What we heard, and what happened"

    workshop = models.OneToOneField(
        "workshops.Workshop", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    showing = models.CharField(max_length=10, choices=Showing.choices, default=Showing.POSTS)
    # Results for one question, or for the whole workshop when empty.
    prompt = models.ForeignKey(
        "workshops.Prompt", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # While set, the wall keeps what it showed then and counts the posts that wait.
    paused_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Wall of workshop {self.workshop_id}: {self.showing}"

    @property
    def paused(self):
        return self.paused_at is not None

    @property
    def shows_results(self):
        return self.showing == self.Showing.RESULTS

    @property
    def shows_heard(self):
        return self.showing == self.Showing.HEARD

    def describe(self):
        """What the wall shows, in words, for the console."""
        if self.shows_heard:
            return "what we heard, and what happened"
        if not self.shows_results:
            return "posts as they come"
        if self.prompt is None:
            return "results for the whole workshop"
        return f"results for the question “{Truncator(self.prompt.question).chars(60)}”"
