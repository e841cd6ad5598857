"""What every page shares: the signed-in actor, the sign-in guard, navigation counts."""

from functools import wraps

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
    """Return a local redirect target only (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.inbox")
