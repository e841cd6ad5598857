"""Engagements follow their advisor: the open ones, their planned items and their process lanes."""

from sqlalchemy import func, select

from service.models import Engagement, ExecutionItem, Instance, User, db

from . import runs
from .context import Actor, record

RUNNING = ("running", "waiting", "error", "suspended")


def count(user: User) -> int:
    """Return how many open engagements the user owns."""
    return db.session.scalar(select(func.count()).select_from(Engagement).where(
        Engagement.advisor_id == user.id, Engagement.status == "open"))


def move(actor: Actor, user: User, successor: User) -> list[str]:
    """Hand the user's open engagements to the successor; return a line per engagement."""
    lines = []
    rows = db.session.scalars(select(Engagement).where(
        Engagement.advisor_id == user.id, Engagement.status == "open")
        .order_by(Engagement.id)).all()
    for row in rows:
        row.advisor_id, row.advisor = successor.id, successor
        for item in db.session.scalars(select(ExecutionItem).where(
                ExecutionItem.engagement_id == row.id, ExecutionItem.owner_id == user.id,
                ExecutionItem.status == "planned")):
            item.owner_id, item.owner = successor.id, successor
        instance = db.session.get(Instance, row.instance_id) if row.instance_id else None
        if instance is not None and instance.status in RUNNING:
            _retarget(actor, instance, user.username, successor.username)
        record("engagement_handed_over", actor, instance, engagement=row.id,
               from_user=user.username, to=successor.username)
        lines.append(f"#{row.id} {row.customer.name if row.customer else ''}".strip())
    return lines


def _retarget(actor: Actor, instance: Instance, old: str, new: str) -> None:
    """Name the successor wherever the process names the old advisor as a lane's owner."""
    instance = runs.load_instance(instance.id)
    run = runs.restore(instance)
    data = run.data
    changes = {}
    owners = data.get("lane_owners")
    if isinstance(owners, dict):
        renamed = {lane: [new if n == old else n for n in (v if isinstance(v, list) else [v])]
                   for lane, v in owners.items()}
        if renamed != owners:
            changes["lane_owners"] = renamed
    engagement = data.get("engagement")
    if isinstance(engagement, dict) and engagement.get("advisor") == old:
        changes["engagement"] = {**engagement, "advisor": new}
    if not changes:
        return
    run.update_data(changes)
    status = instance.status
    runs.save(instance, run, actor)
    instance.status = status  # a hand-over moves no step: the instance stays where it was
