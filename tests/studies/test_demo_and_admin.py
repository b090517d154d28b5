"""The demo account owns the demo study; the admin shows operators' models only and leads to the workspace."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from studies.models import Membership, Study
from tests.studies.builders import study_with_members
from surveys.demo import load_demo


@pytest.mark.django_db
def test_the_demo_researcher_owns_the_demo_study_and_loading_twice_changes_nothing(client):
    load_demo()
    call_command("load_demo_study")
    call_command("load_demo_study")
    study = Study.objects.get()
    assert study.slug == "ai-platform-2026" and study.waves().get().slug == "ai-platform-2026"
    assert Membership.objects.get().user.username == "researcher" and Membership.objects.get().role == "owner"
    client.login(username="researcher", password="uptake-demo")
    assert client.get(reverse("studies:dashboard", args=[study.slug, study.slug])).status_code == 200


@pytest.mark.django_db
def test_the_admin_index_hides_framework_models_and_links_to_the_workspace(client):
    admin = get_user_model().objects.create_superuser("operator", password="operator-password-1")
    client.force_login(admin)
    page = client.get(reverse("admin:index")).content.decode()
    shown = page.lower()
    assert "task results" not in shown and "social application tokens" not in shown and "email addresses" not in shown
    assert "waves" in shown and "audit entries" in shown and "social accounts" in shown
    assert 'href="/studies/"' in page


@pytest.mark.django_db
def test_the_admin_cannot_change_roles_read_responses_or_move_a_wave_unaudited(client):
    cast = study_with_members()
    client.force_login(get_user_model().objects.create_superuser("operator", password="operator-password-1"))

    for page in ("studies/study/", "studies/membership/", "surveys/response/", "surveys/answer/"):
        assert client.get(f"/admin/{page}").status_code == 404, page
    change_wave = client.get(f"/admin/surveys/wave/{cast.wave.pk}/change/").content.decode()
    assert 'name="title"' in change_wave and 'name="instrument_version"' not in change_wave


@pytest.mark.django_db
def test_the_home_page_leads_researchers_to_the_workspace(client):
    assert reverse("studies:index") in client.get("/").content.decode()
