"""The researchers' report page: request a report (built in the background), follow it, download it.

Access is by Django permission, not by staff status: `reports.view_reportjob` to see and download
reports, `reports.add_reportjob` to request one (grant them through a group in the admin).
"""

from pathlib import Path

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from reports.forms import ReportRequestForm
from reports.models import ReportJob
from reports.tasks import build_report_job

JOBS_SHOWN = 50


def requires_permission(permission):
    """Signed in (else the admin login page) and holding `permission` (else 403)."""
    def decorator(view):
        return login_required(permission_required(permission, raise_exception=True)(view), login_url="admin:login")
    return decorator


@requires_permission("reports.view_reportjob")
def report_list(request):
    jobs = ReportJob.objects.select_related("wave")[:JOBS_SHOWN]
    running = any(job.status in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING) for job in jobs)
    return render(request, "reports/index.html", {"form": ReportRequestForm(), "jobs": jobs, "running": running})


@requires_permission("reports.add_reportjob")
@require_POST
def request_report(request):
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        jobs = ReportJob.objects.select_related("wave")[:JOBS_SHOWN]
        return render(request, "reports/index.html", {"form": form, "jobs": jobs}, status=400)
    job = ReportJob.objects.create(requested_by=request.user, **form.cleaned_data)
    build_report_job.enqueue(job.pk)
    return redirect("reports:list")


@requires_permission("reports.view_reportjob")
def download(request, pk):
    job = get_object_or_404(ReportJob, pk=pk, status=ReportJob.Status.FINISHED)
    path = Path(job.output_path)
    if not path.is_file():
        raise Http404("the report file is no longer there; build it again")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/pdf")
