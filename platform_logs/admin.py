from django.contrib import admin

from platform_logs.models import ImportRun, UsageWindow


@admin.register(UsageWindow)
class UsageWindowAdmin(admin.ModelAdmin):
    list_display = ["wave", "starts_at", "ends_at"]
    list_select_related = ["wave"]
    ordering = ["-wave__opens_at"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """What was imported when: researchers look, imports run through `manage.py import_logs`."""

    list_display = ["kind", "source_label", "finished_at", "records_read", "stored", "duplicates", "skipped", "invalid"]
    list_filter = ["kind"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
