"""The site's public address, the base of every link sent out: never the request's host."""

from flask import current_app

# Links in debug and tests, where PUBLIC_BASE_URL may be unset (the web server and the worker
# refuse to start without it anywhere else: config.require_public_base_url).
DEVELOPMENT_BASE = "http://127.0.0.1:5000"


def public_url(path: str) -> str:
    """Return the absolute address of a path of this site, from PUBLIC_BASE_URL."""
    base = current_app.config["PUBLIC_BASE_URL"] or DEVELOPMENT_BASE
    return base.rstrip("/") + path
