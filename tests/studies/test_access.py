"""Who reaches which workspace address: every URL of studies/urls.py has a row here, or this test fails.

Outsiders (a researcher of another study, a respondent) get 404, so a study's existence is not
disclosed; members below the needed role get 403; anonymous visitors are sent to the login.
"""

import sqlite3

import pytest
from django.urls import reverse

from reports.models import ReportJob
from studies import urls
from studies.models import ExportJob, Participant
from studies.participant_lists import Person, add_participants
from surveys.models import Response
from coding.services import draw_sample
from tests.coding.builders import wishes_codebook
from tests.studies.builders import study_with_members

# URL name -> (least role, HTTP method). "member-free" views need only a login.
RULES = {
    "index": ("login", "get"),
    "create": ("add_study permission", "post"),
    "study": ("viewer", "get"),
    "dashboard": ("viewer", "get"),
    "preview": ("analyst", "get"),
    "diff": ("analyst", "get"),
    "questionnaire_download": ("viewer", "get"),
    "edit": ("owner", "get"),
    "responses": ("analyst", "get"),
    "results": ("analyst", "get"),
    "crosstab": ("analyst", "get"),
    "response": ("analyst", "get"),
    "exports": ("analyst", "get"),
    "reports": ("analyst", "get"),
    "export_download": ("analyst", "get"),
    "report_download": ("analyst", "get"),
    "members": ("owner", "get"),
    "study_copy": ("owner and add_study permission", "post"),
    "wave_copy": ("owner", "get"),
    "wave_test": ("analyst", "post"),
    "test_responses_delete": ("owner", "post"),
    "audit": ("owner", "get"),
    "audit_csv": ("owner", "get"),
    "upload": ("owner", "get"),
    "wave_new": ("owner", "get"),
    "wave_extend": ("owner", "get"),
    "wave_open": ("owner", "post"),
    "wave_close": ("owner", "get"),  # the confirmation; the POST would delete the list the rows below need
    "response_withdraw": ("owner", "post"),
    "invitations": ("owner", "get"),
    "invitation_upload": ("owner", "post"),
    "invitation_platform_accounts": ("owner", "post"),
    "invitation_add": ("owner", "post"),
    "invitation_resend": ("owner", "post"),
    "invitation_opt_out": ("owner", "post"),
    "invitation_send": ("owner", "post"),
    "invitation_progress": ("owner", "get"),
    "invitation_text": ("owner", "get"),
    "opt_out": ("public", "get"),
    "coding": ("analyst", "get"),
    "coding_sample_new": ("analyst", "post"),
    "coding_model_run": ("analyst", "post"),
    "coding_code": ("analyst", "get"),
    "coding_disagreements": ("analyst", "get"),
    "coding_adjudicate": ("owner", "post"),
}
RANK = {"viewer": 1, "analyst": 2, "owner": 3}


def test_every_workspace_url_has_an_access_rule():
    names = {pattern.name for pattern in urls.urlpatterns}
    assert names == set(RULES), f"URLs without a rule: {names - set(RULES)}; rules without a URL: {set(RULES) - names}"


