"""What a person sees when the database is out of reach: a "please try again" page, not an error.

A terminated or restarting database raises OperationalError or InterfaceError in whichever request
holds the broken connection. Those requests change nothing (their transaction rolled back), so the
honest answer is 503 with Retry-After and the same friendly page the reverse proxy shows while the
application is down. The connection is replaced at the start of the next request
(CONN_HEALTH_CHECKS).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def try_again_page(status: int) -> HttpResponse:
    """The bilingual "please try again, your answers so far are kept" page (templates/500.html).

    Rendered without the request, so no context processor touches the session or the database.
    """
    response = HttpResponse(loader.render_to_string("500.html"), status=status)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        return try_again_page(503)
