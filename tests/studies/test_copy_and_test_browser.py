"""In Chromium, German, on a 390 px phone: copy a study from its page, then try the copy's wave out with "Testen"."""

import pytest
from django.contrib.auth.models import Permission

from studies.models import Study
from surveys.models import Response
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)
from tests.studies.builders import PASSWORD, small_study_with_members
from tests.studies.test_workspace_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_an_owner_copies_a_study_and_tests_its_wave_on_a_phone(chromium_browser, live_server, tmp_path):  # noqa: F811
    cast = small_study_with_members(tmp_path)
    cast.owner.user_permissions.add(Permission.objects.get(codename="add_study"))
    page = new_visitor(chromium_browser, locale="de-DE", viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/studies/{cast.study.slug}/")
    page.locator("input[name=login]").fill(cast.owner.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"**/studies/{cast.study.slug}/")

    assert page.get_by_label("Titel der Kopie").input_value() == "Kopie von Small study"
    assert overflow(page) <= 0 and serious_violations(page) == []
    page.get_by_label("Titel der Kopie").fill("Small study 2027")
    page.get_by_role("button", name="Studie kopieren").click()
    page.wait_for_url("**/studies/small-study-2027/")
    assert "Antworten, Einladungen und Adressen wurden nicht kopiert" in page.content()
    page.get_by_role("link", name=cast.wave.title).click()

    assert "0 Testantworten" in page.content()
    assert overflow(page) <= 0 and serious_violations(page) == []
    page.get_by_role("button", name="Testen").click()
    page.wait_for_url("**/s/small-wave-2/")
    assert "Testmodus" in page.content() and overflow(page) <= 0

    page.locator("#id_consent").check()
    page.locator("form.consent button[type=submit]").click()
    page.wait_for_url("**/s/small-wave-2/p/about/")
    assert "Testmodus" in page.content()

    copy = Study.objects.get(slug="small-study-2027")
    assert Response.all_objects.filter(wave__slug="small-wave-2", is_test=True).count() == 1
    assert Response.objects.filter(wave__in=copy.waves()).count() == 0
