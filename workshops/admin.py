from django.contrib import admin

from workshops.models import Prompt, Series, Workshop, WorkshopSummary


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "organisation", "created"]


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "kind", "region", "starts_at", "status", "join_code"]
    list_filter = ["status", "kind", "series"]
    readonly_fields = ["join_code"]
    inlines = [PromptInline]


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["question", "workshop", "recommendation", "order", "is_open"]
    list_filter = ["is_open", "workshop"]


@admin.register(WorkshopSummary)
class WorkshopSummaryAdmin(admin.ModelAdmin):
    list_display = ["workshop", "contributions", "votes", "purged_at"]
