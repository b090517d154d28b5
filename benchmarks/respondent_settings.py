"""Settings for the load benchmark's server (benchmarks/respondent_load.py): production, on loopback.

Set UPTAKE_PRODUCTION=1 as in production. The only differences: plain HTTP on 127.0.0.1 (cookies
not marked Secure, no redirect to HTTPS) and a URLconf with one extra URL, the bare-INSERT floor.
"""

from config.settings import *  # noqa: F403 (the production settings, changed below)

ROOT_URLCONF = "benchmarks.respondent_urls"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
