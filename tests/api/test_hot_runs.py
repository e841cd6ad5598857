"""Runs kept in memory between steps: used only while current, never after a failed step."""

from contextlib import contextmanager

from psycopg.errors import DeadlockDetected
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from support import ApiClient, before_writes

from service.models import db


@contextmanager
def statements(app):
    """Collect the SQL the app runs meanwhile."""
    seen = []
    with app.app_context():
        engine = db.engine

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def instance_reads(seen) -> int:
    """Count the statements reading the instance row or its state."""
    return sum(
        s.startswith("SELECT") and ("instance.lock_version" in s or "instance.state" in s)
        for s in seen
    )


@contextmanager
def restores(app):
    """Count the runs restored from a saved state meanwhile."""
    engine = app.extensions["engine"]
    restored = []

    def restore(bundle, saved):
        restored.append(saved)
        return type(engine).restore(engine, bundle, saved)

    engine.restore = restore
    try:
        yield restored
    finally:
        del engine.restore


def hot(app):
    return app.extensions["engine"].hot


def review(client):
    return client.task_named("task_review")["id"]


def kept_loop(owner, advisor) -> dict:
    """Deploy and start the loop, complete its first review: its run is now kept."""
    owner.deploy("loop.bpmn")
    instance = advisor.start("loop")
    advisor.complete(review(advisor), {"again": True})
    return instance


def test_the_next_step_uses_the_kept_run_without_loading_the_state(app, owner, advisor):
    instance = kept_loop(owner, advisor)
    assert hot(app).has(instance["id"])
    task = review(advisor)
    with statements(app) as seen, restores(app) as restored:
        advisor.complete(task, {"again": True})
    assert instance_reads(seen) == 1 and not restored  # the row came with the task's
    assert not any("instance.state" in s for s in seen)  # and the state stayed in the database
    tasks = advisor.instance(instance["id"])["tasks"]
    assert [t["status"] for t in tasks] == ["completed", "completed", "ready"]


def test_without_the_cache_every_step_loads_the_state_with_the_task(
    make_app, app, owner, advisor
):
    owner.deploy("loop.bpmn")
    cold = make_app(HOT_RUNS=0)
    client = ApiClient(cold.test_client(), "sh.advisor")
    instance = client.start("loop")
    with statements(cold) as seen, restores(cold) as restored:
        client.complete(review(client), {"again": True})
    reads = [s for s in seen if s.startswith("SELECT") and "instance.state" in s]
    assert instance_reads(seen) == 1 and len(reads) == 1 and "FROM task" in reads[0]
    assert len(restored) == 1 and len(hot(cold)) == 0
    client.complete(review(client), {"again": False})
    assert client.instance(instance["id"])["status"] == "completed"


def test_a_change_by_another_process_is_not_overwritten_by_a_kept_run(
    make_app, app, owner, advisor
):
    instance = kept_loop(owner, advisor)
    assert hot(app).has(instance["id"])
    # Another worker (its own app and cache) edits the data: the row's version moves on.
    other = ApiClient(make_app().test_client(), "admin")
    edited = other.post(
        f"/api/v1/admin/instances/{instance['id']}/data",
        json={"data": {"note": "from the other process"}},
    )
    assert edited.status_code == 200, edited.json
    with statements(app) as seen, restores(app) as restored:
        advisor.complete(review(advisor), {"again": False})
    # The kept run was stale: the state was read and restored.
    assert instance_reads(seen) == 2 and len(restored) == 1
    assert restored[0]["data"] == {} and "note" in str(restored[0]["tasks"])
    done = advisor.instance(instance["id"])
    assert done["status"] == "completed"
    assert done["data"]["note"] == "from the other process"


def test_a_step_completed_by_another_process_is_seen(make_app, app, owner, advisor):
    instance = kept_loop(owner, advisor)
    other = ApiClient(make_app().test_client(), "sh.advisor")
    other.complete(review(other), {"again": True})
    # The kept run still has the second review ready; the database has the third.
    advisor.complete(review(advisor), {"again": False})
    tasks = advisor.instance(instance["id"])["tasks"]
    assert [t["status"] for t in tasks] == ["completed"] * 3
    assert advisor.instance(instance["id"])["status"] == "completed"


