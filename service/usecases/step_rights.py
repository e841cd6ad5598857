"""The organisation rights a service operation needs of the person its step acts for.

An automatic step acts as the person who completed the task that led to it (or started the
instance); after a timer, a message, a retry or an admin's operation it acts with no roles at
all (context.without_roles). Every operation registered with the engine declares what it
needs, checked before it runs with the rules of the organisation API (org_access): a step
whose actor lacks it fails as an incident and changes nothing. So drawing a diagram, or
redrawing a lane, lends its author nobody's rights.
"""

from collections.abc import Callable
from dataclasses import dataclass

from service.errors import Forbidden, ServiceError
from service.models import Center, Instance, db

from . import org_access
from .context import Actor, current_step

Check = Callable[[Actor, Instance], None]  # raises a ServiceError when the right is missing


@dataclass(frozen=True)
class Operation:
    """A service-task operation, handler(params, data) -> result, and the rights it needs."""

    handler: Callable[[dict, dict], dict]
    needs: Check


def nothing(actor: Actor, instance: Instance) -> None:
    """Need no organisation right: the operation keeps the running instance's own records."""


def people_of_the_center(*roles: str) -> Check:
    """Need to manage the people of the instance's center and to grant these roles there."""

    def check(actor: Actor, instance: Instance) -> None:
        center = db.session.get(Center, instance.center_id)
        org_access.require_people_manager(actor, center)
        org_access.check_roles(actor, roles, center)

    return check


def city_centers(*roles: str) -> Check:
    """Need to create and open city centers, and to grant these roles in one."""

    def check(actor: Actor, instance: Instance) -> None:
        center = Center(code="new", kind="city")  # any city center: the one it provisions
        if not org_access.can_manage_center(actor, center):
            raise Forbidden("only national management or the national president may create "
                            "or open city centers")
        org_access.check_roles(actor, roles, center)

    return check


def guarded(name: str, operation: Operation) -> Callable[[dict, dict], dict]:
    """Return the handler the engine calls: the rights are checked first, then it runs."""
    if not isinstance(operation, Operation):
        raise TypeError(f"{name} must be declared as an Operation with the rights it needs")

    def run(params: dict, data: dict) -> dict:
        instance, actor = current_step.get()
        if instance is None:
            raise Forbidden(f"{name} runs only inside a process step")
        try:
            operation.needs(actor, instance)
        except ServiceError as exc:
            who = (f"{actor.username} lacks the rights it needs" if actor.roles else
                   f"it acts for {actor.username} with no roles, as after a timer, a message, "
                   "a retry or an admin's operation")
            raise Forbidden(f"{who}: {exc.message}") from exc
        return operation.handler(params, data)

    return run
