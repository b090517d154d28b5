"""Demo usage: generated platform logs for the demo wave's usage window, imported through the real pipeline.

The demo wave (surveys.demo) has 160 synthetic respondents, OIDC subjects `demo-subject-0000` ..
`demo-subject-0159`. Here they, and 240 platform users who never answered (`demo-user-0000` ..),
get a generic JSON Lines log of chats, ratings and logins, and the model server an Ollama log, over
the wave's usage window. Both files go through `import_source`, so the identities are pseudonymized
on the way in exactly as real logs are. How often a respondent is active follows their answer to
`frequency` and how much they chat follows `overall_satisfaction`, so the linked data show the
relations an analyst would look for.

Everything is generated from the seed and the window: a second call produces the same records,
whose event keys are already stored, and adds nothing.
"""

import json
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from platform_logs.models import UsageWindow
from platform_logs.services import import_source
from surveys.demo import DEMO_RESPONDENTS, DEMO_WAVE
from surveys.models import Answer, Wave
from surveys.pseudonyms import pseudonymize, wave_linkage_pseudonym

NONRESPONDENTS = 240
RESPONDENT_SUBJECT = "demo-subject-{:04d}"
NONRESPONDENT_SUBJECT = "demo-user-{:04d}"
# Model: (share of users preferring it, output tokens/s, reasoning factor on output tokens)
MODELS = {"llama3.1:8b": (0.45, 70.0, 1.0), "gemma2:27b": (0.35, 28.0, 1.0), "deepseek-r1:32b": (0.20, 22.0, 2.5)}
FEATURES = {(): 0.62, ("web_search",): 0.15, ("knowledge",): 0.12, ("vision",): 0.04, ("code_interpreter",): 0.03,
            ("web_search", "knowledge"): 0.02, ("tools",): 0.02}
EXTRA_INPUT_TOKENS = {"web_search": 2500, "knowledge": 3500, "vision": 800, "code_interpreter": 300, "tools": 400}
# Share of working days a person is active, by their answer to `frequency`.
ACTIVE_DAY_SHARE = {"daily": 0.8, "several_weekly": 0.45, "weekly": 0.2, "monthly": 0.06, "less_often": 0.025,
                    "never": 0.0}
NONRESPONDENT_FREQUENCY = {"daily": 0.08, "several_weekly": 0.17, "weekly": 0.3, "monthly": 0.27, "less_often": 0.18}
WEEKEND_FACTOR = 0.08
FAILURE_RATE, INCIDENT_FAILURE_RATE, INCIDENT_DAYS = 0.01, 0.15, 2
OLLAMA_CLIENT = "172.18.0.5"  # Open WebUI's container; the importer drops it


@dataclass
class DemoUser:
    subject: str
    active_day_share: float
    satisfaction: int  # 1..5
    model: str


@dataclass
class DemoUsageSummary:
    wave: Wave
    start: datetime
    end: datetime
    users: int
    events: object  # ImportSummary of the generic JSONL log
    requests: object  # ImportSummary of the Ollama log

    def __str__(self):
        return (f"Demo usage for '{self.wave.slug}' ({self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}, {self.users} "
                f"platform users): {self.events.stored} events stored ({self.events.duplicates} already there), "
                f"{self.requests.stored} model server requests stored ({self.requests.duplicates} already there).")


