"""A user's API tokens: list them and revoke them (refused at once by every later request)."""

import hashlib

from sqlalchemy import select, update

from service import clock
from service.errors import NotFound
from service.models import ApiToken, db

from .context import Actor, record


def digest(token: str) -> str:
    """Return the stored form of a token (as service.auth stores it)."""
    return hashlib.sha256(token.encode()).hexdigest()


def list_mine(actor: Actor) -> list[ApiToken]:
    """Return the actor's tokens, newest first (only hashes are stored: no secret is shown)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == actor.id)
                                   .order_by(ApiToken.id.desc())))


def is_live(token: ApiToken) -> bool:
    return token.revoked_at is None and token.expires_at > clock.now()


def revoke_all(user_id: int) -> int:
    """Revoke every live token of a user (the caller commits); return how many."""
    return db.session.execute(update(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())).rowcount


def revoke(actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's tokens (an admin may revoke anyone's)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.is_admin):
        raise NotFound(f"token {token_id} does not exist")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        record("token_revoked", actor, token_id=token.id, username=token.user.username,
               center=token.user.center.code)
        db.session.commit()
    return token
