"""A pseudonymous wave with three respondents and a small generated log, for the export and summary tests.

Usage window: June, July and August 2025 (a UsageWindow on the wave), TIME_ZONE UTC.
alice consents to linkage, bob responds without consenting, erin consents but never used the
platform, dave used it but never responded, carl only failed to log in.
"""

import io
import json
from datetime import UTC, datetime

import pytest

from platform_logs.models import UsageWindow
from platform_logs.services import import_source
from surveys import services
from surveys.models import Response, Wave
from tests.surveys.builders import answer_page, make_wave

WINDOW = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC))
ALICE_LOG = [  # consents; everything in the window but the May prompt (which makes her tenure 123 days)
    {"time": "2025-05-01T10:00:00+00:00", "kind": "prompt", "chat_id": "old", "model": "m"},
    {"time": "2025-08-01T10:00:00+00:00", "kind": "prompt", "chat_id": "a", "model": "m"},
    {"time": "2025-08-01T10:01:00+00:00", "kind": "reply", "chat_id": "a", "model": "m", "tokens_in": 100_000,
     "tokens_out": 400_000, "features": ["web_search"]},
    {"time": "2025-08-20T10:00:00+00:00", "kind": "prompt", "chat_id": "b", "model": "n"},
    {"time": "2025-08-20T10:01:00+00:00", "kind": "reply", "chat_id": "b", "model": "n", "tokens_in": 50_000,
     "tokens_out": 150_000},
    {"time": "2025-08-20T10:05:00+00:00", "kind": "rating", "rating": 1, "score": 8},
]
BOB_LOG = [  # responds without consenting to linkage
    {"time": "2025-07-15T10:00:00+00:00", "kind": "prompt", "chat_id": "c", "model": "m"},
    {"time": "2025-07-15T10:01:00+00:00", "kind": "reply", "chat_id": "c", "model": "m", "tokens_in": 10_000,
     "tokens_out": 20_000},
]
DAVE_LOG = [  # never responds
    {"time": "2025-08-21T10:00:00+00:00", "kind": "prompt", "chat_id": "d", "model": "m"},
]
CARL_LOG = [  # only failed to log in: not an active user
    {"time": "2025-08-22T10:00:00+00:00", "kind": "login_error"},
]


def import_logs():
    records = [{**record, "subject": subject}
               for subject, log in [("alice", ALICE_LOG), ("bob", BOB_LOG), ("dave", DAVE_LOG), ("carl", CARL_LOG)]
               for record in log]
    jsonl = "\n".join(json.dumps({"id": str(number), **record}) for number, record in enumerate(records))
    import_source("generic-jsonl", io.BytesIO(jsonl.encode()))


def respond(wave, token, role, linkage):
    """Answer the small instrument to the end, as a respondent following their personal invitation."""
    invitation = services.find_invitation(token)
    participant = services.participant_for_invitation(invitation)
    response = services.open_response(wave, participant, language="en")
    services.give_consent(response, participant, linkage_consent=linkage)
    for page, values in [("about", {"role": role}), ("data", {"data_kinds": ["public"]}), ("rating", {"satisfaction": 4})]:
        answer_page(response, page, values)
    response.refresh_from_db()
    assert response.status == Response.Status.COMPLETED
    return response


@pytest.fixture
def linked_wave(tmp_path, settings):
    settings.TIME_ZONE = "UTC"
    wave = make_wave(tmp_path, slug="autumn", privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    UsageWindow.objects.create(wave=wave, starts_at=WINDOW[0], ends_at=WINDOW[1])
    tokens = dict(zip(["alice", "bob", "erin"], services.create_invitations(wave, identifiers=["alice", "bob", "erin"])))
    respond(wave, tokens["alice"][1], "physician", linkage=True)
    respond(wave, tokens["bob"][1], "nurse", linkage=False)
    respond(wave, tokens["erin"][1], "nurse", linkage=True)  # consents, but never used the platform
    import_logs()
    return wave


