"""Operators' admin over instruments, waves and invitations.

Responses are not here: a single response is read in the workspace, which writes the audit log for
each view (studies/views.py); the admin would show answers unaudited.
"""

from django.contrib import admin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from surveys.instrument_files import dump_yaml
from surveys.models import Instrument, InstrumentVersion, Invitation, Response, Wave


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows created by the survey itself: researchers look, they do not edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InstrumentVersionInline(admin.TabularInline):
    model = InstrumentVersion
    fields = ["number", "source_name", "checksum", "created_at", "frozen"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="frozen (has responses)")
    def frozen(self, version):
        return version.is_frozen()


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "created_at"]
    readonly_fields = ["code", "created_at"]
    inlines = [InstrumentVersionInline]

    def has_add_permission(self, request):
        return False  # instruments come from YAML files: manage.py import_instrument FILE


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ReadOnlyAdmin):
    list_display = ["instrument", "number", "source_name", "created_at"]
    fields = ["instrument", "number", "source_name", "checksum", "created_at", "definition_yaml"]
    readonly_fields = fields

    @admin.display(description="definition")
    def definition_yaml(self, version):
        return format_html("<pre>{}</pre>", dump_yaml(version.definition))


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "opens_at", "closes_at", "privacy_mode", "access", "viewed", "in_progress", "completed", "withdrawn", "monitoring"]
    list_filter = ["privacy_mode", "access"]
    search_fields = ["slug", "title"]

    def get_queryset(self, request):
        counts = {
            # a count across the relation passes no manager: test responses are left out here by name
            status: Count("responses", filter=Q(responses__status=status, responses__is_test=False), distinct=True)
            for status in Response.Status.values
        }
        return super().get_queryset(request).annotate(**counts)

    def get_readonly_fields(self, request, obj=None):
        # A wave belongs to the study of its questionnaire: another version would move it (and its responses) to
        # another study. Changing privacy mode after people answered would mix incompatible responses.
        if obj is None:
            return []
        return ["instrument_version", "privacy_mode"] if obj.responses.exists() else ["instrument_version"]

    @admin.display(ordering="viewed")
    def viewed(self, wave):
        return wave.viewed

    @admin.display(ordering="in_progress")
    def in_progress(self, wave):
        return wave.in_progress

    @admin.display(ordering="completed")
    def completed(self, wave):
        return wave.completed

    @admin.display(ordering="withdrawn")
    def withdrawn(self, wave):
        return wave.withdrawn

    @admin.display(description="")
    def monitoring(self, wave):
        return format_html('<a href="{}">monitoring</a>', reverse("admin:surveys_wave_monitoring", args=[wave.pk]))

    def get_urls(self):
        return [
            path("<int:wave_id>/monitoring/", self.admin_site.admin_view(self.monitoring_view), name="surveys_wave_monitoring"),
        ] + super().get_urls()

    def monitoring_view(self, request, wave_id):
        wave = Wave.objects.select_related("instrument_version").get(pk=wave_id)
        by_status = dict(wave.responses.values_list("status").annotate(n=Count("pk")))
        reached = dict(
            wave.responses.exclude(status=Response.Status.WITHDRAWN).values_list("last_page").annotate(n=Count("pk"))
        )
        pages = [(page.code, reached.get(page.code, 0)) for page in wave.instrument_version.spec.pages]
        return TemplateResponse(request, "admin/surveys/wave_monitoring.html", {
            **self.admin_site.each_context(request),
            "title": f"Monitoring: {wave.slug}",
            "wave": wave,
            "by_status": [(label, by_status.get(value, 0)) for value, label in Response.Status.choices],
            "pages": pages,
            "opts": self.model._meta,
        })


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "wave", "personal", "created_at", "used_at", "has_answered"]
    list_filter = ["wave", ("used_at", admin.EmptyFieldListFilter), "has_answered"]
    fields = ["wave", "created_at", "used_at", "has_answered", "personal"]
    readonly_fields = fields

    @admin.display(boolean=True)
    def personal(self, invitation):
        return bool(invitation.pseudonym)

