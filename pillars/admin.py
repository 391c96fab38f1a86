from django.contrib import admin

from pillars.models import Framework, Pillar, Recommendation


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    inlines = [PillarInline]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["__str__", "framework"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "pillar", "needs_completion"]
    list_filter = ["pillar__framework", "pillar"]
