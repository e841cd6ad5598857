"""Identity: password check, bearer tokens, session login; the current actor of a request."""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import current_app, g, has_request_context, request
from flask_login import LoginManager, current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash

from service import clock
from service.errors import Unauthorized
from service.models import ApiToken, User, db
from service.usecases import signin
from service.usecases.context import Actor

login_manager = LoginManager()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None.

    Failures lock the account and throttle the caller's address (usecases/signin.py): a
    locked account or throttled address raises TooManyAttempts (429).
    """
    address = request.remote_addr if has_request_context() else None
    return signin.authenticate(username, password, address)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """Create a bearer token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = ApiToken(user_id=user.id, token_hash=_digest(token), created_at=now,
                   expires_at=now + timedelta(hours=current_app.config["TOKEN_TTL_HOURS"]))
    db.session.add(row)
    db.session.commit()
    return token, row


# One statement per request: the user joined with its center (lazy="joined") and its roles.
# Built once: constructing it (and its cache key) costs more than running it on SQLite.
_TOKEN_USER = (select(User, ApiToken.revoked_at, ApiToken.expires_at)
               .join(ApiToken, ApiToken.user_id == User.id)
               .where(ApiToken.token_hash == bindparam("digest"))
               .options(joinedload(User.role_rows)))


def user_for_token(token: str) -> User | None:
    """Return the active user of a live token, with center and roles, in one query."""
    row = db.session.execute(_TOKEN_USER, {"digest": _digest(token)}).unique().first()
    if row is None:
        return None
    user, revoked_at, expires_at = row
    if revoked_at is not None or expires_at <= clock.now():
        return None
    if not user.active or user.center.status != "active":
        return None
    return user


def current_actor() -> Actor:
    """Return the actor of this API request (bearer token only: no cookies, no CSRF risk)."""
    if "actor" in g:
        return g.actor
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise Unauthorized("authentication required: send Authorization: Bearer <token>")
    user = user_for_token(header[7:].strip())
    if user is None:
        raise Unauthorized("the token is invalid or expired")
    # The session's identity map holds objects weakly: keeping the user (and so its center)
    # for the request lets the use case and the response read them without another query.
    g.api_user = user
    g.actor = Actor.of(user)
    return g.actor


def session_actor() -> Actor | None:
    """Return the actor of a logged-in browser session, or None."""
    if current_user and current_user.is_authenticated:
        return Actor.of(current_user._get_current_object().user)
    return None


def token_required(view):
    """Require an authenticated caller; the view reads it with current_actor()."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        current_actor()
        return view(*args, **kwargs)

    return wrapper


class SessionUser:
    """The Flask-Login view of a user (kept apart from the model)."""

    def __init__(self, user: User):
        self.user = user
        self.id = user.id
        self.is_authenticated = True
        self.is_active = user.active
        self.is_anonymous = False

    def get_id(self) -> str:
        return str(self.user.id)


@login_manager.user_loader
def load_user(user_id: str):
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    # A deactivated user or a suspended center ends the sessions already open.
    if user is None or not user.active or user.center.status != "active":
        return None
    return SessionUser(user)
