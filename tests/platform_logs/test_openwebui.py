import json
import shutil
import sqlite3

import pytest

from platform_logs.models import PlatformAccount, UsageEvent
from platform_logs.services import ImportFormatError, import_source
from surveys.pseudonyms import pseudonymize

from .builders import chat_record, message, sample, write_chats

pytestmark = pytest.mark.django_db

PERSON4_SUBJECT = "77216e9e-e7a4-4309-973f-798626b1cffc"  # oauth_sub oidc@... of person4 in webui.db
PERSON4_WEBUI_ID = "9c9011ef-256b-4df9-a7e6-529bce76e9f4"


def test_chats_export_counts_each_message_once_although_listed_twice():
    summary = import_source("openwebui-chats-json", sample("openwebui-chats-json"))

    assert (summary.read, summary.stored, summary.duplicates) == (44, 44, 0)
    assert UsageEvent.objects.filter(kind="prompt").count() == 22
    assert UsageEvent.objects.filter(kind="reply").count() == 22


def test_replies_keep_model_tokens_duration_and_features():
    import_source("openwebui-chats-json", sample("openwebui-chats-json"))
    replies = UsageEvent.objects.filter(kind="reply")

    first = replies.get(tokens_in=273)  # Ollama-native usage: prompt_eval_count / eval_count / total_duration
    assert (first.model, first.tokens_out, first.duration_seconds, first.success) == ("mistral-small3.1:24b", 620, 25.3, True)
    assert replies.filter(tokens_in=1511, tokens_out=515).exists()  # OpenAI-compatible usage
    assert replies.filter(features__contains="web_search").count() == 3
    assert replies.filter(features__contains="code_interpreter").count() == 2
    assert replies.filter(features__contains="knowledge").count() == 2  # a collection attached to the prompt
    assert replies.filter(features__contains="vision").count() == 1


def test_generated_chat_with_regenerations_counts_each_branch_message():
    user, first, regenerated = (message("u1", "user", 1760000000, models=["m"]),
                                message("a1", "assistant", 1760000010, "u1", model="m", error={"content": "boom"}),
                                message("a2", "assistant", 1760000020, "u1", model="m2",
                                        info={"prompt_eval_count": 5, "eval_count": 7},
                                        files=[{"type": "image", "url": "x"}]))
    chat = chat_record("c1", "w1", [user, first, regenerated])
    chat["chat"]["messages"] = [user, regenerated]  # the visible branch only

    summary = import_source("openwebui-chats-json", write_chats(_tmp(chat), [chat]))

    assert summary.stored == 3
    failed = UsageEvent.objects.get(model="m", kind="reply")
    assert failed.success is False and failed.tokens_in is None
    image = UsageEvent.objects.get(model="m2")
    assert (image.tokens_in, image.tokens_out, image.features) == (5, 7, "image_generation")


def test_feedback_export_keeps_thumbs_score_and_model_rated():
    summary = import_source("openwebui-feedback-json", sample("openwebui-feedback-json"))

    assert summary.stored == 3
    ratings = sorted(UsageEvent.objects.filter(kind="rating").values_list("rating", "score", "model"))
    assert ratings == [(-1, 1, "mistral-small3.1:24b"), (-1, 4, "gemma3:27b"), (1, 7, "mistral-small3.1:24b")]


def test_database_import_links_users_to_the_survey_pseudonym():
    summary = import_source("openwebui-db", sample("openwebui-db"))

    assert (summary.stored, summary.skipped) == (47, 0)
    person4 = pseudonymize(PERSON4_SUBJECT, "subject")
    assert UsageEvent.objects.filter(pseudonym=person4, kind="rating").count() == 3
    assert not UsageEvent.objects.filter(pseudonym="").exists()


def test_database_import_links_on_email_when_the_site_chooses_email(settings):
    settings.UPTAKE_PSEUDONYM_IDENTIFIER = "email"
    import_source("openwebui-db", sample("openwebui-db"))

    assert UsageEvent.objects.filter(pseudonym=pseudonymize("Person4@example.org", "email"), kind="rating").count() == 3


