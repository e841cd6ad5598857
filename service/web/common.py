"""What every page shares: the signed-in actor, the sign-in guard, navigation counts."""

from functools import wraps
from urllib.parse import urlsplit

from flask import g, redirect, request, url_for
from flask_login import current_user

from service.usecases.context import Actor


def page_actor() -> Actor | None:
    """Return the actor of the signed-in browser session, or None."""
    if "page_actor" not in g:
        g.page_actor = (Actor.of(current_user.user)
                        if current_user and current_user.is_authenticated else None)
    return g.page_actor


def login_required(view):
    """Send anonymous visitors to the sign-in page, then back."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if page_actor() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def safe_next(target: str | None) -> str:
    """Return a path on this site to go to next, else the inbox (no open redirect).

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so a slash,
    a tab and "/evil.example" would leave the site: any control character or backslash is
    refused, and what remains must parse as a path without scheme or host.
    """
    if (not target or not target.startswith("/") or "\\" in target
            or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target)):
        return url_for("web.inbox")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return url_for("web.inbox")
    return target
