"""Correlate an incoming message to the instance waiting for it, or start one."""

from sqlalchemy import select

from service.errors import NotFound
from service.models import Instance, ProcessVersion, Subscription, db

from . import refusals, runs
from .access import instance_filter
from .context import Actor, record
from .deployments import list_processes
from .instances import _advance_and_save, _commit, start


def correlate(actor: Actor, name: str, correlation_key: str | None, payload) -> list[Instance]:
    """Deliver the message to every visible instance subscribed with this key."""
    refusals.check_input(payload, "payload")
    stmt = (select(Subscription.instance_id).join(Instance)
            .where(Subscription.message == name, instance_filter(actor),
                   Instance.status.in_(("running", "waiting")))
            .distinct())
    if correlation_key is None:
        stmt = stmt.where(Subscription.correlation_key.is_(None))
    else:
        stmt = stmt.where(Subscription.correlation_key == str(correlation_key))
    instance_ids = list(db.session.scalars(stmt))
    if not instance_ids:
        return [_start_by_message(actor, name, correlation_key, payload)]
    delivered = []
    for instance_id in sorted(instance_ids):
        instance = runs.load_instance(instance_id)
        run = runs.restore(instance)
        record("message_received", actor, instance, message=name,
               correlation_key=correlation_key)
        _advance_and_save(instance, run, actor, lambda r=run: r.deliver(name, payload))
        delivered.append(instance)
    _commit()
    return delivered


def _start_by_message(actor: Actor, name: str, key: str | None, payload) -> Instance:
    starters = [v for v in list_processes()
                if v.kind == "process" and name in v.info.get("message_starts", [])]
    if not starters:
        raise NotFound(f"no instance waits for message {name!r} with key {key!r}")
    version: ProcessVersion = starters[0]
    instance = start(actor, version.key, business_key=key, by_message=name)
    instance = runs.load_instance(instance.id)
    run = runs.restore(instance)
    record("message_received", actor, instance, message=name, correlation_key=key)
    _advance_and_save(instance, run, actor, lambda: run.deliver(name, payload))
    _commit()
    return instance
