from django.contrib import admin

from participants import services
from participants.models import Contribution, Participant, StakeholderGroup, Vote


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "order"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "workshop", "group", "table_number", "created"]
    list_filter = ["group", "workshop"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "workshop", "prompt", "state", "created"]
    list_filter = ["state", "workshop"]
    raw_id_fields = ["participant", "prompt"]
    # Worked out from the text: never typed in, or personal data could be unmasked by hand.
    readonly_fields = ["masked_text", "personal_data", "original_text", "edited_at"]

    def save_model(self, request, obj, form, change):
        """A new text goes through the service, as the console's edit does: masked again,
        the first words kept, audited and sent to every screen."""
        edited = change and "text" in form.changed_data
        if edited:
            text, obj.text = obj.text, form.initial["text"]
        super().save_model(request, obj, form, change)
        if edited:
            services.contribution_edit(contribution=obj, text=text, by=request.user)


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["participant", "contribution", "choice", "updated"]
    list_filter = ["choice"]
    raw_id_fields = ["participant", "contribution"]
