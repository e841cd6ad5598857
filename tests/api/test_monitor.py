"""The admin monitor's API: incidents, data edits, retry, skip, reset, reassign, scoping."""

from datetime import timedelta

from service import clock


def events(admin, instance_id):
    return [(e["action"], e["actor"]) for e in admin.get(
        f"/api/v1/instances/{instance_id}/events").json]


def failed_instance(owner, advisor):
    owner.deploy("failing_script.bpmn")
    started = advisor.start("failing_script", business_key="FS-1")
    advisor.complete(advisor.task_named("task_input")["id"], {"divisor": 0})
    return started["id"]


def test_incident_shows_on_the_dashboard_then_edit_and_retry_complete(owner, advisor, admin):
    instance_id = failed_instance(owner, advisor)
    board = admin.get("/api/v1/admin/dashboard").json
    assert board["incident_count"] == 1
    [incident] = board["incidents"]
    assert incident["instance_id"] == instance_id and incident["element_id"] == "script_divide"
    assert "ZeroDivisionError" in incident["message"] and incident["line"] == 1
    assert board["totals"]["error"] == 1
    view = admin.get(f"/api/v1/admin/instances/{instance_id}").json
    assert view["elements"]["script_divide"]["failed"] == 1
    assert view["elements"]["task_input"]["completed"] == 1
    assert view["incidents"][0]["resolved_at"] is None
    edited = admin.post(f"/api/v1/admin/instances/{instance_id}/data",
                        json={"data": {"divisor": 4}})
    assert edited.status_code == 200, edited.json
    assert edited.json["status"] == "error" and edited.json["data"]["divisor"] == 4
    edit = [e for e in edited.json["events"] if e["action"] == "instance_data_edited"][-1]
    assert edit["actor"] == "admin"
    assert edit["details"]["changes"] == {"divisor": {"from": 0, "to": 4}}
    retried = admin.post(f"/api/v1/instances/{instance_id}/retry")
    assert retried.status_code == 200 and retried.json["data"]["ratio"] == 25.0
    advisor.complete(advisor.task_named("task_after")["id"])
    assert advisor.instance(instance_id)["status"] == "completed"
    assert admin.get("/api/v1/admin/dashboard").json["incident_count"] == 0
    log = events(admin, instance_id)
    assert ("incident", "sh.advisor") in log
    assert ("instance_data_edited", "admin") in log and ("instance_retried", "admin") in log


def test_bad_data_edits_are_refused_and_change_nothing(owner, advisor, admin):
    instance_id = failed_instance(owner, advisor)
    url = f"/api/v1/admin/instances/{instance_id}/data"
    assert admin.post(url, json={"data": {}}).status_code == 422
    assert admin.post(url, json={"data": "x"}).status_code == 422
    assert admin.post(url, json={"data": {"_secret": 1}}).status_code == 422
    assert admin.post(url, json={"data": {"divisor": 0}}).status_code == 422  # nothing changes
    assert admin.post("/api/v1/admin/instances/999999/data",
                      json={"data": {"a": 1}}).status_code == 404
    assert as_sh_president(admin).post(url, json={"data": {"divisor": 4}}).status_code == 403
    assert admin.get(f"/api/v1/admin/instances/{instance_id}").json["data"]["divisor"] == 0
    assert "instance_data_edited" not in [a for a, _ in events(admin, instance_id)]


def as_sh_president(admin):
    from support import ApiClient
    return ApiClient(admin.client, "sh.president")


def test_skip_a_failed_task_goes_on_without_running_it(owner, advisor, admin, run_worker):
    instance_id = failed_instance(owner, advisor)
    url = f"/api/v1/admin/instances/{instance_id}/skip"
    assert admin.post(url, json={"task_id": "not-a-task"}).status_code == 422
    skipped = admin.post(url, json={})
    assert skipped.status_code == 200, skipped.json
    assert skipped.json["status"] == "running"
    assert "ratio" not in skipped.json["data"]  # the script did not run
    assert [i["resolved_at"] is not None for i in skipped.json["incidents"]] == [True]
    assert skipped.json["elements"]["script_divide"] == {"completed": 1, "active": 0,
                                                         "failed": 0}
    assert [t["bpmn_id"] for t in advisor.tasks()] == ["task_after"]
    clock.advance(timedelta(hours=1))
    assert run_worker() == 0  # the automatic retry went with the incident
    assert admin.post(url, json={}).status_code == 409  # nothing fails any more
    assert ("task_skipped", "admin") in events(admin, instance_id)


