"""Hand an instance's run kept in memory to its next step, and keep runs once committed.

The engine's HotRuns holds each run tagged with the instance's lock_version of its commit.
Every write of an instance bumps that version, in any process, so a run whose tag still equals
the row's version is exactly the saved state, and restoring it from the database can be
skipped. Per transaction (session.info) we remember the runs claimed and the runs saved: saved
runs enter the cache after the commit; a rollback discards them, and a claimed run never
handed out (so unchanged) goes back.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm.attributes import set_committed_value

from service.engine import HotRun, Run, kept_size
from service.models import Instance, db

from .context import engine

CLAIMED = "hot_runs.claimed"  # {instance id: (cache, HotRun)}
SAVED = "hot_runs.saved"  # {instance id: (cache, instance, run, state, open task ids)}
# Characters of JSON: a run takes about twice its saved state in memory, so HOT_RUNS (128) of
# the largest runs kept stay within about 25 MB; most states are 5-20 KB.
LARGEST = 100_000
ENDED = ("completed", "terminated")


def kept(instance_id: int) -> int | None:
    """Return the version a run of the instance is kept at, if one is (then skip the state)."""
    return engine().hot.tag_of(instance_id)


def kept_with_task(task_id: str) -> bool:
    """Tell whether a run with this open task is kept here (else its state is worth reading)."""
    return engine().hot.key_of_task(task_id) is not None


def claim(instance: Instance, state) -> None:
    """Take the instance's kept run if it was saved at the version just read.

    Otherwise `state` is the state read along (the row moved on): it becomes the instance's.
    """
    cache = engine().hot
    found = cache.take(instance.id, instance.lock_version)
    if found is not None:
        db.session.info.setdefault(CLAIMED, {})[instance.id] = (cache, found)
    elif "state" not in instance.__dict__ and state is not None:
        set_committed_value(instance, "state", state)


def run_of(instance: Instance) -> Run | None:
    """Return the claimed run once, if the instance's state is still the one it was saved as."""
    claimed = db.session.info.get(CLAIMED)
    entry = claimed.get(instance.id) if claimed else None
    if entry is None or entry[1].run is None:
        return None
    found = entry[1]
    if (
        found.run.bundle.version_id != instance.process_version_id
        or instance.lock_version != found.tag
        or _state_changed(instance)
    ):
        del claimed[instance.id]
        return None
    run, found.run = found.run, None  # handed out: it will change, so it never goes back
    return run


def waits_before(instance: Instance):
    """Return the waits saved with the instance's state, without loading the state if kept."""
    claimed = db.session.info.get(CLAIMED)
    entry = claimed.get(instance.id) if claimed else None
    if entry is not None and "state" not in instance.__dict__:
        return entry[1].waits
    return (instance.state or {}).get("waits")


def saved(instance: Instance, run: Run, state: dict, task_ids: list[str]) -> None:
    """Keep the run after the commit, unless its state is large or JSON would change it.

    task_ids are the run's open tasks, by which the kept run is found (tasks.get).
    """
    cache = engine().hot
    pending = db.session.info.setdefault(SAVED, {})
    size = kept_size(state) if cache.size > 0 else None
    if size is not None and size < LARGEST:
        pending[instance.id] = (cache, instance, run, state, task_ids)
    else:
        pending.pop(instance.id, None)


def keep(instance: Instance, run: Run) -> None:
    """Give back, at the end of the transaction, a run that was only read."""
    if _state_changed(instance) or inspect(instance).modified:
        return
    claimed = db.session.info.setdefault(CLAIMED, {})
    previous = claimed.get(instance.id)
    waits = previous[1].waits if previous is not None else (instance.state or {}).get("waits")
    claimed[instance.id] = (engine().hot, HotRun(run, instance.lock_version, waits))


def _state_changed(instance: Instance) -> bool:
    if "state" not in instance.__dict__:
        return False
    return inspect(instance).attrs.state.history.has_changes()


@event.listens_for(db.session, "after_commit")
def _committed(session) -> None:
    for key, (cache, instance, run, state, task_ids) in session.info.pop(SAVED, {}).items():
        # Only if the committed row holds exactly this state: its version is the tag.
        values = instance.__dict__
        if (
            values.get("state") is state
            and "lock_version" in values
            and not inspect(instance).deleted
        ):
            session.info.get(CLAIMED, {}).pop(key, None)
            if values.get("status") not in ENDED:  # an ended instance takes no more steps
                cache.put(key, values["lock_version"], run, state["waits"], task_ids)
            else:
                cache.drop(key)


@event.listens_for(db.session, "after_transaction_end")
def _ended(session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint: the transaction goes on
        return
    session.info.pop(SAVED, None)  # not committed: these runs are ahead of the database
    for key, (cache, found) in session.info.pop(CLAIMED, {}).items():
        if found.run is not None:  # never handed out, so still exactly as saved
            cache.give_back(key, found)
