"""Operators' admin: the audit log read-only; framework models operators never need are hidden.

Studies and their memberships are not here: the workspace (studies/views.py) is where they change,
through the services that write the audit log; an admin page beside it would change roles unaudited
and could point a study at another study's questionnaire. The admin's "view site" link leads there.
"""

from django.contrib import admin

from studies.models import AuditEntry

admin.site.site_url = "/studies/"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "target", "study"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
