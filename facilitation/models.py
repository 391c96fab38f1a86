from django.db import models


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