@transaction.atomic
def load_demo_usage(seed=2026):
    """Generate and import the demo wave's platform logs (after `load_demo`); a second call stores nothing."""
    wave = Wave.objects.filter(slug=DEMO_WAVE).first()
    if wave is None:
        raise Wave.DoesNotExist(f"no wave {DEMO_WAVE!r}: run `manage.py load_demo` first")
    start, end = UsageWindow.for_wave(wave)
    rng = random.Random(seed)
    users = demo_users(wave, rng)
    days = _working_window_days(start, end)
    incidents = set(rng.sample(days, INCIDENT_DAYS))
    with TemporaryDirectory(prefix="uptake-demo-usage-") as directory:
        events_path, log_path = Path(directory) / "demo_usage.jsonl", Path(directory) / "ollama.log"
        requests = []
        with open(events_path, "w", encoding="utf-8") as out:
            for user in users:
                for record in user_events(user, days, incidents, rng, requests):
                    out.write(json.dumps(record) + "\n")
        requests.extend(background_requests(days, rng))
        log_path.write_text(ollama_log(requests), encoding="utf-8")
        events = import_source("generic-jsonl", events_path)
        platform = import_source("ollama-log", log_path)
    return DemoUsageSummary(wave, start, end, len(users), events, platform)


def demo_users(wave, rng):
    """The demo respondents (activity from their answers) and the platform users who never answered."""
    answers = _answers_by_pseudonym(wave, ["frequency", "overall_satisfaction"])
    users = []
    for index in range(DEMO_RESPONDENTS + NONRESPONDENTS):
        respondent = index < DEMO_RESPONDENTS
        subject = (RESPONDENT_SUBJECT.format(index) if respondent
                   else NONRESPONDENT_SUBJECT.format(index - DEMO_RESPONDENTS))
        given = answers.get(wave_linkage_pseudonym(pseudonymize(subject, kind="subject")), {}) if respondent else {}
        frequency = given.get("frequency") or _weighted(rng, NONRESPONDENT_FREQUENCY)
        satisfaction = given.get("overall_satisfaction")
        if not isinstance(satisfaction, int):
            satisfaction = rng.choice([2, 3, 3, 4, 4, 4, 5])
        model = _weighted(rng, {name: share for name, (share, _speed, _factor) in MODELS.items()})
        users.append(DemoUser(subject, ACTIVE_DAY_SHARE.get(frequency, 0.1), satisfaction, model))
    return users


