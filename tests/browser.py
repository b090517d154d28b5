"""A headless Chromium page for browser tests, driven by Playwright's sync API.

Import a fixture into a test module: `from tests.browser import chromium_page` (one page), or
`chromium_browser` (the browser, for tests that need several contexts, e.g. a second session).
Uses the system Chromium (Debian's package); Playwright's own browser downloads are not used.
"""

from contextlib import contextmanager
import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 15_000
# A fixed language, so pages render the same everywhere (Django picks it from Accept-Language).
LOCALE = "en-US"


@contextmanager
def launched_chromium(monkeypatch):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need Chromium at {CHROMIUM}; `make test` installs Debian's chromium")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (`make test` installs it)")
    # Playwright's sync API keeps an event loop running in the test thread, so Django would
    # refuse ORM calls from the test as "async unsafe" although they are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # ORM calls made while Playwright's loop runs open their own connection; close it so
            # the test database can be dropped at the end of the run.
            connections.close_all()


@pytest.fixture
def chromium_page(monkeypatch):
    """Yield a fresh page in a fresh browser; closed again after the test."""
    with launched_chromium(monkeypatch) as browser:
        page = browser.new_page(locale=LOCALE)
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        yield page


@pytest.fixture
def chromium_browser(monkeypatch):
    """Yield a fresh browser; the test opens its own contexts (each a visitor with no cookies yet)."""
    with launched_chromium(monkeypatch) as browser:
        yield browser


def new_visitor(browser, **context_options):
    """A page in a new browser context: a visitor without cookies, in English unless told otherwise.

    Close it with `page.context.close()`, like a respondent closing the browser.
    """
    context = browser.new_context(**{"locale": LOCALE, **context_options})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()
