"""Passwords: the policy, one-time e-mailed links (reset, invitation), setting a password."""

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from service import clock
from service.errors import InvalidData, NotFound
from service.models import AccessLink, User, db

from . import api_tokens, mail, web_sessions
from .context import Actor, record
from .public_url import public_url

# A hash no password can match: the user signs in only after accepting an invitation.
UNUSABLE = "!"
RESETS_PER_HOUR = 3
LINK_PATHS = {"reset": "/org/password/reset/", "invite": "/org/invite/"}


def awaits_password(user: User) -> bool:
    """Return whether the user was invited and has not chosen a password yet."""
    return user.password_hash == UNUSABLE and user.sso_subject is None


def policy_errors(password: str, username: str) -> list[str]:
    """Return why the password is too weak (empty when it is good)."""
    errors = []
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        errors.append(f"at least {current_app.config['PASSWORD_MIN_LENGTH']} characters")
    if len(password) > 200:
        errors.append("at most 200 characters")
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        errors.append("letters and digits")
    if username and username.casefold() in password.casefold():
        errors.append("must not contain the username")
    return errors


def check_policy(password: str, username: str) -> None:
    errors = policy_errors(password or "", username)
    if errors:
        raise InvalidData("the password is too weak: " + "; ".join(errors),
                          {"password": errors})


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(user: User, kind: str) -> str:
    """Create a one-time link for the user, replacing older unused ones; return its URL."""
    now = clock.now()
    db.session.execute(update(AccessLink).where(
        AccessLink.user_id == user.id, AccessLink.kind == kind, AccessLink.used_at.is_(None))
        .values(used_at=now))
    ttl = (timedelta(minutes=current_app.config["RESET_LINK_MINUTES"]) if kind == "reset"
           else timedelta(days=current_app.config["INVITE_LINK_DAYS"]))
    token = secrets.token_urlsafe(32)
    db.session.add(AccessLink(user_id=user.id, kind=kind, token_hash=_digest(token),
                              created_at=now, expires_at=now + ttl))
    return public_url(f"{LINK_PATHS[kind]}{token}")


def send_invitation(user: User) -> None:
    """Mail the user a link to choose their password (committed by the caller)."""
    url = issue_link(user, "invite")
    days = current_app.config["INVITE_LINK_DAYS"]
    mail.queue(user, "invitation", "Welcome to LinkPass Flow / 欢迎使用 Link Pass 流程平台",
               f"Hello {user.display_name},\n\nYou have been invited to LinkPass Flow as "
               f"{user.username}. Choose your password here (valid {days} days, once):\n"
               f"{url}\n\n您已受邀使用 Link Pass 流程平台（用户名 {user.username}）。"
               f"请通过上面的链接设置密码（{days} 天内有效，仅可使用一次）。\n")


def request_reset(login: str) -> None:
    """Mail a reset link to the active user with this username or e-mail, if there is one."""
    login = (login or "").strip()
    user = db.session.scalar(select(User).where(
        or_(User.username == login, User.email == login), User.active.is_(True))) if login else None
    # Answer the same whether or not the account exists: no user enumeration.
    if user is None or not user.email or user.center.status != "active":
        return
    if user.sso_subject and user.password_hash == UNUSABLE:
        return  # single sign-on users sign in at their provider, not with a local password
    recent = db.session.scalar(select(func.count()).select_from(AccessLink).where(
        AccessLink.user_id == user.id, AccessLink.kind == "reset",
        AccessLink.created_at > clock.now() - timedelta(hours=1)))
    if recent >= RESETS_PER_HOUR:  # nobody floods a mailbox through this form
        return
    url = issue_link(user, "reset")
    minutes = current_app.config["RESET_LINK_MINUTES"]
    mail.queue(user, "password_reset", "Reset your password / 重置密码",
               f"Hello {user.display_name},\n\nSomeone asked to reset the password of "
               f"{user.username}. Use this link within {minutes} minutes, once:\n{url}\n\n"
               f"If it was not you, ignore this message.\n\n请在 {minutes} 分钟内通过上面的"
               f"链接重置密码（仅可使用一次）。如非本人操作，请忽略本邮件。\n")
    record("password_reset_requested", Actor.of(user), username=user.username,
           center=user.center.code)
    db.session.commit()


def link_user(token: str, kind: str) -> User:
    """Return the user of a valid, unused, unexpired link, or raise NotFound."""
    link = db.session.scalar(select(AccessLink).where(
        AccessLink.token_hash == _digest(token or ""), AccessLink.kind == kind))
    if link is None or link.used_at is not None or link.expires_at <= clock.now():
        raise NotFound("the link is invalid, used or expired")
    if not link.user.active:
        raise NotFound("the link is invalid, used or expired")
    return link.user


def use_link(token: str, kind: str, password: str) -> User:
    """Set the password through a one-time link; the link is spent at once."""
    user = link_user(token, kind)
    check_policy(password, user.username)
    now = clock.now()
    # Spend the link with a guarded update: of two concurrent uses, only one wins.
    spent = db.session.execute(update(AccessLink).where(
        AccessLink.token_hash == _digest(token), AccessLink.used_at.is_(None))
        .values(used_at=now)).rowcount
    if spent != 1:
        db.session.rollback()
        raise NotFound("the link is invalid, used or expired")
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    # Whoever knew the old password is signed out everywhere and holds no working token.
    web_sessions.end_all(user.id)
    api_tokens.revoke_all(user.id)
    record("password_reset" if kind == "reset" else "invitation_accepted", Actor.of(user),
           username=user.username, center=user.center.code)
    db.session.commit()
    return user


def change_password(actor: Actor, current: str, new: str, keep_session=None) -> None:
    """Change the actor's own password after checking the current one.

    Every other session of the user ends and every API token is revoked: whoever took them
    with the old password loses them (keep_session: the browser session changing it).
    """
    user = db.session.get(User, actor.id)
    if user is None or not check_password_hash(user.password_hash, current or ""):
        raise InvalidData("the current password is wrong",
                          {"current_password": ["wrong password"]})
    check_policy(new, user.username)
    user.password_hash = hash_password(new)
    web_sessions.end_all(user.id, keep=keep_session)
    revoked = api_tokens.revoke_all(user.id)
    record("password_changed", actor, username=user.username, center=user.center.code,
           tokens_revoked=revoked)
    db.session.commit()
