"""Compare two versions of a process, and say whether running instances could move across."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from service.engine import VersionDiff, compare_versions
from service.errors import InvalidData
from service.models import Instance, ProcessVersion, db

from . import deployments, runs
from .context import Actor, engine
from .studio import ENDED, require_owner

MIGRATION_SAMPLE = 200  # instances checked per comparison; the page says when there are more


@dataclass
class MigrationCheck:
    """Whether the open instances of the old version fit the new one."""

    running: int = 0
    checked: int = 0
    movable: int = 0
    blocked: list[tuple[int, str | None, list[str]]] = field(default_factory=list)


@dataclass
class Comparison:
    key: str
    old: ProcessVersion
    new: ProcessVersion
    diff: VersionDiff
    migration: MigrationCheck


def _check_migration(old: ProcessVersion, new: ProcessVersion) -> MigrationCheck:
    check = MigrationCheck()
    open_ = select(Instance).where(Instance.process_version_id == old.id,
                                   Instance.status.not_in(ENDED))
    check.running = db.session.scalar(select(func.count()).select_from(open_.subquery()))
    target = runs.bundle_of(new)
    for instance in db.session.scalars(open_.options(undefer(Instance.state))
                                       .order_by(Instance.id).limit(MIGRATION_SAMPLE)):
        check.checked += 1
        missing = engine().missing_specs(instance.state, target) if instance.state else []
        if missing:
            check.blocked.append((instance.id, instance.business_key, missing))
        else:
            check.movable += 1
    return check


def compare(actor: Actor, key: str, old_number: int | None = None,
            new_number: int | None = None) -> Comparison:
    """Return the differences from one version to another (default: the last two)."""
    require_owner(actor)
    versions = deployments.versions_of(key)
    if versions[0].kind != "process":
        raise InvalidData(f"{key!r} is a decision table: only diagrams can be compared")
    new = deployments.get_version(key, new_number) if new_number else versions[-1]
    if old_number:
        old = deployments.get_version(key, old_number)
    else:
        old = next((v for v in reversed(versions) if v.version < new.version), new)
    diff = compare_versions(runs.bundle_of(old), runs.bundle_of(new),
                            old.content.encode("utf-8"), new.content.encode("utf-8"))
    return Comparison(key, old, new, diff, _check_migration(old, new))
