"""Operators' admin: the audit log read-only; framework models operators never need are hidden.

The admin's "view site" link leads to the researcher workspace.
"""

from django.contrib import admin

from studies.models import AuditEntry, Membership, Study

admin.site.site_url = "/studies/"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "instrument"]
    inlines = [MembershipInline]


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
