"""Who may administer what in the organisation: centers in reach, roles one may grant."""

from sqlalchemy import true

from service.errors import Forbidden, InvalidData
from service.models import Center, User
from service.roles import ROLE_BY_KEY

from .context import Actor

NATIONAL_MANAGERS = frozenset({"national_president", "national_management"})
CITY_ROLES = frozenset({"city_president", "city_management", "advisor"})
# A city president runs the people of one center; presidents are named by the national center.
CITY_PRESIDENT_GRANTS = frozenset({"city_management", "advisor"})
ORG_VIEWERS = NATIONAL_MANAGERS | {"admin", "city_president"}


def can_view_org(actor: Actor) -> bool:
    return bool(actor.roles & ORG_VIEWERS)


def require_viewer(actor: Actor) -> None:
    if not can_view_org(actor):
        raise Forbidden("only an admin, the national center's president or management, or a "
                        "city president may administer the organisation")


def grantable_roles(actor: Actor) -> frozenset[str]:
    """Return the role keys the actor may grant (their reach, never above it)."""
    if actor.is_admin:
        return frozenset(ROLE_BY_KEY)
    grants = set()
    if actor.national and actor.roles & NATIONAL_MANAGERS:
        grants |= CITY_ROLES
    if not actor.national and "city_president" in actor.roles:
        grants |= CITY_PRESIDENT_GRANTS
    return frozenset(grants)


def center_filter(actor: Actor):
    """Return a SQL condition selecting the centers the actor may see."""
    if actor.is_admin or (actor.national and actor.roles & NATIONAL_MANAGERS):
        return true()
    return Center.id == (actor.center_id or -1)


def can_see_center(actor: Actor, center: Center) -> bool:
    return (actor.is_admin or (actor.national and bool(actor.roles & NATIONAL_MANAGERS))
            or center.id == actor.center_id)


def can_manage_center(actor: Actor, center: Center) -> bool:
    """Edit the center itself and change its status."""
    if actor.is_admin:
        return True
    return (center.kind == "city" and actor.national
            and bool(actor.roles & NATIONAL_MANAGERS))


def can_manage_people_of(actor: Actor, center: Center) -> bool:
    """Add users to the center and change its users."""
    if can_manage_center(actor, center):
        return True
    return (not actor.national and center.id == actor.center_id
            and "city_president" in actor.roles)


def can_manage_user(actor: Actor, user: User) -> bool:
    """Change the user: their center is in reach and every role they hold is grantable."""
    if actor.id == user.id and not actor.is_admin:
        return False  # nobody raises or retires themselves; another manager does
    return (can_manage_people_of(actor, user.center)
            and user.roles <= grantable_roles(actor))


def require_user_manager(actor: Actor, user: User) -> None:
    if not can_manage_user(actor, user):
        raise Forbidden(f"you may not change the user {user.username!r}")


def require_people_manager(actor: Actor, center: Center) -> None:
    if not can_manage_people_of(actor, center):
        raise Forbidden(f"you may not manage the users of center {center.code!r}")


def require_center_manager(actor: Actor, center: Center) -> None:
    if not can_manage_center(actor, center):
        raise Forbidden(f"you may not change center {center.code!r}")


def check_roles(actor: Actor, roles, center: Center, field: str = "roles") -> list[str]:
    """Return the roles sorted, or raise: unknown, not grantable, or wrong kind of center."""
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLE_BY_KEY]
    if unknown:
        raise InvalidData(f"unknown roles: {', '.join(unknown)}",
                          {field: [f"unknown role: {r}" for r in unknown]})
    above = [r for r in roles if r not in grantable_roles(actor)]
    if above:
        raise Forbidden(f"you may not grant {', '.join(above)}",
                        {field: [f"above your reach: {r}" for r in above]})
    misplaced = [r for r in roles if ROLE_BY_KEY[r].scope not in ("any", center.kind)]
    if misplaced:
        raise InvalidData(f"{', '.join(misplaced)} cannot be held in a {center.kind} center",
                          {field: [f"not for this kind of center: {r}" for r in misplaced]})
    return roles
