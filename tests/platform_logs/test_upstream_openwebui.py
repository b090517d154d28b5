"""Open WebUI as its current release writes it: a webui.db built by Open WebUI's own migrations and model
functions (tests/fixtures/upstream/build.py), imported and compared with what Open WebUI itself holds."""

import json
import shutil
import sqlite3

import pytest

from platform_logs.identity import event_key
from platform_logs.models import UsageEvent
from platform_logs.services import ImportFormatError, import_source
from surveys.pseudonyms import pseudonymize

from .builders import ALICE_SUBJECT, BOB_SUBJECT, UPSTREAM, table_counts, upstream, upstream_users

pytestmark = pytest.mark.django_db


def message_event(message_id):
    return UsageEvent.objects.get(event_key=event_key("openwebui", f"message:{message_id}"))


def openwebui_messages():
    """Open WebUI's own record of each message: chat_message rows (id, author, role, usage) of chats not internal."""
    with sqlite3.connect(f"file:{upstream('openwebui-db')}?mode=ro", uri=True) as database:
        rows = database.execute("SELECT m.id, m.chat_id, m.user_id, m.role, m.usage, c.meta FROM chat_message m "
                                "JOIN chat c ON c.id = m.chat_id").fetchall()
    return [(row_id[len(chat_id) + 1:], user_id, role, json.loads(usage) if usage else None)
            for row_id, chat_id, user_id, role, usage, meta in rows if not json.loads(meta or "{}").get("internal")]


def test_a_database_of_the_current_release_imports_without_skip_invalid():
    summary = import_source("openwebui-db", upstream("openwebui-db"))

    # 14 messages of 4 chats and 2 ratings; the internal chat's 2 messages skipped; first prompts saved
    # flat without an id are the history's first messages, not records of their own.
    assert (summary.read, summary.stored, summary.skipped, summary.invalid) == (18, 16, 2, 0)


def test_the_chats_export_with_flat_first_prompts_without_id_imports_each_message_once():
    summary = import_source("openwebui-chats-json", upstream("openwebui-chats-json"))

    assert (summary.read, summary.stored, summary.invalid) == (14, 14, 0)
    assert UsageEvent.objects.filter(kind="prompt").count() == 7


def test_every_message_has_the_tokens_and_the_author_open_webui_holds():
    import_source("openwebui-db", upstream("openwebui-db"))
    users = upstream_users()
    pseudonyms = {users["alice"]: pseudonymize(ALICE_SUBJECT, "subject"), users["bob"]: pseudonymize(BOB_SUBJECT, "subject"),
                  users["dave"]: ""}  # dave logs in with a password: no subject to link on
    held = openwebui_messages()

    assert UsageEvent.objects.exclude(kind="rating").count() == len(held) == 14
    for message_id, author, role, usage in held:
        event = message_event(message_id)
        assert (event.kind, event.pseudonym) == ("reply" if role == "assistant" else "prompt", pseudonyms[author]), message_id
        if usage:
            assert (event.tokens_in, event.tokens_out) == (usage["input_tokens"], usage["output_tokens"]), message_id


def test_a_tool_turn_counts_the_tokens_of_all_its_model_calls():
    import_source("openwebui-db", upstream("openwebui-db"))

    # Two model calls: 100/20 and 300/50; Open WebUI's merge_usage sums input/output_tokens, prompt_tokens keeps the last.
    assert (message_event("m2-reply").tokens_in, message_event("m2-reply").tokens_out) == (400, 70)


def test_tools_code_interpreter_and_web_search_come_from_output_items_and_status_history():
    import_source("openwebui-db", upstream("openwebui-db"))

    assert message_event("m1-reply").features == "web_search"  # statusHistory action web_search
    assert message_event("m2-reply").features == "tools"  # output item function_call
    assert message_event("m3-reply").features == "code_interpreter"  # output item open_webui:code_interpreter
    assert message_event("s1-reply").features == "chat"


def test_in_a_shared_chat_another_users_message_is_theirs():
    import_source("openwebui-db", upstream("openwebui-db"))

    assert message_event("s2-user").pseudonym == pseudonymize(BOB_SUBJECT, "subject")
    assert message_event("s1-user").pseudonym == pseudonymize(ALICE_SUBJECT, "subject")


