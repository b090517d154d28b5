"""The product's URLs plus two floors. /bench/floor/: one INSERT and nothing else, the cheapest
request the same server, middleware and driver can answer; respondent throughput is reported as a
ratio to it. /bench/session-floor/: the same INSERT behind what any respondent POST must pass (the
CSRF check on the posted form and reading the respondent's signed cookie), so the report also shows
how much of a page submit is Django's own minimum for such a request."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as product_urlpatterns
from surveys import respondent_cookie

FLOOR_TABLE = "bench_floor"


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (created_at) VALUES (now())")
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def session_floor(request: HttpRequest) -> HttpResponse:
    respondent_cookie.read(request)
    return floor(request)


urlpatterns = [path("bench/floor/", floor), path("bench/session-floor/", session_floor), *product_urlpatterns]
