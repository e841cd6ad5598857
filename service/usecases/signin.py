"""Password sign-in with lock-out per account and a rate limit per address; every sign-in
and every failure is an audited event with the client's address."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from service import clock
from service.errors import ServiceError
from service.models import SignInFailure, User, db

from .context import Actor, record

ANONYMOUS = Actor(None, "anonymous", None, False, frozenset())
_dummy_hashes: dict[str, str] = {}  # hashing method -> a hash of a password nobody has


def dummy_hash() -> str:
    """Return a hash made with the configured method, checked for unknown usernames so that
    they cost what a wrong password costs (no user enumeration by timing)."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("unused-password", method=method)
    return _dummy_hashes[method]


def audit(action: str, user: User | None, username: str, address: str, **details) -> None:
    """Record a sign-in or a failed one (the caller commits)."""
    actor = Actor.of(user) if user is not None else ANONYMOUS
    record(action, actor, username=username[:80],
           center=user.center.code if user is not None else None, address=address, **details)


class TooManyAttempts(ServiceError):
    """The account is locked, or the address failed too often: try again later."""

    status, code = 429, "too_many_attempts"


def _address_blocked(address: str, now) -> bool:
    window = now - timedelta(minutes=current_app.config["SIGNIN_WINDOW_MINUTES"])
    failures = db.session.scalar(select(func.count()).select_from(SignInFailure).where(
        SignInFailure.address == address, SignInFailure.created_at > window))
    return failures >= current_app.config["SIGNIN_ADDRESS_LIMIT"]


def _fail(user: User | None, username: str, address: str, now, reason: str) -> None:
    """Count the failure for the address and the account; lock the account at the threshold."""
    audit("sign_in_failed", user, username, address, reason=reason)
    db.session.add(SignInFailure(address=address, username=username[:80], created_at=now))
    if user is not None:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= current_app.config["LOCKOUT_THRESHOLD"]:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
            record("user_locked", Actor.of(user), username=user.username,
                   center=user.center.code, address=address)
    # Old failures are no longer counted: prune them so the table stays small.
    horizon = now - timedelta(minutes=current_app.config["SIGNIN_WINDOW_MINUTES"] * 4)
    db.session.execute(delete(SignInFailure).where(SignInFailure.created_at < horizon))
    db.session.commit()


def authenticate(username: str, password: str, address: str | None) -> User | None:
    """Return the active user with this username and password, or None.

    Raises TooManyAttempts while the account is locked or the address is throttled.
    """
    now = clock.now()
    address = (address or "unknown")[:64]
    if _address_blocked(address, now):
        raise TooManyAttempts("too many failed sign-ins from your address; try again later")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(dummy_hash(), password)
        _fail(None, username, address, now, "unknown_user")
        return None
    if user.locked_until is not None and user.locked_until > now:
        raise TooManyAttempts("the account is locked after repeated failed sign-ins; try "
                              "again later or reset the password")
    if not check_password_hash(user.password_hash, password):
        _fail(user, username, address, now, "wrong_password")
        return None
    if not user.active or user.center.status != "active":
        audit("sign_in_failed", user, username, address, reason="inactive")
        db.session.commit()
        return None
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
    audit("signed_in", user, username, address, method="password")
    db.session.commit()
    return user