def test_an_account_merged_from_google_and_keycloak_links_on_the_keycloak_subject():
    import_source("openwebui-db", upstream("openwebui-db"))

    assert message_event("b1-user").pseudonym == pseudonymize(BOB_SUBJECT, "subject")
    assert not UsageEvent.objects.filter(pseudonym=pseudonymize("google-bob-77", "subject")).exists()


def test_the_configured_provider_links_when_the_site_logs_in_through_another(settings):
    settings.UPTAKE_OPENWEBUI_OAUTH_PROVIDER = "google"
    import_source("openwebui-db", upstream("openwebui-db"))

    assert message_event("b1-user").pseudonym == pseudonymize("google-bob-77", "subject")
    assert message_event("m1-user").pseudonym == ""  # alice has no Google login


def test_internal_chats_are_skipped():
    import_source("openwebui-db", upstream("openwebui-db"))

    assert not UsageEvent.objects.filter(event_key__in=[event_key("openwebui", "message:n1-user"),
                                                        event_key("openwebui", "message:n1-reply")]).exists()


def test_a_wal_mode_copy_without_its_wal_file_is_an_error_saying_how_to_copy(tmp_path):
    shutil.copyfile(UPSTREAM / "openwebui" / "live" / "webui.db", tmp_path / "webui.db")
    before = table_counts()

    with pytest.raises(ImportFormatError, match=r'webui.db-wal is not beside it.*sqlite3 webui.db ".backup copy.db"'):
        import_source("openwebui-db", tmp_path / "webui.db")
    assert table_counts() == before


def test_the_live_database_with_its_wal_file_imports_everything(tmp_path):
    for name in ("webui.db", "webui.db-wal"):
        shutil.copyfile(UPSTREAM / "openwebui" / "live" / name, tmp_path / name)

    summary = import_source("openwebui-db", tmp_path / "webui.db")

    assert (summary.stored, summary.skipped) == (16, 2)


def test_a_second_import_updates_what_changed_upstream_and_stores_nothing_twice(tmp_path):
    database = tmp_path / "webui.db"
    shutil.copyfile(UPSTREAM / "openwebui" / "webui-streaming.db", database)
    import_source("openwebui-db", database)
    streaming = message_event("b1-reply")
    assert (streaming.tokens_in, streaming.duration_seconds, streaming.success) == (None, None, None)
    ratings = dict(UsageEvent.objects.filter(kind="rating").values_list("pseudonym", "rating"))
    assert ratings == {pseudonymize(ALICE_SUBJECT, "subject"): 1, pseudonymize(BOB_SUBJECT, "subject"): -1}

    shutil.copyfile(UPSTREAM / "openwebui" / "webui.db", database)  # later: the reply finished, ratings changed
    summary = import_source("openwebui-db", database)

    assert (summary.stored, summary.updated) == (0, 3)
    finished = message_event("b1-reply")
    assert (finished.tokens_in, finished.tokens_out, finished.duration_seconds, finished.success) == (33, 44, 4.0, True)
    ratings = {pseudonym: (rating, score) for pseudonym, rating, score
               in UsageEvent.objects.filter(kind="rating").values_list("pseudonym", "rating", "score")}
    assert ratings == {pseudonymize(ALICE_SUBJECT, "subject"): (1, 8), pseudonymize(BOB_SUBJECT, "subject"): (1, 6)}
    assert UsageEvent.objects.count() == 16


def test_importing_the_same_database_again_updates_nothing():
    import_source("openwebui-db", upstream("openwebui-db"))
    import_source("openwebui-feedback-json", upstream("openwebui-feedback-json"))

    summary = import_source("openwebui-chats-json", upstream("openwebui-chats-json"))

    assert (summary.stored, summary.updated, summary.duplicates) == (0, 0, 14)


def test_messages_are_read_from_chat_message_where_it_exists_as_the_chat_json_holds_them(tmp_path):
    database = tmp_path / "webui.db"
    shutil.copyfile(upstream("openwebui-db"), database)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE chat SET chat = '{}'")  # only chat_message still holds the messages
    connection.close()

    summary = import_source("openwebui-db", database)
    assert (summary.stored, summary.skipped) == (16, 2)
    assert (message_event("m2-reply").tokens_in, message_event("m2-reply").features) == (400, "tools")
    assert message_event("m2-user").model == "gpt-4o"  # chat_message keeps no model for prompts: the reply's

    again = import_source("openwebui-chats-json", upstream("openwebui-chats-json"))  # the same messages from the JSON
    assert (again.stored, again.updated, again.duplicates) == (0, 0, 14)
