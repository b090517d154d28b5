import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from reports.models import ReportJob
from surveys.demo import load_demo
from tests.reports.conftest import pdf_text


@pytest.mark.django_db
def test_build_report_writes_the_pdf_and_its_assets(tmp_path, demo_plan, capsys):
    load_demo()
    out = tmp_path / "strategy.pdf"
    call_command("build_report", "ai-platform-2026", "--kind", "strategy", "--lang", "en", "--out", str(out))
    printed = capsys.readouterr().out
    assert str(out) in printed and "data sha256" in printed
    assert "Key messages" in pdf_text(out)
    assert (tmp_path / "strategy.pdf.assets" / "results.json").exists()
    job = ReportJob.objects.get()  # listed on the report pages like a report built in the browser
    assert job.status == "finished" and job.output_path == str(out) and len(job.data_hash) == 64


@pytest.mark.django_db
def test_build_report_names_the_existing_waves_for_an_unknown_one(tmp_path):
    with pytest.raises(CommandError, match="unknown wave 'nope'; existing waves: none yet"):
        call_command("build_report", "nope", "--out", str(tmp_path / "x.pdf"))


@pytest.mark.django_db
def test_build_report_queue_leaves_the_report_to_the_task_worker(capsys):
    load_demo()
    call_command("build_report", "ai-platform-2026", "--kind", "publication", "--lang", "de", "--queue")

    job = ReportJob.objects.get()  # the reports page lists it as queued until the worker builds it
    assert (job.kind, job.language, job.status, job.output_path) == ("publication", "de", "queued", "")
    waiting = DBTaskResult.objects.get()
    assert waiting.task_path == "reports.tasks.build_report_job" and waiting.args_kwargs["args"] == [job.pk]
    assert f"report job {job.pk}" in capsys.readouterr().out


@pytest.mark.django_db
def test_build_report_needs_an_output_file_unless_queued():
    with pytest.raises(CommandError, match="--out is required"):
        call_command("build_report", "ai-platform-2026")
