"""Timers fired by the worker after moving the clock; messages correlated by key."""

from datetime import timedelta

from service import clock


def ids(tasks):
    return sorted(t["bpmn_id"] for t in tasks)


def test_non_interrupting_then_interrupting_boundary_timers(owner, advisor, as_user, run_worker):
    owner.deploy("boundary_timers.bpmn")
    started = advisor.start("boundary_timers")
    assert run_worker() == 0  # nothing is due yet
    clock.advance(timedelta(hours=23))
    assert run_worker() == 0
    clock.advance(timedelta(hours=1, minutes=1))
    assert run_worker() == 1
    assert ids(advisor.tasks()) == ["task_remind", "task_work"]  # work continues
    clock.advance(timedelta(days=6))
    assert run_worker() == 1
    assert ids(advisor.tasks()) == ["task_remind"]  # task_work was interrupted
    assert ids(as_user("sh.president").tasks()) == ["task_escalated"]
    tasks = {t["bpmn_id"]: t["status"] for t in advisor.instance(started["id"])["tasks"]}
    assert tasks["task_work"] == "cancelled"
    events = advisor.get(f"/api/v1/instances/{started['id']}/events").json
    fired = [e for e in events if e["action"] == "timer_fired"]
    assert [e["details"]["element_id"] for e in fired] == ["timer_remind", "timer_deadline"]
    assert {e["actor"] for e in fired} == {"worker"}


def test_completing_the_task_cancels_its_timers(owner, advisor, run_worker, app):
    owner.deploy("boundary_timers.bpmn")
    started = advisor.start("boundary_timers")
    advisor.complete(advisor.task_named("task_work")["id"])
    assert advisor.instance(started["id"])["status"] == "completed"
    clock.advance(timedelta(days=30))
    assert run_worker() == 0


def test_intermediate_duration_timer_waits_then_continues(owner, advisor, run_worker):
    owner.deploy("timers.bpmn")
    started = advisor.start("timers")
    assert advisor.instance(started["id"])["status"] == "waiting"
    clock.advance(timedelta(minutes=61))
    assert run_worker() == 1
    assert advisor.instance(started["id"])["status"] == "running"
    assert ids(advisor.tasks()) == ["task_after_wait"]


def test_date_timer_fires_after_its_date(owner, advisor, run_worker):
    owner.deploy("timer_date.bpmn")
    started = advisor.start("timer_date")
    assert run_worker() == 0
    now = clock.now()
    clock.advance(now.replace(year=2030, month=1, day=1, hour=0, minute=1) - now)
    assert run_worker() == 1
    assert advisor.instance(started["id"])["status"] == "running"


def test_cycle_timer_fires_each_cycle(owner, advisor, run_worker):
    owner.deploy("timer_cycle.bpmn")
    started = advisor.start("timer_cycle")
    clock.advance(timedelta(minutes=61))
    assert run_worker() == 1
    clock.advance(timedelta(minutes=60))
    assert run_worker() == 1
    clock.advance(timedelta(hours=5))
    assert run_worker() == 0  # R2: two cycles only
    events = advisor.get(f"/api/v1/instances/{started['id']}/events").json
    assert len([e for e in events if e["action"] == "timer_fired"]) == 2


def test_message_is_correlated_by_key(owner, advisor):
    owner.deploy("message_catch.bpmn")
    first = advisor.start("message_catch", data={"case_id": "C-1"})
    second = advisor.start("message_catch", data={"case_id": "C-2"})
    for task in advisor.tasks():
        advisor.complete(task["id"])
    assert advisor.instance(first["id"])["status"] == "waiting"
    response = advisor.post("/api/v1/messages", json={
        "name": "certification_result", "correlation_key": "C-2",
        "payload": {"status": "passed"}})
    assert response.status_code == 200
    assert [i["id"] for i in response.json["instances"]] == [second["id"]]
    assert advisor.instance(second["id"])["data"]["result"] == {"status": "passed"}
    assert advisor.instance(first["id"])["status"] == "waiting"
    review = advisor.task_named("task_review")
    assert review["instance_id"] == second["id"]


def test_message_without_a_waiting_instance_is_404(owner, advisor):
    owner.deploy("message_catch.bpmn")
    response = advisor.post("/api/v1/messages", json={
        "name": "certification_result", "correlation_key": "nobody", "payload": {}})
    assert response.status_code == 404 and response.json["code"] == "not_found"


def test_message_start_event_starts_an_instance(owner, as_user):
    owner.deploy("message_start.bpmn")
    management = as_user("sh.management")
    response = management.post("/api/v1/messages", json={
        "name": "client_inquiry", "correlation_key": "Q-7", "payload": {"company": "ACME"}})
    assert response.status_code == 200
    instance = management.instance(response.json["instances"][0]["id"])
    assert instance["business_key"] == "Q-7"
    assert instance["data"]["inquiry"] == {"company": "ACME"}
    assert ids(management.tasks()) == ["task_assign"]
