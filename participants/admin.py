from django.contrib import admin

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


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["participant", "contribution", "choice", "updated"]
    list_filter = ["choice"]
    raw_id_fields = ["participant", "contribution"]
