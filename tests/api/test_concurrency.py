"""Two completions of one task at once: exactly one wins, the other gets 409."""

import threading

from psycopg.errors import DeadlockDetected
from sqlalchemy.exc import OperationalError
from support import ApiClient, before_writes


def test_two_completions_of_one_task_at_once(app, owner, advisor):
    owner.deploy("two_lanes.bpmn")
    started = advisor.start("two_lanes")
    task = advisor.task_named("task_request")
    clients = [ApiClient(app.test_client(), "sh.advisor") for _ in range(2)]
    # Both requests read the instance, then meet before either writes: a real race.
    barrier = threading.Barrier(2, timeout=10)
    racing = threading.local()

    def meet(statement):
        if getattr(racing, "on", False):
            racing.on = False
            barrier.wait()

    results = []

    def complete(client):
        racing.on = True
        try:
            response = client.post(f"/api/v1/tasks/{task['id']}/complete",
                                   json={"data": {"comment": threading.current_thread().name}})
            results.append((response.status_code, response.json))
        except Exception as exc:  # surfaces in the assertion below instead of vanishing
            results.append((0, repr(exc)))

    with before_writes(app, meet):
        threads = [threading.Thread(target=complete, args=(c,), name=f"t{i}")
                   for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(code for code, _ in results) == [200, 409], results
    conflict = next(body for code, body in results if code == 409)
    assert conflict["code"] == "conflict"
    instance = advisor.instance(started["id"])
    assert instance["status"] == "running"
    assert [(t["bpmn_id"], t["status"]) for t in instance["tasks"]] == [
        ("task_request", "completed"), ("task_approve", "ready")]
    events = advisor.get(f"/api/v1/instances/{started['id']}/events").json
    assert [e["action"] for e in events].count("task_completed") == 1
    assert [e["action"] for e in events].count("task_created") == 2


def test_a_deadlock_answers_409_and_changes_nothing(app, owner, advisor):
    """PostgreSQL aborts one of two deadlocked transactions: the loser is told to retry."""
    owner.deploy("two_lanes.bpmn")
    started = advisor.start("two_lanes")
    task = advisor.task_named("task_request")
    aborted = []

    def abort_once(statement):
        if not aborted:
            aborted.append(True)
            # what psycopg raises for SQLSTATE 40P01, wrapped as SQLAlchemy wraps it
            raise OperationalError("DELETE FROM job ...", {}, DeadlockDetected("deadlock"))

    with before_writes(app, abort_once):
        response = advisor.post(f"/api/v1/tasks/{task['id']}/complete",
                                json={"data": {"comment": "first"}})
    assert response.status_code == 409 and response.json["code"] == "conflict"
    instance = advisor.instance(started["id"])
    assert [(t["bpmn_id"], t["status"]) for t in instance["tasks"]] == [("task_request", "ready")]
    retried = advisor.post(f"/api/v1/tasks/{task['id']}/complete",
                           json={"data": {"comment": "again"}})
    assert retried.status_code == 200
