"""The product's URLs plus two floors. /bench/floor/: one INSERT and nothing else, the cheapest
request the same server, middleware and driver can answer; respondent throughput is reported as a
ratio to it. /bench/session-floor/: the same INSERT behind what any respondent POST must pass (the
CSRF check on the posted form and reading the respondent's signed cookie), so the report also shows
how much of a page submit is Django's own minimum for such a request.

Used by respondent_load.py (gunicorn, PostgreSQL) and survey_bench.py (test client, SQLite or
PostgreSQL): the floor's table and INSERT are written for both."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as product_urlpatterns
from surveys import respondent_cookie

FLOOR_TABLE = "bench_floor"
FLOOR_KEY = {"postgresql": "id bigserial PRIMARY KEY", "sqlite": "id INTEGER PRIMARY KEY"}


def create_floor_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {FLOOR_TABLE} ({FLOOR_KEY[connection.vendor]}, created_at timestamp NOT NULL)")


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (created_at) VALUES (CURRENT_TIMESTAMP)")
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def session_floor(request: HttpRequest) -> HttpResponse:
    respondent_cookie.read(request)
    return floor(request)


urlpatterns = [path("bench/floor/", floor), path("bench/session-floor/", session_floor), *product_urlpatterns]