def user_events(user, days, incidents, rng, requests):
    """One person's generic JSONL records, in time order; each reply's model server request goes to `requests`."""
    active = [day for day in days if rng.random() < user.active_day_share * (1 if day.weekday() < 5 else WEEKEND_FACTOR)]
    if not active and user.subject.startswith("demo-user-"):
        active = [rng.choice(days)]  # everyone in the population used the platform at least once
    number = 0

    def record(moment, kind, **fields):
        nonlocal number
        number += 1
        return {"id": f"demo:{user.subject}:{number}", "time": moment.isoformat(timespec="seconds"), "kind": kind,
                "subject": user.subject, **fields}

    for day in active:
        moment = _local(day, time(7, 30)) + timedelta(minutes=rng.randint(0, 10 * 60))
        if rng.random() < 0.02:
            yield record(moment - timedelta(seconds=40), "login_error")
        yield record(moment, "login")
        evening = _local(day, time(20))
        for chat in range(rng.choices([1, 2, 3], [0.6, 0.3, 0.1])[0] + (user.satisfaction >= 4)):
            if moment >= evening:
                break
            chat_id = f"{user.subject}:{day.isoformat()}:{chat}"
            model = user.model if rng.random() < 0.75 else rng.choice(list(MODELS))
            features = list(_weighted(rng, FEATURES))
            context = 0
            for _turn in range(rng.randint(1, 1 + (user.satisfaction + 1) // 2)):
                moment += timedelta(seconds=rng.randint(20, 240))
                yield record(moment, "prompt", chat_id=chat_id, model=model, features=features)
                reply = _reply(model, features, context, day in incidents, rng)
                moment += timedelta(seconds=reply["duration_s"])
                requests.append((moment, 200 if reply["success"] else 500, reply["duration_s"], "POST", "/api/chat"))
                yield record(moment, "reply", chat_id=chat_id, model=model, features=features, **reply)
                context += reply["tokens_in"] + reply["tokens_out"]
                if rng.random() < 0.08:
                    yield record(moment + timedelta(seconds=rng.randint(5, 60)), "rating", **_rating(user, reply, rng))
            moment += timedelta(minutes=rng.randint(5, 90))


def _reply(model, features, context, incident, rng):
    _share, speed, reasoning = MODELS[model]
    tokens_in = min(context, 6000) + rng.randint(40, 600) + sum(EXTRA_INPUT_TOKENS.get(name, 0) for name in features)
    if rng.random() < (INCIDENT_FAILURE_RATE if incident else FAILURE_RATE):
        return {"tokens_in": tokens_in, "tokens_out": 0, "duration_s": round(rng.uniform(0.2, 30.0), 3),
                "success": False}
    tokens_out = max(20, int(rng.lognormvariate(5.8, 0.6) * reasoning))
    duration = tokens_in / 2000 + tokens_out / (speed * rng.uniform(0.7, 1.1)) + rng.uniform(0.1, 0.8)
    return {"tokens_in": tokens_in, "tokens_out": tokens_out, "duration_s": round(duration, 3), "success": True}


def _rating(user, reply, rng):
    liked = reply["success"] and rng.random() < 0.3 + 0.13 * user.satisfaction
    rating = {"rating": 1 if liked else -1}
    if rng.random() < 0.4:
        rating["score"] = max(1, min(10, round(rng.gauss(2 * user.satisfaction - (0 if liked else 3), 1.2))))
    return rating


def background_requests(days, rng):
    """Requests no person sent: Open WebUI listing models every ten minutes of the working day, a few not-found pulls."""
    requests = []
    for day in days:
        for minutes in range(7 * 60, 19 * 60, 10):
            moment = _local(day, time(0)) + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            requests.append((moment, 200, rng.uniform(0.0005, 0.004), "GET", "/api/tags"))
        if rng.random() < 0.1:
            requests.append((_local(day, time(6, rng.randint(0, 59))), 404, rng.uniform(0.001, 0.01), "POST", "/api/show"))
    return requests


def ollama_log(requests):
    """Ollama's server log: a start-up record, then one Gin line per request in time order, in the server's zone."""
    zone = ZoneInfo(getattr(settings, "UPTAKE_OLLAMA_TIME_ZONE", "UTC"))
    requests = sorted(requests)
    first = requests[0][0].astimezone(zone) if requests else timezone.now()
    lines = [f'time={first:%Y-%m-%dT%H:%M:%S.000Z} level=INFO source=routes.go:1238 msg="Listening on [::]:11434 '
             f'(version 0.5.7)"']
    for moment, status, latency, method, path in requests:
        lines.append(f"[GIN] {moment.astimezone(zone):%Y/%m/%d - %H:%M:%S} | {status} | {_go_duration(latency):>13} | "
                     f'{OLLAMA_CLIENT:>15} | {method:<7} "{path}"')
    return "\n".join(lines) + "\n"


def _go_duration(seconds):
    if seconds >= 60:
        return f"{int(seconds // 60)}m{seconds % 60:.6f}s"
    if seconds >= 1:
        return f"{seconds:.6f}s"
    return f"{seconds * 1000:.4f}ms"


def _answers_by_pseudonym(wave, items):
    """Answers by wave-linkage pseudonym: the demo knows every subject, consenting or not (real imports do not)."""
    given = Answer.objects.filter(response__in=wave.responses.all(), item__in=items)  # respondents' only, no tests
    rows = given.values_list("response__wave_pseudonym", "item", "value")
    answers = {}
    for pseudonym, item, value in rows:
        answers.setdefault(pseudonym, {})[item] = value
    return answers


def _working_window_days(start, end):
    """Local days wholly inside [start, end): the window's first and last (partial) days are left out."""
    first, last = timezone.localtime(start).date() + timedelta(days=1), timezone.localtime(end).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days)]


def _local(day, clock):
    return datetime.combine(day, clock, tzinfo=timezone.get_current_timezone())


def _weighted(rng, weights):
    return rng.choices(list(weights), list(weights.values()))[0]
