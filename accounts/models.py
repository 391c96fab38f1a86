from django.db import models


class AuditEntry(models.Model):
    """Who did what, when: moderation, edits, overrides, withdrawals and erasures.

    Entries name things by type and id and carry no participant's words, so the log
    itself holds no personal data and survives erasure. The workshop is an id, not a
    foreign key: the log sits below the apps whose actions it records.
    """

    actor = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=50)
    target_type = models.CharField(max_length=50)
    target_id = models.PositiveBigIntegerField(null=True)
    workshop_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        who = self.actor or "a participant or the system"
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.action} {self.target_type} {self.target_id}"
