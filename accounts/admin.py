from django.contrib import admin

from accounts.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "workshop_id"]
    list_filter = ["action", "target_type"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # The record of who did what stays whole: not even a superuser removes a line of it.
    def has_delete_permission(self, request, obj=None):
        return False