def test_a_failed_step_drops_the_run_it_changed(app, owner, advisor):
    instance = kept_loop(owner, advisor)
    task = review(advisor)
    failed = []

    def fail_once(statement):
        if not failed:
            failed.append(True)
            raise OperationalError("UPDATE instance ...", {}, DeadlockDetected("deadlock"))

    with before_writes(app, fail_once):
        response = advisor.post(f"/api/v1/tasks/{task}/complete", json={"data": {"again": True}})
    assert response.status_code == 409
    assert not hot(app).has(instance["id"])  # the run completed the task in memory only
    advisor.complete(task, {"again": False})  # a kept run would say the task is not ready
    assert advisor.instance(instance["id"])["status"] == "completed"


def test_a_refused_step_gives_back_the_run_it_did_not_touch(app, owner, advisor):
    owner.deploy("loop.bpmn")
    instance = advisor.start("loop")
    task = review(advisor)
    advisor.complete(task, {}, expect=422)  # "again" is required: refused before the engine
    assert hot(app).has(instance["id"])
    with restores(app) as restored:
        advisor.complete(task, {"again": False})
    assert not restored
    assert advisor.instance(instance["id"])["status"] == "completed"


def test_reading_a_task_keeps_its_run_for_the_completion(app, owner, advisor):
    owner.deploy("loop.bpmn")
    instance = advisor.start("loop")
    task = review(advisor)
    for _ in range(2):  # a hit, then a miss (restored from the state) are both given back
        assert advisor.get(f"/api/v1/tasks/{task}").status_code == 200
        assert hot(app).has(instance["id"])
        hot(app).drop(instance["id"])
    advisor.get(f"/api/v1/tasks/{task}")
    with restores(app) as restored:
        advisor.complete(task, {"again": False})
    assert not restored


def test_the_cache_keeps_at_most_hot_runs_instances(make_app, app, owner):
    owner.deploy("loop.bpmn")
    small = make_app(HOT_RUNS=2)
    client = ApiClient(small.test_client(), "sh.advisor")
    ids = [client.start("loop")["id"] for _ in range(3)]
    assert len(hot(small)) == 2
    assert not hot(small).has(ids[0]) and hot(small).has(ids[1]) and hot(small).has(ids[2])
    last = next(t["id"] for t in client.tasks() if t["instance_id"] == ids[2])
    client.complete(last, {"again": False})  # ends the instance: its run is not kept
    assert len(hot(small)) == 1 and not hot(small).has(ids[2])


def test_a_large_state_is_not_kept(app, owner, advisor):
    owner.deploy("loop.bpmn")
    instance = advisor.start("loop")
    advisor.complete(review(advisor), {"again": True, "note": "x" * 120_000})
    assert not hot(app).has(instance["id"])
    advisor.complete(review(advisor), {"again": False})
    assert advisor.instance(instance["id"])["status"] == "completed"


def test_a_fresh_read_brings_the_state_only_when_the_kept_run_is_stale(
    make_app, app, owner, advisor
):
    from service.usecases import runs

    instance = kept_loop(owner, advisor)
    with app.app_context(), statements(app) as seen, restores(app) as restored:
        loaded = runs.load_instance(instance["id"])  # current: its kept run is claimed
        assert "state" not in loaded.__dict__
        db.session.rollback()  # never handed out, so it goes back
        assert len(seen) == 1 and not restored and hot(app).has(instance["id"])
        db.session.remove()
    other = ApiClient(make_app().test_client(), "sh.advisor")
    other.complete(review(other), {"again": True})
    with app.app_context(), statements(app) as seen, restores(app) as restored:
        run = runs.restore(runs.load_instance(instance["id"]))
        assert len(seen) == 1 and len(restored) == 1  # the state came in the same query
        assert len(run.workflow.get_tasks()) > 0 and not hot(app).has(instance["id"])
        assert [t.bpmn_id for t in run.user_tasks()] == ["task_review"]
        assert run.user_tasks()[0].id == review(advisor)
        db.session.remove()