def test_exports_imported_before_the_database_get_their_pseudonyms_afterwards():
    import_source("openwebui-chats-json", sample("openwebui-chats-json"))
    assert UsageEvent.objects.exclude(pseudonym="").count() == 0

    summary = import_source("openwebui-db", sample("openwebui-db"))

    assert summary.stored == 3  # only the feedback is new: the chats' messages are the same messages
    assert not UsageEvent.objects.filter(pseudonym="").exists()
    assert PlatformAccount.objects.count() == 6 * 3  # Open WebUI id, subject and e-mail of six users


def test_reimporting_the_database_adds_nothing():
    import_source("openwebui-db", sample("openwebui-db"))
    before = UsageEvent.objects.count()

    again = import_source("openwebui-db", sample("openwebui-db"))

    assert again.stored == 0 and UsageEvent.objects.count() == before


def test_incremental_database_import_reads_only_chats_changed_since(tmp_path):
    database = tmp_path / "webui.db"
    shutil.copy(sample("openwebui-db"), database)
    first = import_source("openwebui-db", database)
    assert first.stored == 47
    new_chat = chat_record("new-chat", PERSON4_WEBUI_ID, [
        message("n1", "user", 1763000000, models=["gemma3:27b"]),
        message("n2", "assistant", 1763000009, "n1", model="gemma3:27b", usage={"prompt_tokens": 3, "completion_tokens": 4}),
    ])
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO chat (id, user_id, title, share_id, archived, created_at, updated_at, chat, pinned, meta, folder_id) "
            "VALUES (?, ?, ?, NULL, 0, ?, ?, ?, 0, '{}', NULL)",
            ("new-chat", PERSON4_WEBUI_ID, "New secret title", 1763000000, 1763000009, json.dumps(new_chat["chat"])),
        )

    second = import_source("openwebui-db", database)

    assert second.stored == 2
    # Besides the new chat, only the rows at the cursor's second are read again: the newest earlier
    # chat (2 messages) and the newest feedback, counted as duplicates; the other 42 are not read.
    assert (second.read, second.duplicates) == (5, 3)
    assert UsageEvent.objects.filter(occurred_at__year=2025, model="gemma3:27b", tokens_out=4).count() == 1


def test_database_import_opens_the_file_read_only(tmp_path):
    database = tmp_path / "webui.db"
    shutil.copy(sample("openwebui-db"), database)
    database.chmod(0o444)

    assert import_source("openwebui-db", database).stored == 47


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    not_a_database = tmp_path / "webui.db"
    not_a_database.write_bytes(b"this is not sqlite" * 100)

    with pytest.raises(ImportFormatError, match="webui.db: expected an Open WebUI SQLite database"):
        import_source("openwebui-db", not_a_database)


def test_a_database_without_open_webui_tables_is_refused(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE things (id)").connection.commit()

    with pytest.raises(ImportFormatError, match="other.db table 'user': expected an Open WebUI database"):
        import_source("openwebui-db", other)


def test_export_that_is_not_an_array_is_refused(tmp_path):
    path = tmp_path / "chats.json"
    path.write_text('{"chats": []}')

    with pytest.raises(ImportFormatError, match="chats.json start: expected a JSON array of chats"):
        import_source("openwebui-chats-json", path)


def test_a_chat_without_user_stops_the_import_or_is_skipped(tmp_path):
    good = chat_record("c1", "w1", [message("u1", "user", 1760000000)])
    path = write_chats(tmp_path / "chats.json", [good, {"id": "c2", "chat": {}}])

    with pytest.raises(ImportFormatError, match="chats.json record 2: expected a chat with 'id', 'user_id' and 'chat'"):
        import_source("openwebui-chats-json", path)
    assert UsageEvent.objects.count() == 0
    assert import_source("openwebui-chats-json", path, skip_invalid=True).invalid == 1


def _tmp(chat):
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp()) / f"{chat['id']}.json"
