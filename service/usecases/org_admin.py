"""Administer the organisation: centers and users, each change an audited event."""

import re

from sqlalchemy import func, or_, select

from service.errors import Conflict, InvalidData, NotFound
from service.models import Center, Event, User, UserRole, db

from . import passwords
from .context import Actor, record
from .org_access import (
    can_see_center,
    center_filter,
    check_roles,
    require_center_manager,
    require_people_manager,
    require_user_manager,
    require_viewer,
)

CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
EMAIL = re.compile(r"^[^@\s]{1,100}@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{5,40}$")
CENTER_FIELDS = ("name_zh", "name_en", "region")
USER_FIELDS = ("display_name", "email", "phone")
PRESIDENT_ROLES = ("national_president", "city_president")
# The audit log of the organisation (events without an instance) holds these actions.
ORG_ACTIONS = ("center_created", "center_updated", "center_status_changed", "user_created",
               "user_updated", "user_deactivated", "user_activated", "user_invited",
               "user_locked", "password_reset_requested", "password_reset",
               "invitation_accepted", "password_changed", "users_imported", "token_revoked",
               "sso_user_created", "sso_user_updated", "user_unlocked")
SIGN_IN_ACTIONS = ("signed_in", "sign_in_failed")  # kept apart: there are many


def _text(value, field: str, max_len: int, required: bool = True) -> str | None:
    value = (value or "").strip() if isinstance(value, str) or value is None else value
    if not isinstance(value, str):
        raise InvalidData(f"{field} must be text", {field: ["expected text"]})
    if not value:
        if required:
            raise InvalidData(f"{field} is required", {field: ["required"]})
        return None
    if len(value) > max_len:
        raise InvalidData(f"{field} is too long", {field: [f"at most {max_len} characters"]})
    return value


def _pattern(value, field: str, pattern, max_len: int, required: bool = True):
    value = _text(value, field, max_len, required)
    if value is not None and not pattern.match(value):
        raise InvalidData(f"{field} is not valid", {field: ["invalid format"]})
    return value


# ---------------------------------------------------------------- centers

def list_centers(actor: Actor) -> list[Center]:
    require_viewer(actor)
    return list(db.session.scalars(select(Center).where(center_filter(actor))
                                   .order_by(Center.kind.desc(), Center.code)))


def get_center(actor: Actor, code: str) -> Center:
    require_viewer(actor)
    center = db.session.scalar(select(Center).where(Center.code == code))
    if center is None or not can_see_center(actor, center):
        raise NotFound(f"center {code!r} does not exist")
    return center


def presidents(center: Center) -> list[User]:
    """Return the center's presidents: its active users holding the president role."""
    return list(db.session.scalars(select(User).join(UserRole).where(
        User.center_id == center.id, User.active.is_(True),
        UserRole.role.in_(PRESIDENT_ROLES)).order_by(User.username)))


def user_counts() -> dict[int, int]:
    """Return the number of active users per center id."""
    return dict(db.session.execute(select(User.center_id, func.count()).where(
        User.active.is_(True)).group_by(User.center_id)).all())


def create_center(actor: Actor, fields: dict) -> Center:
    """Create a city center under the national center."""
    national = db.session.scalar(select(Center).where(Center.kind == "national"))
    code = _pattern(fields.get("code"), "code", CODE, 32)
    center = Center(code=code, kind="city", parent_id=national.id, status="active")
    require_center_manager(actor, center)
    if db.session.scalar(select(Center.id).where(Center.code == code)):
        raise Conflict(f"center {code!r} exists already", {"code": ["already taken"]})
    _set_center_fields(center, fields, partial=False)
    db.session.add(center)
    record("center_created", actor, center=code, name_zh=center.name_zh,
           name_en=center.name_en, region=center.region)
    db.session.commit()
    return center


def _set_center_fields(center: Center, fields: dict, partial: bool) -> dict:
    changes = {}
    for field in CENTER_FIELDS:
        if partial and field not in fields:
            continue
        value = _text(fields.get(field), field, 100, required=field != "region")
        if getattr(center, field, None) != value:
            changes[field] = value
            setattr(center, field, value)
    return changes


def update_center(actor: Actor, code: str, fields: dict) -> Center:
    center = get_center(actor, code)
    require_center_manager(actor, center)
    changes = _set_center_fields(center, fields, partial=True)
    if changes:
        record("center_updated", actor, center=code, changes=changes)
        db.session.commit()
    return center


# ---------------------------------------------------------------- users

def list_users(actor: Actor, center: str | None = None, query: str | None = None,
               active: bool | None = None, page: int = 1, per_page: int = 50):
    require_viewer(actor)
    stmt = select(User).join(Center, User.center_id == Center.id).where(center_filter(actor))
    if center:
        stmt = stmt.where(Center.code == center)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like),
                              User.email.ilike(like)))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Center.code, User.username)
                              .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def get_user(actor: Actor, username: str) -> User:
    require_viewer(actor)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not can_see_center(actor, user.center):
        raise NotFound(f"user {username!r} does not exist")
    return user


