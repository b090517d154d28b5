"""The admin login locks out a guesser the way the site's own (allauth) login does."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 27 logins in a test
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


@pytest.mark.django_db
def test_25_wrong_admin_passwords_end_in_a_lockout_that_even_the_right_password_cannot_pass(client):
    get_user_model().objects.create_superuser("admin", password="correct horse battery staple")

    answers = [client.post("/admin/login/", {"username": "admin", "password": f"guess {n}"}).status_code
               for n in range(25)]
    right = client.post("/admin/login/", {"username": "admin", "password": "correct horse battery staple"})

    assert answers[0] == 200  # the form again, with its error
    assert answers[-1] == 429 and answers.count(429) >= 20
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_correct_admin_password_still_signs_in_after_a_typo(client):
    get_user_model().objects.create_superuser("admin", password="correct horse battery staple")

    client.post("/admin/login/", {"username": "admin", "password": "typo"})
    signed_in = client.post("/admin/login/", {"username": "admin", "password": "correct horse battery staple"})

    assert signed_in.status_code == 302 and "_auth_user_id" in client.session
