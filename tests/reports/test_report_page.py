"""The researchers' page: request a report, the background job builds it, the list shows its provenance."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from reports.models import ReportJob
from surveys.demo import load_demo


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    """Run enqueued tasks at once, in the test's thread (the site uses the database backend and a worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.UPTAKE_REPORTS_DIR = tmp_path


@pytest.mark.django_db
def test_a_requested_report_is_built_in_the_background_and_listed_with_its_hashes(client, demo_plan, immediate_tasks):
    wave = load_demo().wave
    researcher = get_user_model().objects.get(username="researcher")
    client.force_login(researcher)
    response = client.post(reverse("reports:request"), {"wave": wave.slug, "kind": "strategy", "language": "en"})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FINISHED and job.progress == 100
    assert len(job.data_hash) == 64 and len(job.plan_hash) == 64 and job.software["pandas"]
    page = client.get(reverse("reports:list")).content.decode()
    assert job.data_hash[:12] in page and job.plan_hash[:12] in page
    assert reverse("reports:download", args=[job.pk]) in page
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_the_report_page_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("reports:list"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_staff_status_alone_does_not_open_reports(client):
    staff = get_user_model().objects.create_user("colleague", password="x" * 12, is_staff=True)
    client.force_login(staff)
    listing = client.get(reverse("reports:list"))
    requested = client.post(reverse("reports:request"), {"wave": "any", "kind": "strategy", "language": "en"})
    assert listing.status_code == requested.status_code == 403
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_the_view_permission_shows_reports_but_does_not_request_them(client):
    reader = get_user_model().objects.create_user("reader", password="x" * 12)
    reader.user_permissions.add(Permission.objects.get(codename="view_reportjob", content_type__app_label="reports"))
    client.force_login(reader)
    assert client.get(reverse("reports:list")).status_code == 200
    assert client.post(reverse("reports:request"), {"wave": "any"}).status_code == 403
