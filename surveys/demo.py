"""Demo data: the AI-platform survey, a demo wave, accounts and synthetic respondents.

Synthetic answers follow the instrument's own pages and conditions, so the demo exercises the
same routing, export and analysis paths as real data. Everything is seeded and idempotent.
"""

import csv
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from surveys import flow, services
from surveys.instruments import NOT_APPLICABLE, Dropdown, Likert, LikertMatrix, LongText, MultipleChoice, Number, Scale010, ShortText, SingleChoice
from surveys.models import Answer, Invitation, PageVisit, Response, Wave
from surveys.pseudonyms import keyed_hash, pseudonymize, wave_linkage_pseudonym

DEMO_INSTRUMENT = Path(__file__).resolve().parent / "demo" / "ai_platform_survey.yaml"
DEMO_WAVE = "ai-platform-2026"
DEMO_TOKEN = "demo-invitation"
DEMO_PASSWORD = "uptake-demo"
DEMO_RESPONDENTS = 220
DEMO_SEED = 2026
# Open answers to "wishes": 165 texts in German and English across the themes such surveys get; a
# double-coded gold sample of them is in coding/demo/wishes_gold.csv (docs/coding.md).
DEMO_WISHES_FILE = Path(__file__).resolve().parent / "demo" / "wishes.csv"
WISHES = [row["text"] for row in csv.DictReader(DEMO_WISHES_FILE.open(encoding="utf-8"))]
WISH_RATE = 0.9  # most respondents of the demo answer the open question, so that it is worth coding


@dataclass
class DemoSummary:
    wave: Wave
    invitation_url: str
    accounts: list
    responses: int


@dataclass
class DemoSite:
    """One synthetic site of a demo consortium: its own wave, size and level of satisfaction."""

    wave_slug: str
    token: str
    title: str
    respondents: int
    satisfaction: tuple[float, float]  # beta(a, b) of the latent satisfaction that drives the ratings


def demo_site(seed=DEMO_SEED):
    """The demo site for `seed`: the classic demo wave for the default seed, else site N of a consortium."""
    if seed == DEMO_SEED:
        return DemoSite(DEMO_WAVE, DEMO_TOKEN, "AI platform user survey 2026 (demo)", DEMO_RESPONDENTS, (4.0, 2.0))
    rng = random.Random(f"site:{seed}")
    return DemoSite(f"{DEMO_WAVE}-site-{seed}", f"{DEMO_TOKEN}-site-{seed}",
                    f"AI platform user survey 2026 (demo site {seed})", rng.randint(120, 220),
                    (rng.uniform(2.5, 5.0), rng.uniform(1.5, 3.0)))


@transaction.atomic
def load_demo(seed=DEMO_SEED):
    site = demo_site(seed)
    version = services.import_instrument(DEMO_INSTRUMENT).version
    now = timezone.now()
    wave, _ = Wave.objects.get_or_create(
        slug=site.wave_slug,
        defaults={
            "title": site.title,
            "instrument_version": version,
            "opens_at": now - timedelta(days=21),
            "closes_at": now + timedelta(days=60),
            "privacy_mode": Wave.PrivacyMode.PSEUDONYMOUS,
        },
    )
    accounts = [_account("researcher", superuser=True)]
    Invitation.objects.get_or_create(wave=wave, token_hash=services.hash_token(site.token))
    if not wave.responses.filter(participant_key=_synthetic_key(wave, 0)).exists():
        add_synthetic_responses(wave, site.respondents, seed, satisfaction=site.satisfaction)
    return DemoSummary(
        wave=wave,
        invitation_url=services.invitation_url(site.token),
        accounts=accounts,
        responses=wave.responses.count(),
    )


def _account(username, superuser=False):
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
    user.is_staff = True
    user.is_superuser = superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    return (username, DEMO_PASSWORD)


def add_synthetic_responses(wave, count, seed, batch_size=1000, satisfaction=(4.0, 2.0)):
    """Completed responses and some drop-outs with plausible answers and page timings."""
    rng = random.Random(seed)
    for first in range(0, count, batch_size):
        batch = [_synthetic_response(wave, index, rng, satisfaction)
                 for index in range(first, min(first + batch_size, count))]
        Response.objects.bulk_create(response for response, _visits, _answers in batch)
        PageVisit.objects.bulk_create(visit for _response, visits, _answers in batch for visit in visits)
        Answer.objects.bulk_create(answer for _response, _visits, answers in batch for answer in answers)


