"""Every workspace page a researcher reaches in three clicks from /studies/, in German on a 390 px phone:
no sideways scrolling, no raw code, no English sentence, no serious or critical axe-core violation.

Issue 23, finding 4 and its second "done means" line. The crawl follows the links of each page (not
downloads, not the English preview), so a new page is checked as soon as a page links to it.
"""

import re
from datetime import timedelta
from urllib.parse import urljoin, urlparse

import pytest
from django.utils import timezone

from reports.models import ReportJob
from studies.models import ExportJob, Membership, Study
from surveys import services
from surveys.demo import DEMO_INSTRUMENT, add_synthetic_responses
from surveys.models import Wave
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)
from tests.studies.builders import PASSWORD, make_user
from tests.studies.test_workspace_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLICKS = 3
PHONE = {"width": 390, "height": 844}
# Words of English sentences that German never uses; a German page shows none of them outside [lang=en].
ENGLISH = {"the", "with", "your", "this", "these", "page", "wave", "waves", "responses", "questionnaire", "upload",
           "download", "created", "closed", "preview", "members", "none", "yet", "not", "for", "from", "of", "to",
           "is", "are", "has", "have", "you", "by", "each", "which", "when", "what", "who", "all", "only"}
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: a page, item or type code (outside <code>, a command to type)
SKIPPED = re.compile(r"/download/|\.csv$|[?&]lang=en|/opt-out/|/accounts/logout")

PAGE_FACTS = """() => {
    const copy = document.body.cloneNode(true);
    copy.querySelectorAll('script, style, textarea, pre, code, svg title, [lang]:not([lang^="de"])')
        .forEach(node => node.remove());
    const wide = [...document.body.querySelectorAll('*')].filter(node => node.getBoundingClientRect().right > window.innerWidth + 1)
        .map(node => node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') + (node.className && typeof node.className === 'string' ? '.' + node.className.split(' ')[0] : ''));
    return {overflow: document.documentElement.scrollWidth - window.innerWidth, text: copy.textContent, wide: wide.slice(0, 6),
            links: [...document.querySelectorAll('a[href]')].filter(a => !a.hasAttribute('download')).map(a => a.href)};
}"""


@pytest.fixture
def german_study(settings, tmp_path):
    """A study as after a few weeks of fieldwork: a wave with responses, an export and a report."""
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 5
    version = services.import_instrument(DEMO_INSTRUMENT).version
    study = Study.objects.create(slug="ki-studie", title="KI-Befragung", instrument=version.instrument)
    now = timezone.now()
    wave = Wave.objects.create(slug="welle-1", title="Welle 1", instrument_version=version, opens_at=now - timedelta(days=3),
                               closes_at=now + timedelta(days=30), privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    add_synthetic_responses(wave, 30, seed=5)
    owner = make_user("eigentuemerin")
    Membership.objects.create(study=study, user=owner, role=Membership.Role.OWNER)
    for name, model, extra in (("export", ExportJob, {"format": "csv", "rows": 30}),
                               ("report", ReportJob, {"kind": "publication", "language": "de",
                                                      "software": {f"package-{n}": f"{n}.{n}.{n}" for n in range(11)}})):
        path = tmp_path / f"{name}.bin"
        path.write_bytes(b"file")
        model.objects.create(wave=wave, status="finished", output_path=str(path), requested_by=owner,
                             finished_at=now, **extra)
    return study


def test_every_workspace_page_within_three_clicks_is_german_and_fits_a_phone(chromium_browser, live_server, german_study):  # noqa: F811
    page = new_visitor(chromium_browser, locale="de-DE", viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/studies/")
    page.locator("input[name=login]").fill("eigentuemerin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/studies/")

    seen, frontier, findings = set(), [(f"{live_server.url}/studies/", 0)], {}
    while frontier:
        url, clicks = frontier.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        facts = page.evaluate(PAGE_FACTS)
        problems = []
        if facts["overflow"] > 0:
            problems.append(f"{facts['overflow']} px wider than the phone: {facts['wide']}")
        words = set(re.findall(r"[A-Za-zÄÖÜäöüß]+", facts["text"]))
        if words & ENGLISH:
            problems.append(f"English: {sorted(words & ENGLISH)}")
        if CODE.findall(facts["text"]):
            problems.append(f"codes: {sorted(set(CODE.findall(facts['text'])))[:8]}")
        problems += serious_violations(page)
        if problems:
            findings[urlparse(url).path + (f"?{urlparse(url).query}" if urlparse(url).query else "")] = problems
        if clicks < CLICKS:
            for link in facts["links"]:
                link = urljoin(url, link).split("#")[0]
                if link.startswith(f"{live_server.url}/studies/") and not SKIPPED.search(link) and link not in seen:
                    frontier.append((link, clicks + 1))

    assert len(seen) >= 12, sorted(seen)
    reached = {urlparse(url).path for url in seen}
    for results_page in ("results/", "results/crosstab/", "responses/"):  # results at a glance (issue 23)
        assert f"/studies/ki-studie/waves/welle-1/{results_page}" in reached, sorted(reached)
    assert findings == {}
