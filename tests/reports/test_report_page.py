"""The researchers' page: request a report, the background job builds it, the list shows its provenance."""

import pytest
from django.contrib.auth import get_user_model
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
def test_the_report_page_is_for_staff_only(client):
    user = get_user_model().objects.create_user("respondent", password="x" * 12)
    client.force_login(user)
    response = client.get(reverse("reports:list"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