def test_reset_offers_an_earlier_task_again(owner, advisor, admin):
    owner.deploy("monitor_flow.bpmn")
    started = advisor.start("monitor_flow")
    advisor.complete(advisor.task_named("task_collect")["id"], {"needs": "ISO 9001"})
    first_plan = advisor.task_named("task_plan")
    view = admin.get(f"/api/v1/admin/instances/{started['id']}").json
    [point] = view["reset_points"]
    assert point["bpmn_id"] == "task_collect"
    url = f"/api/v1/admin/instances/{started['id']}/reset"
    assert admin.post(url, json={"task_id": first_plan["id"]}).status_code == 422  # not finished
    assert advisor.post(url, json={"task_id": point["task_id"]}).status_code == 403
    reset = admin.post(url, json={"task_id": point["task_id"]})
    assert reset.status_code == 200, reset.json
    [offered] = advisor.tasks()
    assert offered["bpmn_id"] == "task_collect" and offered["id"] != point["task_id"]
    statuses = {t["id"]: t["status"] for t in reset.json["tasks"]}
    assert statuses[first_plan["id"]] == "cancelled"
    assert statuses[point["task_id"]] == "completed"  # the history stays
    advisor.complete(offered["id"], {"needs": "ISO 14001"})
    assert advisor.task_named("task_plan")["id"] != first_plan["id"]
    log = events(admin, started["id"])
    assert ("instance_reset", "admin") in log
    assert log.count(("task_created", "admin")) == 1


def test_reassign_a_task_from_the_monitor(owner, advisor, admin):
    owner.deploy("monitor_flow.bpmn")
    started = advisor.start("monitor_flow")
    task = advisor.task_named("task_collect")
    url = f"/api/v1/admin/tasks/{task['id']}/reassign"
    assert admin.post(url, json={"username": "sz.advisor"}).status_code == 422
    assert as_sh_president(admin).post(url, json={"username": "sh.advisor2"}).status_code == 403
    done = admin.post(url, json={"username": "sh.advisor2"})
    assert done.status_code == 200 and done.json["assignee"] == "sh.advisor2"
    assert ("task_assigned", "admin") in events(admin, started["id"])


def test_suspend_resume_terminate_and_retry_in_bulk(owner, advisor, admin):
    owner.deploy("monitor_flow.bpmn")
    ids = [advisor.start("monitor_flow")["id"] for _ in range(3)]
    bulk = "/api/v1/admin/instances/bulk"
    suspended = admin.post(bulk, json={"action": "suspend", "ids": ids}).json
    assert suspended["succeeded"] == 3
    again = admin.post(bulk, json={"action": "suspend", "ids": ids[:1]}).json
    assert again["failed"] == 1 and "suspended" in again["outcomes"][0]["reason"]
    resumed = admin.post(bulk, json={"action": "resume", "filter": {"status": "suspended"}})
    assert resumed.json["succeeded"] == 3
    ended = admin.post(bulk, json={"action": "terminate", "ids": ids[:2],
                                   "reason": "duplicate"}).json
    assert [o["status"] for o in ended["outcomes"]] == ["terminated", "terminated"]
    retried = admin.post(bulk, json={"action": "retry", "ids": ids[2:]}).json
    assert retried["failed"] == 1  # nothing failed there
    assert admin.post(bulk, json={"action": "explode", "ids": ids}).status_code == 422
    assert admin.post(bulk, json={"action": "suspend"}).status_code == 422
    assert advisor.post(bulk, json={"action": "suspend", "ids": ids}).status_code == 403
    log = events(admin, ids[0])
    assert ("instance_suspended", "admin") in log and ("instance_terminated", "admin") in log


def test_bulk_retry_completes_fixed_instances(owner, advisor, admin):
    first, second = failed_instance(owner, advisor), None
    started = advisor.start("failing_script")
    advisor.complete(advisor.task_named("task_input")["id"], {"divisor": 0})
    second = started["id"]
    for instance_id in (first, second):
        admin.post(f"/api/v1/admin/instances/{instance_id}/data", json={"data": {"divisor": 5}})
    result = admin.post("/api/v1/admin/instances/bulk",
                        json={"action": "retry", "filter": {"has_incident": True}}).json
    assert result["succeeded"] == 2 and {o["status"] for o in result["outcomes"]} == {"running"}
