"""Browser sessions kept on the server, so that signing out ends them for good.

The session cookie is signed but lives in the browser: without a record here, a copy of it
taken before sign-out would still work. Each sign-in stores the SHA-256 of a random id as an
access_link of kind "session"; sign-out marks it used, and a cookie whose id is not live is
treated as signed out.
"""

import hashlib
import secrets

from flask import current_app
from sqlalchemy import delete, or_, select, update

from service import clock
from service.models import AccessLink, db

KIND = "session"


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(user_id: int) -> str:
    """Record a new session of the user; return its id (kept in the signed cookie)."""
    now = clock.now()
    # Forget this user's ended and expired sessions rather than keep them forever.
    db.session.execute(delete(AccessLink).where(
        AccessLink.user_id == user_id, AccessLink.kind == KIND,
        or_(AccessLink.used_at.is_not(None), AccessLink.expires_at <= now)))
    session_id = secrets.token_urlsafe(32)
    db.session.add(AccessLink(user_id=user_id, kind=KIND, token_hash=_digest(session_id),
                              created_at=now,
                              expires_at=now + current_app.permanent_session_lifetime))
    db.session.commit()
    return session_id


def is_live(user_id, session_id) -> bool:
    """Tell whether this session of this user was started and has not ended."""
    if not isinstance(session_id, str) or not str(user_id or "").isdigit():
        return False
    found = db.session.scalar(select(AccessLink.id).where(
        AccessLink.token_hash == _digest(session_id), AccessLink.kind == KIND,
        AccessLink.user_id == int(user_id), AccessLink.used_at.is_(None),
        AccessLink.expires_at > clock.now()))
    return found is not None


def end(session_id) -> None:
    """End a session: its cookie no longer signs anyone in, even replayed."""
    if not isinstance(session_id, str):
        return
    db.session.execute(update(AccessLink).where(
        AccessLink.token_hash == _digest(session_id), AccessLink.kind == KIND,
        AccessLink.used_at.is_(None)).values(used_at=clock.now()))
    db.session.commit()


def end_all(user_id: int, keep=None) -> None:
    """End every live session of a user but the one kept (the caller commits): after a
    password reset or change."""
    stmt = update(AccessLink).where(AccessLink.user_id == user_id, AccessLink.kind == KIND,
                                    AccessLink.used_at.is_(None))
    if isinstance(keep, str):
        stmt = stmt.where(AccessLink.token_hash != _digest(keep))
    db.session.execute(stmt.values(used_at=clock.now()))
