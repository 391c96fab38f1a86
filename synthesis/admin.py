from django.contrib import admin

from synthesis.models import Finding, Judgement, ReportExport, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "created"]


@admin.register(Judgement)
class JudgementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "series", "verdict", "computed", "decided_by", "decided_at"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "kind", "pillar"]


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "requested_by", "created"]
    list_filter = ["status", "kind"]
