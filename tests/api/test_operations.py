"""Incidents and retry; suspend, resume, terminate; migrate; restarting between steps."""

from datetime import timedelta

from service import clock


def ids(tasks):
    return sorted(t["bpmn_id"] for t in tasks)


def test_failing_script_raises_an_incident_and_retry_completes(owner, advisor, admin):
    owner.deploy("failing_script.bpmn")
    started = advisor.start("failing_script")
    advisor.complete(advisor.task_named("task_input")["id"], {"divisor": 0})
    instance = advisor.instance(started["id"])
    assert instance["status"] == "error"
    [incident] = instance["incidents"]
    assert incident["element_id"] == "script_divide"
    assert "ZeroDivisionError" in incident["message"] and incident["line"] == 1
    assert advisor.post(f"/api/v1/instances/{started['id']}/retry").status_code == 403
    retried = admin.post(f"/api/v1/instances/{started['id']}/retry",
                         json={"data": {"divisor": 4}})
    assert retried.status_code == 200, retried.json
    assert retried.json["status"] == "running" and retried.json["incidents"] == []
    assert retried.json["data"]["ratio"] == 25.0
    advisor.complete(advisor.task_named("task_after")["id"])
    assert advisor.instance(started["id"])["status"] == "completed"
    actions = [(e["action"], e["actor"]) for e in admin.get(
        f"/api/v1/instances/{started['id']}/events").json]
    assert ("incident", "sh.advisor") in actions and ("instance_retried", "admin") in actions


def test_worker_retries_with_back_off(owner, advisor, admin, run_worker):
    owner.deploy("failing_script.bpmn")
    started = advisor.start("failing_script")
    advisor.complete(advisor.task_named("task_input")["id"], {"divisor": 0})
    clock.advance(timedelta(seconds=61))
    assert run_worker() == 1  # first automatic retry: still failing
    instance = advisor.instance(started["id"])
    assert instance["status"] == "error" and len(instance["incidents"]) == 1
    retries = [e for e in admin.get(f"/api/v1/instances/{started['id']}/events").json
               if e["action"] == "instance_retried"]
    assert [(e["actor"], e["details"]["attempt"]) for e in retries] == [("worker", 1)]


def test_endless_script_is_stopped_and_not_retried(owner, advisor, run_worker):
    owner.deploy("endless_script.bpmn")
    started = advisor.start("endless_script")
    assert started["status"] == "error"
    assert "time limit" in started["incidents"][0]["message"]
    clock.advance(timedelta(days=1))
    assert run_worker() == 0


def test_suspend_blocks_work_until_resumed(owner, advisor, admin, run_worker):
    owner.deploy("boundary_timers.bpmn")
    started = advisor.start("boundary_timers")
    url = f"/api/v1/instances/{started['id']}"
    assert advisor.post(f"{url}/suspend").status_code == 403
    assert admin.post(f"{url}/suspend").json["status"] == "suspended"
    assert admin.post(f"{url}/suspend").status_code == 409
    task = advisor.task_named("task_work")
    assert advisor.post(f"/api/v1/tasks/{task['id']}/complete",
                        json={"data": {}}).status_code == 409
    clock.advance(timedelta(days=2))
    assert run_worker() == 0  # timers wait while suspended
    resumed = admin.post(f"{url}/resume").json
    assert resumed["status"] == "running"
    assert ids(advisor.tasks()) == ["task_remind", "task_work"]  # the due reminder fired


def test_terminate_cancels_tasks_and_jobs(owner, advisor, admin, run_worker):
    owner.deploy("boundary_timers.bpmn")
    started = advisor.start("boundary_timers")
    url = f"/api/v1/instances/{started['id']}"
    terminated = admin.post(f"{url}/terminate", json={"reason": "client withdrew"}).json
    assert terminated["status"] == "terminated" and terminated["ended_at"]
    assert {t["status"] for t in terminated["tasks"]} == {"cancelled"}
    assert advisor.tasks() == []
    clock.advance(timedelta(days=10))
    assert run_worker() == 0
    assert admin.post(f"{url}/resume").status_code == 409
    events = admin.get(f"{url}/events").json
    assert events[-1]["action"] == "instance_terminated"
    assert events[-1]["details"]["reason"] == "client withdrew"


def test_migrate_moves_a_compatible_instance(owner, advisor, admin, tmp_path):
    from support import PROCESSES

    owner.deploy("simple_task.bpmn")
    started = advisor.start("simple_task")
    path = tmp_path / "simple_task.bpmn"
    path.write_text((PROCESSES / "simple_task.bpmn").read_text().replace(
        'name="Fill in', 'name="Fill in (v2)'))
    with open(path, "rb") as handle:
        owner.post("/api/v1/processes", data={"file": (handle, "simple_task.bpmn")},
                   content_type="multipart/form-data")
    migrated = admin.post(f"/api/v1/instances/{started['id']}/migrate", json={})
    assert migrated.status_code == 200 and migrated.json["version"] == 2
    task = advisor.task_named("task_fill")
    advisor.complete(task["id"], {"title": "t", "amount": 1})
    assert advisor.instance(started["id"])["status"] == "completed"


def test_migrate_refuses_when_active_elements_disappear(owner, advisor, admin, tmp_path):
    from support import PROCESSES

    owner.deploy("simple_task.bpmn")
    started = advisor.start("simple_task")
    path = tmp_path / "simple_task.bpmn"
    path.write_text((PROCESSES / "simple_task.bpmn").read_text().replace("task_fill", "task_x"))
    with open(path, "rb") as handle:
        owner.post("/api/v1/processes", data={"file": (handle, "simple_task.bpmn")},
                   content_type="multipart/form-data")
    refused = admin.post(f"/api/v1/instances/{started['id']}/migrate", json={"version": 2})
    assert refused.status_code == 409
    assert "task_fill" in str(refused.json["details"])
    assert advisor.instance(started["id"])["version"] == 1


def test_restarting_the_app_between_steps_changes_nothing(owner, advisor, make_app, app):
    from support import ApiClient

    owner.deploy("exclusive_gateway.bpmn", "message_catch.bpmn")
    first = advisor.start("exclusive_gateway")
    waiting = advisor.start("message_catch", data={"case_id": "R-1"})
    advisor.complete(advisor.task_named("task_submit")["id"])
    for step in range(2):
        restarted = make_app()  # a new process: empty spec cache, new engine
        client = ApiClient(restarted.test_client(), "sh.advisor")
        if step == 0:
            task = client.task_named("task_amount")
            client.complete(task["id"], {"title": "t", "amount": 5})
        else:
            assert client.post("/api/v1/messages", json={
                "name": "certification_result", "correlation_key": "R-1",
                "payload": {"status": "failed"}}).status_code == 200
    client = ApiClient(make_app().test_client(), "sh.advisor")
    assert ids(client.tasks()) == ["task_review", "task_small"]
    for task in client.tasks():
        client.complete(task["id"])
    assert client.instance(first["id"])["status"] == "completed"
    assert client.instance(waiting["id"])["data"]["result"] == {"status": "failed"}
