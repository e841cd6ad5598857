"""Final checks: each instance against its event log, the clients' acks, the jobs."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import requests
from sqlalchemy import create_engine, text


def _read_instance(base: str, token: str, instance_id: int) -> tuple[dict, list[dict]]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        found = session.get(f"{base}/api/v1/instances/{instance_id}", timeout=60)
        events = session.get(f"{base}/api/v1/instances/{instance_id}/events", timeout=60)
    if found.status_code != 200 or events.status_code != 200:
        raise AssertionError(f"instance {instance_id}: GET answered {found.status_code}/"
                             f"{events.status_code}")
    return found.json(), events.json()


def _fired(events: list[dict]) -> list[tuple[str, datetime, datetime]]:
    """(element, due_at, fired_at) of each timer_fired event."""
    return [(e["details"]["element_id"], datetime.fromisoformat(e["details"]["due_at"]),
             datetime.fromisoformat(e["created_at"])) for e in events
            if e["action"] == "timer_fired"]


def _common(instance: dict, events: list[dict], fail) -> None:
    if instance["status"] == "error" or instance["incidents"]:
        fail(f"in error: {instance['incidents']}")
    fired = _fired(events)
    keys = Counter((element, due) for element, due, _ in fired)
    for key, count in keys.items():
        if count > 1:
            fail(f"timer {key[0]} due {key[1]} fired {count} times")
    for element, due, at in fired:
        if at < due:
            fail(f"timer {element} fired at {at}, before it was due at {due}")
    created = [e["task_id"] for e in events if e["action"] == "task_created"]
    if sorted(created) != sorted(t["id"] for t in instance["tasks"]):
        fail("task_created events differ from the instance's tasks")
    ended = [e for e in events if e["action"] == "instance_completed"]
    if len(ended) != (1 if instance["status"] == "completed" else 0):
        fail(f"{len(ended)} instance_completed events with status {instance['status']}")


def check_task_loop(instance: dict, events: list[dict], stats, fail) -> int:
    """Counters, tasks, events and acks agree; return the boundary timers that fired."""
    data, tasks = instance["data"], instance["tasks"]
    completed = {t["id"]: t for t in tasks if t["status"] == "completed"}
    cancelled = {t["id"] for t in tasks if t["status"] == "cancelled"}
    open_ = [t for t in tasks if t["status"] in ("ready", "claimed")]
    done_events = Counter(e["task_id"] for e in events if e["action"] == "task_completed")
    if any(n > 1 for n in done_events.values()) or set(done_events) != set(completed):
        fail(f"task_completed events {dict(done_events)} differ from completed tasks")
    cancel_events = [e["task_id"] for e in events if e["action"] == "task_cancelled"]
    if sorted(cancel_events) != sorted(cancelled):
        fail("task_cancelled events differ from cancelled tasks")
    fired = _fired(events)
    if not data.get("timeouts", 0) == len(fired) == len(cancelled):
        fail(f"timeouts={data.get('timeouts')}, {len(fired)} timer_fired events, "
             f"{len(cancelled)} cancelled tasks")
    if data.get("count") != len(completed):
        fail(f"lost update: count={data.get('count')} but {len(completed)} tasks completed")
    acked = 0
    for task_id, task in completed.items():
        acks = stats.acks.get(task_id, [])
        if len(acks) > 1:
            fail(f"task {task_id} completed twice: acks {acks}")
        elif acks and acks[0][1] != task["assignee"]:
            fail(f"task {task_id} acked to {acks[0][1]} but completed by {task['assignee']}")
        elif not acks and task_id not in stats.in_doubt:
            fail(f"task {task_id} completed without anyone asking")
        acked += bool(acks)
    for task_id in stats.acked_in.get(instance["id"], ()):
        if task_id not in completed:
            fail(f"task {task_id} answered 200 but is not completed: a lost update")
    finished = data.get("count") == data.get("rounds")
    if instance["status"] != ("completed" if finished else "running"):
        fail(f"status {instance['status']} with count={data.get('count')}")
    if len(open_) != (0 if finished else 1):
        fail(f"{len(open_)} open tasks with status {instance['status']}")
    return len(fired)


def check_timer_loop(instance: dict, events: list[dict], fail) -> int:
    """Every timer of the loop fired exactly once; return how many fired."""
    data = instance["data"]
    fired = _fired(events)
    if instance["status"] != "completed" or data.get("fired") != data.get("rounds"):
        fail(f"status {instance['status']}, fired={data.get('fired')} of {data.get('rounds')}")
    if len(fired) != data.get("fired"):
        fail(f"{len(fired)} timer_fired events but the counter says {data.get('fired')}")
    return len(fired)


def check_all(base: str, token: str, url: str, stats, orphaned: list) -> tuple[list[str], dict]:
    """Run every check; return the failures and the figures."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, process_key FROM instance ORDER BY id")).all()
        jobs = conn.execute(text("SELECT instance_id, kind, element_id FROM job")).all()
    engine.dispose()
    failures: list[str] = []
    figures = Counter()
    stats.acked_in = {}
    for task_id, acks in stats.acks.items():
        stats.acked_in.setdefault(acks[0][2], []).append(task_id)
    with ThreadPoolExecutor(4) as pool:
        read = list(pool.map(lambda row: _read_instance(base, token, row[0]), rows))
    fired_due = Counter()
    for (instance_id, key), (instance, events) in zip(rows, read, strict=True):
        def fail(message, instance_id=instance_id, key=key):
            failures.append(f"{key} #{instance_id}: {message}")
        _common(instance, events, fail)
        for element, due, _ in _fired(events):
            fired_due[(instance_id, element, due)] += 1
        figures[f"{key} instances"] += 1
        figures[f"{key} {instance['status']}"] += 1
        if key == "rel_task_loop":
            figures["boundary timers fired"] += check_task_loop(instance, events, stats, fail)
            figures["tasks completed"] += instance["data"].get("count", 0)
        else:
            figures["loop timers fired"] += check_timer_loop(instance, events, fail)
    for instance_id, kind, element in jobs:
        if kind != "timer" or dict(rows).get(instance_id) != "rel_task_loop":
            failures.append(f"job left over: instance {instance_id} {kind} {element}")
    for instance_id, key, element, due in orphaned:
        # A boundary timer is deleted unfired when a client completes its task first.
        times = fired_due[(instance_id, element, due)]
        if times > 1 or (key == "rel_timer_loop" and times != 1):
            failures.append(f"job held by the killed worker ({key} #{instance_id} {element} "
                            f"due {due}) fired {times} times")
    known = {row[0] for row in rows}
    missing = [i for i in stats.started if i not in known]
    if missing:
        failures.append(f"instances answered 201 but missing: {missing[:10]}")
    return failures, figures
