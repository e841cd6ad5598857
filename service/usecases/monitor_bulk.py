"""Operate many instances at once: each one in its own transaction, each outcome reported."""

from dataclasses import dataclass

from service.errors import InvalidData, ServiceError
from service.models import db

from . import instances, monitor_migrate, monitor_search
from .access import require_operator
from .context import Actor

ACTIONS = ("suspend", "resume", "terminate", "retry", "migrate")
MAX_IDS = 1000


@dataclass
class Outcome:
    """What happened to one instance of a bulk operation."""

    instance_id: int
    ok: bool
    status: str | None = None
    reason: str | None = None
    details: object = None


def _reason(error: ServiceError) -> str:
    details = error.details if isinstance(error.details, dict) else {}
    listed = details.get("reasons") or details.get("elements") or details.get("status")
    if listed:
        return f"{error.message}: {'; '.join(str(r) for r in listed)}"
    return error.message


def run(actor: Actor, action: str, ids: list[int], reason: str | None = None,
        version: int | None = None, dry_run: bool = False) -> list[Outcome]:
    """Apply one action to each instance; a refusal for one leaves it untouched and goes on."""
    require_operator(actor)
    if action not in ACTIONS:
        raise InvalidData(f"unknown action {action!r}",
                          {"action": [f"one of {', '.join(ACTIONS)}"]})
    if dry_run and action != "migrate":
        raise InvalidData("only a migration has a dry run", {"dry_run": ["migrate only"]})
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise InvalidData("choose at least one instance", {"ids": ["empty"]})
    if len(ids) > MAX_IDS:
        raise InvalidData(f"at most {MAX_IDS} instances at once", {"ids": ["too many"]})
    plans = {}  # one version comparison per (from, to) pair, reused across instances
    outcomes = []
    for instance_id in ids:
        try:
            if action == "migrate":
                operate = monitor_migrate.check if dry_run else monitor_migrate.migrate
                found = operate(actor, instance_id, version, cache=plans)
                if not found.ok:
                    outcomes.append(Outcome(instance_id, False, None,
                                            "; ".join(found.reasons), found.reasons))
                    continue
                status = db.session.get(instances.Instance, instance_id).status
            elif action == "terminate":
                status = instances.terminate(actor, instance_id, reason).status
            else:
                status = getattr(instances, action)(actor, instance_id).status
            outcomes.append(Outcome(instance_id, True, status))
        except ServiceError as exc:
            db.session.rollback()
            outcomes.append(Outcome(instance_id, False, None, _reason(exc), exc.details))
    return outcomes


def run_matching(actor: Actor, action: str, query, reason: str | None = None,
                 version: int | None = None, dry_run: bool = False) -> list[Outcome]:
    """Apply one action to every instance a monitor filter matches (none matching: nothing)."""
    require_operator(actor)
    ids = monitor_search.matching_ids(actor, query)
    return run(actor, action, ids, reason, version, dry_run) if ids else []
