"""The web server's entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

from service import create_app
from service.cli import serving_web
from service.config import require_public_base_url

app = create_app()
if serving_web():
    require_public_base_url(app)
