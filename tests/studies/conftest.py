import pytest
from cryptography.fernet import Fernet

from tests.studies.mail_builders import MailSink, start_smtp_server


@pytest.fixture(autouse=True)
def address_key_file(settings, tmp_path_factory):
    """A Fernet key for participant addresses, outside the database as in production."""
    key_file = tmp_path_factory.getbasetemp() / "address.key"
    if not key_file.exists():
        key_file.write_bytes(Fernet.generate_key())
    settings.UPTAKE_ADDRESS_KEY_FILE = key_file
    return key_file


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free localhost port, with Django's SMTP backend pointed at it."""
    sink = MailSink()
    controller = start_smtp_server(sink)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "umfrage@klinikum.example"
    settings.UPTAKE_MAIL_RATE = 0
    settings.UPTAKE_BASE_URL = "http://survey.example"
    yield sink
    controller.stop()
