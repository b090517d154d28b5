"""How many database queries each respondent request makes: pinned, so a change that adds one shows.

Counted are the statements that reach tables; SAVEPOINT/RELEASE are left out because they stand
for BEGIN/COMMIT outside the test's transaction. The instrument comes from the per-process cache,
so no request reads the version's large JSON columns once a process has seen the version.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import instrument_files
from surveys.keys import verify_pseudonym_key
from surveys.models import Wave
from tests.surveys.builders import complete_until_last_page, invite, make_wave, post_page, start


class TableQueries(CaptureQueriesContext):
    @property
    def statements(self):
        return [query["sql"] for query in self.captured_queries if "SAVEPOINT" not in query["sql"]]


@pytest.fixture
def wave(tmp_path):
    wave = make_wave(tmp_path)
    # A process that has been serving for a while: key checked, instrument version seen.
    verify_pseudonym_key()
    wave.instrument_version.spec
    return wave


def page_writes(cleared=False):
    """Statements that write a submitted page (surveys.response_sql.save_page): one on PostgreSQL;
    on SQLite one each for the cleared answers, the upsert, the visit and the position."""
    return 1 if connection.vendor == "postgresql" else 3 + cleared


def assert_count(statements, expected):
    assert len(statements) == expected, "\n".join(sql[:110] for sql in statements)


def count(request):
    with TableQueries(connection) as queries:
        reply = request()
    return reply, queries.statements


@pytest.mark.django_db
def test_opening_an_invitation_link_takes_one_query(client, wave):
    token = invite(wave)

    reply, statements = count(lambda: client.get(f"/i/{token}/"))

    assert reply["Location"] == f"/s/{wave.slug}/"
    # the invitation by its token's hash with its wave; the browser keeps which link it opened in a
    # signed cookie, not in a session row
    assert_count(statements, 1)


@pytest.mark.django_db
def test_withdrawing_takes_one_query_for_the_page_and_ten_to_withdraw(client, wave):
    wave.privacy_mode = Wave.PrivacyMode.PSEUDONYMOUS
    wave.save()
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})

    page, page_statements = count(lambda: client.get(f"/s/{wave.slug}/withdraw/"))
    done, withdraw_statements = count(lambda: client.post(f"/s/{wave.slug}/withdraw/"))

    assert page.status_code == 200 and done.status_code == 200
    # the page: the response with its wave and invitation (locked)
    assert_count(page_statements, 1)
    # the response (locked) and locked again by withdraw_response, the answers read so that their
    # codes, coding-sample places and adjudications (coding app) go with them, answers and page
    # visits deleted, the invitation's pseudonym dropped, the response emptied
    assert_count(withdraw_statements, 10)


@pytest.mark.django_db
def test_information_page_opens_the_response_in_eight_queries(client, wave):
    client.get(f"/i/{invite(wave)}/")

    reply, statements = count(lambda: client.get(f"/s/{wave.slug}/"))

    assert reply.status_code == 200
    # a response begun through the invitation (none yet), the invitation with its wave, the
    # participant's response (none), has it answered already; inside open_response: response and
    # has-answered again, insert, invitation used_at
    assert_count(statements, 8)


@pytest.mark.django_db
def test_consent_takes_four_queries(client, wave):
    client.get(f"/i/{invite(wave)}/")
    client.get(f"/s/{wave.slug}/")

    reply, statements = count(lambda: client.post(f"/s/{wave.slug}/", {"consent": "yes"}))

    assert reply.status_code == 302
    # the response with its wave and invitation (locked), the response locked again by
    # give_consent, the invitation's pseudonym dropped (no linkage consent), the response updated
    assert_count(statements, 4)


@pytest.mark.django_db
def test_showing_a_page_takes_three_queries(client, wave):
    start(client, wave, invite(wave))

    reply, statements = count(lambda: client.get(f"/s/{wave.slug}/p/about/"))

    assert reply.status_code == 200
    # the response with its wave and invitation (locked), answers, and one statement that closes
    # any open visit and opens this page's (on SQLite one each)
    assert_count(statements, 3 if connection.vendor == "postgresql" else 4)


@pytest.mark.django_db
def test_submitting_a_page_takes_three_queries(client, wave):
    start(client, wave, invite(wave))
    client.get(f"/s/{wave.slug}/p/about/")

    reply, statements = count(lambda: client.post(f"/s/{wave.slug}/p/about/", {"role": "physician", "next": "1"}))

    assert reply["Location"] == f"/s/{wave.slug}/p/data/"
    # the response with its wave and invitation (locked), answers, and one statement that upserts
    # the page's answers, closes the page visit and moves the response on (three on SQLite)
    assert_count(statements, 2 + page_writes())


@pytest.mark.django_db
def test_submitting_the_last_page_of_three_items_takes_five_queries_whatever_the_number_of_items(client, wave):
    start(client, wave, invite(wave))
    complete_until_last_page(client, wave)
    client.get(f"/s/{wave.slug}/p/rating/")

    reply, statements = count(lambda: client.post(
        f"/s/{wave.slug}/p/rating/", {"satisfaction": "4", "hours": "6", "wishes": "More models", "next": "1"}))

    assert reply["Location"] == f"/s/{wave.slug}/thanks/"
    # the response with its wave and invitation (locked), answers, the page written (all three
    # answers in one upsert), the wave's invitations rewritten in one statement with this one marked
    # answered (anonymous wave: no row order or transaction id pairs it with the response), the
    # response completed
    assert_count(statements, 4 + page_writes())
    assert sum("INSERT INTO \"surveys_answer\"" in sql for sql in statements) == 1


@pytest.mark.django_db
def test_clearing_an_answer_adds_one_delete(client, wave):
    start(client, wave, invite(wave))
    complete_until_last_page(client, wave)
    client.post(f"/s/{wave.slug}/p/rating/", {"satisfaction": "4", "hours": "6", "back": "1"})

    reply, statements = count(lambda: client.post(f"/s/{wave.slug}/p/rating/", {"satisfaction": "4", "back": "1"}))

    assert reply.status_code == 302
    assert_count(statements, 2 + page_writes(cleared=True))
    assert sum("DELETE FROM \"surveys_answer\"" in sql for sql in statements) == 1


@pytest.mark.django_db
def test_thank_you_page_takes_four_queries_and_ends_the_session(client, wave):
    start(client, wave, invite(wave))
    complete_until_last_page(client, wave)
    client.post(f"/s/{wave.slug}/p/rating/", {"satisfaction": "4", "next": "1"})

    reply, statements = count(lambda: client.get(f"/s/{wave.slug}/thanks/"))

    assert reply.status_code == 200
    # a response begun through the invitation (none: cut loose in an anonymous wave), the invitation
    # with its wave, the participant's response (none), has answered; ending the session deletes
    # the browser's cookie, no row
    assert_count(statements, 4)


@pytest.mark.django_db
def test_respondent_requests_never_read_the_instruments_json_once_the_process_has_it(client, wave):
    start(client, wave, invite(wave))

    with TableQueries(connection) as queries:
        client.get(f"/s/{wave.slug}/p/about/")
        client.post(f"/s/{wave.slug}/p/about/", {"role": "physician", "next": "1"})

    assert not any('"resolved"' in sql or '"definition"' in sql for sql in queries.statements)


@pytest.mark.django_db
def test_a_process_meeting_a_version_for_the_first_time_reads_its_json_once(client, wave, monkeypatch):
    start(client, wave, invite(wave))
    monkeypatch.setattr(instrument_files, "_SPECS_BY_CHECKSUM", {})  # a freshly started worker

    with TableQueries(connection) as first:
        client.get(f"/s/{wave.slug}/p/about/")
    with TableQueries(connection) as second:
        client.get(f"/s/{wave.slug}/p/about/")

    assert sum('"resolved"' in sql for sql in first.statements) == 1
    assert not any('"resolved"' in sql for sql in second.statements)
