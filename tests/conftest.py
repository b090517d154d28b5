import pytest


@pytest.fixture(autouse=True)
def pseudonym_key_file(settings, tmp_path_factory):
    """A fixed pseudonym key outside the database, as in production (tests run with DEBUG off)."""
    key_file = tmp_path_factory.getbasetemp() / "pseudonym.key"
    if not key_file.exists():
        key_file.write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
    settings.UPTAKE_PSEUDONYM_KEY_FILE = key_file
    return key_file


@pytest.fixture(autouse=True)
def english_interface(settings):
    """Pages render in English unless a test asks for German (the site default is German)."""
    settings.LANGUAGE_CODE = "en"