@pytest.fixture
def world(tmp_path, settings):
    cast = study_with_members()
    platform = tmp_path / "webui.db"  # an Open WebUI database with one account, for the platform-accounts page
    with sqlite3.connect(platform) as connection:
        connection.execute("CREATE TABLE user (email TEXT, oauth_sub TEXT, role TEXT, created_at INTEGER)")
        connection.execute("INSERT INTO user VALUES ('a.person@example.org', 'sub-1', 'user', 1)")
    settings.UPTAKE_OPENWEBUI_DB = str(platform)
    response = Response.objects.create(wave=cast.wave, instrument_version=cast.wave.instrument_version,
                                       participant_key="k" * 64, language="en")
    files = {}
    for name, model, extra in (("export", ExportJob, {"format": "csv"}), ("report", ReportJob, {"kind": "strategy", "language": "en"})):
        path = tmp_path / f"{name}.bin"
        path.write_bytes(b"file")
        files[name] = model.objects.create(wave=cast.wave, status="finished", output_path=str(path), **extra)
    add_participants(cast.wave, [Person(where="line 2", email="a.person@example.org", language="de")], "list.csv")
    participant = Participant.objects.get(wave=cast.wave)
    s, w = cast.study.slug, cast.wave.slug
    codebook = wishes_codebook()
    sample = draw_sample(cast.wave, codebook, size=2, seed=1)
    url_args = {
        "index": [], "create": [], "study": [s], "members": [s], "study_copy": [s],
        "wave_copy": [s, w], "wave_test": [s, w], "test_responses_delete": [s, w], "audit": [s], "audit_csv": [s], "upload": [s],
        "preview": [s, 1], "diff": [s], "edit": [s],
        "questionnaire_download": [s, 1, "yaml"], "wave_new": [s], "dashboard": [s, w], "wave_extend": [s, w],
        "wave_open": [s, w], "wave_close": [s, w], "responses": [s, w], "response": [s, w, response.pk],
        "results": [s, w], "crosstab": [s, w],
        "response_withdraw": [s, w, response.pk], "exports": [s, w], "reports": [s, w],
        "export_download": [s, files["export"].pk], "report_download": [s, files["report"].pk],
        "invitations": [s, w], "invitation_upload": [s, w], "invitation_platform_accounts": [s, w],
        "invitation_add": [s, w], "invitation_resend": [s, w, participant.pk], "invitation_opt_out": [s, w, participant.pk],
        "invitation_send": [s, w], "invitation_progress": [s, w], "invitation_text": [s, w, "invitation", "en"],
        "opt_out": ["no-such-token"],
        "coding": [s, w], "coding_sample_new": [s, w, codebook.pk], "coding_model_run": [s, w, codebook.pk],
        "coding_code": [s, w, sample.pk], "coding_disagreements": [s, w, sample.pk],
        "coding_adjudicate": [s, w, sample.pk],
    }
    return cast, url_args


def expected_status(rule: str, method: str, who: str) -> str:
    """'ok', 'login', 'forbidden' or 'not found' for a visitor class."""
    if rule == "public":  # the opt-out page in every mail: no login, and it says nothing about the token
        return "ok"
    if who == "anonymous":
        return "login"
    if rule == "login":
        return "ok"
    if rule == "add_study permission":
        return "ok" if who == "other_researcher" else "forbidden"
    if rule == "owner and add_study permission":  # no member of the cast has both (tests/studies/test_copies.py)
        return "not found" if who in ("other_researcher", "respondent") else "forbidden"
    if who in ("other_researcher", "respondent"):
        return "not found"
    return "ok" if RANK[who] >= RANK[rule] else "forbidden"


def outcome(response) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    if response.status_code in (200, 302, 400):
        return "ok"
    return {403: "forbidden", 404: "not found"}.get(response.status_code, str(response.status_code))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "analyst", "viewer", "other_researcher", "respondent", "anonymous"])
def test_each_visitor_gets_exactly_the_rights_of_their_role(client, world, who):
    cast, url_args = world
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    wrong = {}
    for name, (rule, method) in RULES.items():
        url = reverse(f"studies:{name}", args=url_args[name])
        got = outcome(getattr(client, method)(url))
        if got != expected_status(rule, method, who):
            wrong[name] = (got, expected_status(rule, method, who))
    assert wrong == {}


@pytest.mark.django_db
def test_a_researcher_of_another_study_reaches_nothing_of_this_one_by_changing_ids(client, world):
    """The other study's owner asks for this study's files and responses under their own study's address."""
    cast, url_args = world
    client.force_login(cast.other_researcher)
    export, report = ExportJob.objects.get(), ReportJob.objects.get()
    response = cast.wave.responses.get()
    for url in (reverse("studies:export_download", args=["other-study", export.pk]),
                reverse("studies:report_download", args=["other-study", report.pk]),
                reverse("studies:response", args=["other-study", cast.wave.slug, response.pk]),
                reverse("studies:dashboard", args=["other-study", cast.wave.slug])):
        assert client.get(url).status_code == 404, url
