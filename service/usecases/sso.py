"""Single sign-on: map an OpenID Connect identity (its groups) to a user, center and roles."""

import re

from flask import current_app
from sqlalchemy import func, select

from service.errors import Forbidden
from service.models import Center, User, UserRole, db
from service.roles import ROLE_BY_KEY

from . import signin
from .context import Actor, record
from .passwords import UNUSABLE


def _mapped(claims: dict) -> tuple[Center | None, list[str]]:
    """Return the center and roles the identity's groups map to (None when no group maps)."""
    groups = claims.get(current_app.config["OIDC_GROUPS_CLAIM"]) or []
    groups = [groups] if isinstance(groups, str) else list(groups)
    mapping = current_app.config["OIDC_GROUP_MAP"] or {}
    matched = [mapping[g] for g in groups if isinstance(g, str) and g in mapping]
    if not matched:
        return None, []
    codes = {m.get("center") for m in matched}
    if len(codes) != 1:
        raise Forbidden("your groups map to several centers: ask an admin")
    center = db.session.scalar(select(Center).where(Center.code == codes.pop()))
    if center is None:
        raise Forbidden("your groups map to a center that does not exist: ask an admin")
    roles = sorted({r for m in matched for r in m.get("roles", [])
                    if r in ROLE_BY_KEY and ROLE_BY_KEY[r].scope in ("any", center.kind)})
    return center, roles


def _free_username(claims: dict) -> str:
    wanted = claims.get("preferred_username") or (claims.get("email") or "").split("@")[0]
    base = re.sub(r"[^A-Za-z0-9._-]", "", str(wanted))[:70] or "user"
    base = base if base[0].isalnum() else "u" + base
    name, n = base, 1
    while db.session.scalar(select(User.id).where(func.lower(User.username) == name.lower())):
        n += 1
        name = f"{base}{n}"
    return name


def _find(subject: str, claims: dict) -> User | None:
    user = db.session.scalar(select(User).where(User.sso_subject == subject))
    email = claims.get("email")
    # Link an existing account by e-mail only when the provider vouches for the address.
    if user is None and email and claims.get("email_verified") is True:
        found = list(db.session.scalars(select(User).where(
            func.lower(User.email) == str(email).lower(), User.sso_subject.is_(None))))
        user = found[0] if len(found) == 1 else None
        if user is not None:
            user.sso_subject = subject
    return user


def sign_in(issuer: str, claims: dict, address: str | None = None) -> User:
    """Return the user of a verified identity, creating or updating it from its groups.

    The sign-in, or its refusal, is an audited event with the client's address.
    """
    address = (address or "unknown")[:64]
    name = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub"))
    try:
        user = _sign_in(issuer, claims)
    except Forbidden as exc:
        db.session.rollback()
        signin.audit("sign_in_failed", None, name, address, method="sso", reason=exc.message)
        db.session.commit()
        raise
    signin.audit("signed_in", user, user.username, address, method="sso")
    db.session.commit()
    return user


def _sign_in(issuer: str, claims: dict) -> User:
    subject = f"{issuer} {claims.get('sub')}"[:300]
    if not claims.get("sub"):
        raise Forbidden("the identity has no subject")
    center, roles = _mapped(claims)
    user = _find(subject, claims)
    if user is None:
        if center is None or not roles:
            raise Forbidden("your single sign-on groups give no access to LinkPass Flow")
        user = User(username=_free_username(claims), center_id=center.id, active=True,
                    display_name=str(claims.get("name") or claims.get("preferred_username")
                                     or claims["sub"])[:100],
                    email=(claims.get("email") or None), password_hash=UNUSABLE,
                    sso_subject=subject)
        user.center = center
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
        db.session.flush()
        record("sso_user_created", Actor.of(user), username=user.username,
               center=center.code, roles=roles, issuer=issuer)
    elif center is not None and roles and (center.id != user.center_id or set(roles)
                                           != user.roles):
        # The provider's groups are the source of truth for a mapped identity.
        before = {"center": user.center.code, "roles": sorted(user.roles)}
        user.center_id, user.center = center.id, center
        keep = [r for r in user.role_rows if r.role in roles]
        user.role_rows = keep + [UserRole(role=r) for r in roles
                                 if r not in {k.role for k in keep}]
        record("sso_user_updated", Actor.of(user), username=user.username, center=center.code,
               before=before, roles=roles)
    if not user.active or user.center.status != "active":
        raise Forbidden("the account or its center is not active")
    return user
