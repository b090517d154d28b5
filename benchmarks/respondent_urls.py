"""The product's URLs plus /bench/floor/: one INSERT and nothing else, the cheapest request the same
server, middleware and driver can answer. Respondent throughput is reported as a ratio to it."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as product_urlpatterns

FLOOR_TABLE = "bench_floor"


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (created_at) VALUES (now())")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *product_urlpatterns]