def _synthetic_response(wave, index, rng, shape=(4.0, 2.0)):
    """One respondent walking the instrument's pages: (Response, PageVisits, Answers), unsaved."""
    instrument = wave.instrument_version.spec
    satisfaction = rng.betavariate(*shape)  # latent: drives ratings so scales correlate as in real data
    started = wave.opens_at + timedelta(minutes=rng.randint(10, 20 * 24 * 60))
    pseudonym = pseudonymize(f"demo-subject-{index:04d}", kind="subject") if wave.is_pseudonymous else ""
    linkage_consent = wave.is_pseudonymous and rng.random() < 0.7
    response = Response(
        wave=wave,
        instrument_version=wave.instrument_version,
        participant_key=_synthetic_key(wave, index),
        pseudonym=pseudonym if linkage_consent else "",
        wave_pseudonym=wave_linkage_pseudonym(pseudonym),
        linkage_consent=linkage_consent,
        status=Response.Status.IN_PROGRESS,
        language=rng.choice(["de", "de", "de", "en"]),
        device=rng.choice(["desktop", "desktop", "phone"]),
        info_viewed_at=started - timedelta(seconds=rng.randint(20, 120)),
        consented_at=started,
        started_at=started,
    )
    drops_out = rng.random() < 0.12
    answers, moment, visits = {}, started, []  # answers: code -> (value, other text)
    pages = flow.visible_pages(instrument, {})
    position = 0
    while position < len(pages):
        page = pages[position]
        seconds = rng.randint(15, 140)
        visits.append(PageVisit(response=response, page=page.code, entered_at=moment, left_at=moment + timedelta(seconds=seconds)))
        moment += timedelta(seconds=seconds)
        response.last_page = page.code
        if drops_out and position >= 2 and rng.random() < 0.4:
            break
        for item in flow.visible_items(page, _values(answers)):
            answers.update(_answer(item, instrument, rng, satisfaction))
        pages = flow.visible_pages(instrument, _values(answers))
        position = pages.index(page) + 1
    else:
        response.status = Response.Status.COMPLETED
        response.completed_at = moment
    response.current_page = "" if response.status == Response.Status.COMPLETED else response.last_page
    stored = [
        Answer(response=response, item=code, value=value, other_text=other)
        for code, (value, other) in answers.items() if value is not None
    ]
    return response, visits, stored


def _values(answers):
    """Plain values, as the routing functions expect them."""
    return {code: value for code, (value, _other) in answers.items()}


def _synthetic_key(wave, index):
    return keyed_hash(f"participant:{wave.slug}:demo:{index}")


def _answer(item, instrument, rng, satisfaction):
    """code -> (value, other text) for one item, or {} when a respondent skips an optional item."""
    if not item.required and not isinstance(item, LongText) and rng.random() < 0.25:
        return {}
    if isinstance(item, LikertMatrix):
        return {row.code: (_likert(item, rng, satisfaction, row.reverse), "") for row in item.rows}
    if isinstance(item, Likert):
        return {item.code: (_likert(item, rng, satisfaction, item.reverse), "")}
    if isinstance(item, Scale010):
        return {item.code: (max(0, min(10, round(rng.gauss(satisfaction * 10, 1.5)))), "")}
    if isinstance(item, MultipleChoice):
        plain = [option.code for option in item.options if not option.exclusive]
        chosen = rng.sample(plain, k=rng.randint(1, min(4, len(plain))))
        return {item.code: (chosen, "")}
    if isinstance(item, (SingleChoice, Dropdown)):
        option = rng.choice(item.options)
        return {item.code: (option.code, "")}
    if isinstance(item, Number):
        low, high = item.min if item.min is not None else 0, item.max if item.max is not None else 40
        value = rng.uniform(low, min(high, low + 40))
        return {item.code: (round(value) if item.integer else round(value, 1), "")}
    if isinstance(item, LongText):
        return {item.code: (rng.choice(WISHES), "")} if rng.random() < WISH_RATE else {}
    if isinstance(item, ShortText):
        return {item.code: ("Dokumentation" if rng.random() < 0.5 else "teaching material", "")}
    return {}


def _likert(item, rng, satisfaction, reverse):
    if item.not_applicable and rng.random() < 0.03:
        return NOT_APPLICABLE
    latent = 1 - satisfaction if reverse else satisfaction
    return max(1, min(item.points, round(rng.gauss(1 + latent * (item.points - 1), 0.8))))
