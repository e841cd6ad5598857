"""Move instances to another version of their process, after a dry-run check of each.

An instance can move when everything it has done or is doing exists in the target version:
its finished, active and failed elements. What it merely expects next is predicted again
from the target version. The check is the move without the writing, so a clean dry run means
the move succeeds (unless the instance changes in between: then 409).
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from service.engine import migrate_run, migration_blockers, plan_migration
from service.errors import Conflict, NotFound
from service.models import ProcessVersion, db

from . import runs
from .access import require_operator
from .context import Actor, record
from .instances import _advance_and_save, _commit
from .monitor import instance_in_scope, version_of

MOVABLE = ("running", "waiting", "suspended", "error")


@dataclass
class MigrationCheck:
    """Whether one instance can move to a version, and why not."""

    instance_id: int
    from_version: int
    to_version: int | None
    reasons: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


def target_version(key: str, version: int | None) -> ProcessVersion:
    try:
        return version_of(key, version)
    except NotFound:
        raise NotFound(f"process {key!r} has no version {version}") from None


def _plan(cache: dict, source_id: int, target: ProcessVersion):
    """Compare two versions once per bulk run, however many instances move."""
    key = (source_id, target.id)
    if key not in cache:
        cache[key] = plan_migration(runs.cached_bundle(source_id), runs.bundle_of(target))
    return cache[key]


def _check(instance, target: ProcessVersion, cache: dict, run=None) -> MigrationCheck:
    found = MigrationCheck(instance.id, instance.process_version.version, target.version)
    if target.key != instance.process_key:
        found.reasons.append(f"version {target.version} belongs to another process")
    elif target.id == instance.process_version_id:
        found.reasons.append(f"the instance already runs on version {target.version}")
    elif instance.status not in MOVABLE:
        found.reasons.append(f"the instance is {instance.status}")
    if found.reasons:
        return found
    run = run or runs.restore(runs.load_instance(instance.id))
    found.reasons.extend(migration_blockers(_plan(cache, instance.process_version_id, target),
                                            run))
    return found


def check(actor: Actor, instance_id: int, version: int | None = None,
          cache: dict | None = None) -> MigrationCheck:
    """Dry run: say whether the instance can move to the version (the latest by default)."""
    require_operator(actor)
    instance = instance_in_scope(actor, instance_id)
    target = target_version(instance.process_key, version)
    return _check(instance, target, {} if cache is None else cache)


def migrate(actor: Actor, instance_id: int, version: int | None = None,
            cache: dict | None = None) -> MigrationCheck:
    """Check, then move the instance; refuse with the reasons when it cannot move."""
    require_operator(actor)
    instance_in_scope(actor, instance_id)
    instance = runs.load_instance(instance_id)
    target = target_version(instance.process_key, version)
    cache = {} if cache is None else cache
    run = runs.restore(instance) if instance.status in MOVABLE else None
    found = _check(instance, target, cache, run)
    if not found.ok:
        raise Conflict("the instance cannot move to this version", {"reasons": found.reasons})
    plan = _plan(cache, instance.process_version_id, target)
    instance.process_version = target
    record("instance_migrated", actor, instance, from_version=found.from_version,
           to_version=target.version, checked=True)
    # save() keeps a suspended instance suspended; the others get their status recomputed.
    _advance_and_save(instance, run, actor, lambda: migrate_run(plan, run))
    _commit()
    return found


def versions(key: str) -> list[ProcessVersion]:
    return list(db.session.scalars(select(ProcessVersion).where(ProcessVersion.key == key)
                                   .order_by(ProcessVersion.version)))
