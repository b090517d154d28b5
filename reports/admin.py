from django.contrib import admin

from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["wave", "kind", "language", "status", "progress", "finished_at", "data_hash", "plan_hash"]
    list_filter = ["status", "kind", "language"]
    readonly_fields = [field.name for field in ReportJob._meta.fields]
