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
    # Set for what belongs to no workshop (members, frameworks), so its admins can read it.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        who = self.actor or "a participant or the system"
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.action} {self.target_type} {self.target_id}"

    @property
    def action_words(self):
        """The action as words for people reading the log: "member_added" → "Member added"."""
        return self.action.replace("_", " ").capitalize()


class Organisation(models.Model):
    """A body that runs workshops. It owns its series and frameworks; its staff are members,
    and they see nothing of another organisation's."""

    name = models.CharField(max_length=200, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """One role a person holds in one organisation; a person may hold several."""

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", "Facilitator"
        ANALYST = "analyst", "Analyst"
        ADMIN = "admin", "Organisation admin"

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_role_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} is {self.get_role_display()} of {self.organisation}"