def validate_new_user(actor: Actor, fields: dict, taken: set[str] | None = None) -> dict:
    """Check a new user's fields; return them cleaned (no database write)."""
    username = _pattern(fields.get("username"), "username", USERNAME, 80)
    clean = {
        "username": username,
        "display_name": _text(fields.get("display_name"), "display_name", 100),
        "email": _pattern(fields.get("email"), "email", EMAIL, 200),
        "phone": _pattern(fields.get("phone"), "phone", PHONE, 40, required=False),
    }
    code = _text(fields.get("center"), "center", 32)
    center = db.session.scalar(select(Center).where(Center.code == code))
    if center is None:
        raise InvalidData(f"center {code!r} does not exist", {"center": ["unknown center"]})
    require_people_manager(actor, center)
    if center.status != "active":
        raise Conflict(f"center {code!r} is {center.status}", {"center": [center.status]})
    roles = fields.get("roles") or []
    if not isinstance(roles, list | tuple) or not all(isinstance(r, str) for r in roles):
        raise InvalidData("roles must be a list of role keys", {"roles": ["expected a list"]})
    clean["roles"] = check_roles(actor, roles, center)
    if not clean["roles"]:
        raise InvalidData("a user needs at least one role", {"roles": ["required"]})
    if username.lower() in (taken or set()) or db.session.scalar(
            select(User.id).where(func.lower(User.username) == username.lower())):
        raise Conflict(f"the username {username!r} is taken", {"username": ["already taken"]})
    clean["center"] = center
    return clean


def add_user(actor: Actor, clean: dict, password: str | None = None) -> User:
    """Add a validated user: with a password, or invited by e-mail to choose one."""
    if password:
        passwords.check_policy(password, clean["username"])
    user = User(username=clean["username"], display_name=clean["display_name"],
                email=clean["email"], phone=clean["phone"], center_id=clean["center"].id,
                active=True, password_hash=passwords.hash_password(password) if password
                else passwords.UNUSABLE)
    user.center = clean["center"]
    user.role_rows = [UserRole(role=r) for r in clean["roles"]]
    db.session.add(user)
    db.session.flush()
    if not password:
        passwords.send_invitation(user)
    record("user_created", actor, username=user.username, center=clean["center"].code,
           roles=clean["roles"], invited=not password)
    return user


def create_user(actor: Actor, fields: dict, password: str | None = None) -> User:
    require_viewer(actor)
    user = add_user(actor, validate_new_user(actor, fields), password)
    db.session.commit()
    return user


def update_user(actor: Actor, username: str, fields: dict) -> User:
    """Change a user's name, e-mail, phone and roles (within the actor's reach)."""
    user = get_user(actor, username)
    require_user_manager(actor, user)
    changes = {}
    checks = {"display_name": lambda v: _text(v, "display_name", 100),
              "email": lambda v: _pattern(v, "email", EMAIL, 200),
              "phone": lambda v: _pattern(v, "phone", PHONE, 40, required=False)}
    for field in USER_FIELDS:
        if field in fields:
            value = checks[field](fields[field])
            if getattr(user, field) != value:
                changes[field] = value
                setattr(user, field, value)
    if "roles" in fields:
        roles = fields["roles"]
        if not isinstance(roles, list | tuple) or not roles:
            raise InvalidData("a user needs at least one role", {"roles": ["required"]})
        roles = check_roles(actor, roles, user.center)
        if set(roles) != user.roles:
            changes["roles"] = {"from": sorted(user.roles), "to": roles}
            keep = [r for r in user.role_rows if r.role in roles]
            user.role_rows = keep + [UserRole(role=r) for r in roles
                                     if r not in {k.role for k in keep}]
    if changes:
        record("user_updated", actor, username=username, center=user.center.code,
               changes=changes)
        db.session.commit()
    return user


def invite_again(actor: Actor, username: str) -> User:
    """Send a fresh invitation link (older unused ones stop working)."""
    user = get_user(actor, username)
    require_user_manager(actor, user)
    if not user.active:
        raise Conflict("the user is deactivated")
    passwords.send_invitation(user)
    record("user_invited", actor, username=username, center=user.center.code)
    db.session.commit()
    return user


def org_events(actor: Actor, page: int = 1, per_page: int = 50, sign_ins: bool = False):
    """Return the organisation's audit log the actor may read (its changes, or the sign-ins
    and failed ones), newest first."""
    require_viewer(actor)
    actions = SIGN_IN_ACTIONS if sign_ins else ORG_ACTIONS
    stmt = select(Event).where(Event.instance_id.is_(None), Event.action.in_(actions))
    if not (actor.is_admin or actor.national):
        own = db.session.get(Center, actor.center_id)
        stmt = stmt.where(Event.details["center"].as_string() == own.code)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Event.id.desc()).offset((page - 1) * per_page)
                              .limit(per_page))
    return list(rows), total


def get_event(actor: Actor, event_id: int) -> Event:
    rows = db.session.get(Event, event_id)
    if (rows is None or rows.instance_id is not None
            or rows.action not in ORG_ACTIONS + SIGN_IN_ACTIONS):
        raise NotFound(f"event {event_id} does not exist")
    require_viewer(actor)
    if not (actor.is_admin or actor.national):
        own = db.session.get(Center, actor.center_id)
        if (rows.details or {}).get("center") != own.code:
            raise NotFound(f"event {event_id} does not exist")
    return rows
