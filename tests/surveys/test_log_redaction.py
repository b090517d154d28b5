"""Invitation links are credentials: the error log never records their tokens."""

import logging

import pytest
from django.test import Client

from surveys import services
from tests.surveys.builders import make_wave

TOKEN = "Zq3vB8mN1xK7pL2wR9tY4uE6sD0fG5hJ"


@pytest.mark.django_db
def test_a_mistyped_invitation_link_is_logged_without_its_token(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        page = client.get(f"/i/{TOKEN}/")

    assert page.status_code == 404
    assert "Not Found: /i/[redacted]/" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.django_db
def test_a_server_error_on_an_invitation_link_is_logged_without_its_token(caplog, monkeypatch, tmp_path):
    make_wave(tmp_path)

    def failing_lookup(token):
        raise RuntimeError(f"lookup failed for /i/{token}/")

    monkeypatch.setattr(services, "find_invitation", failing_lookup)  # any fault on the way: a 500
    with caplog.at_level(logging.ERROR, logger="django.request"):
        page = Client(raise_request_exception=False).get(f"/i/{TOKEN}/")

    assert page.status_code == 500
    assert "Internal Server Error: /i/[redacted]/" in caplog.text
    assert "RuntimeError" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.django_db
def test_an_opt_out_post_refused_as_forbidden_is_logged_without_its_token(caplog):
    """A mail gateway posting to the List-Unsubscribe address has no CSRF cookie: the 403 is logged, the token is not."""
    with caplog.at_level(logging.WARNING):
        page = Client(enforce_csrf_checks=True).post(f"/studies/opt-out/{TOKEN}/")

    assert page.status_code == 403
    assert "/studies/opt-out/[redacted]/" in caplog.text
    assert TOKEN not in caplog.text
