import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: fail here, at start-up, rather than at the first respondent.
from surveys.keys import verify_pseudonym_key  # noqa: E402  (needs the app registry loaded above)

verify_pseudonym_key()
