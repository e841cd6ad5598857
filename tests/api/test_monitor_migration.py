"""Migration after a dry run: what can safely move to v2 moves, the rest is reported, untouched.

v2 of monitor_flow replaces task_approve with task_review: an instance still before the
approval moves (what it expects next is predicted again from v2); one waiting at task_approve,
or past it, cannot.
"""

from sqlalchemy import select

from service.models import Instance, Task, db


def walk(advisor, instance_id, *steps):
    for bpmn_id in steps:
        task = [t for t in advisor.tasks() if t["instance_id"] == instance_id
                and t["bpmn_id"] == bpmn_id][0]
        advisor.complete(task["id"])


def snapshot(app, ids):
    with app.app_context():
        rows = db.session.scalars(select(Instance).where(Instance.id.in_(ids))).all()
        tasks = db.session.execute(select(Task.instance_id, Task.id, Task.status).where(
            Task.instance_id.in_(ids))).all()
        shot = {r.id: (r.process_version_id, r.lock_version, r.status, r.updated_at)
                for r in rows}
        db.session.remove()
    return shot, sorted(tasks)


def test_bulk_migration_of_fifty_instances(app, owner, advisor, admin, as_user):
    owner.deploy("monitor_flow.bpmn")
    at_collect = [advisor.start("monitor_flow")["id"] for _ in range(25)]
    at_plan = [advisor.start("monitor_flow")["id"] for _ in range(13)]
    at_approve = [advisor.start("monitor_flow")["id"] for _ in range(12)]
    for instance_id in at_plan:
        walk(advisor, instance_id, "task_collect")
    for instance_id in at_approve:
        walk(advisor, instance_id, "task_collect", "task_plan")
    edited = at_collect[0]
    admin.post(f"/api/v1/admin/instances/{edited}/data", json={"data": {"budget": 9000}})
    owner.deploy("v2/monitor_flow.bpmn")
    movable, blocked = at_collect + at_plan, at_approve

    check = admin.post(f"/api/v1/admin/instances/{blocked[0]}/migration-check", json={})
    assert check.status_code == 200
    assert check.json["ok"] is False and check.json["to_version"] == 2
    assert check.json["reasons"] == [
        "task_approve is ready here but absent from the target version"]
    assert admin.post(f"/api/v1/admin/instances/{movable[0]}/migration-check",
                      json={"version": 2}).json == {
        "instance_id": movable[0], "from_version": 1, "to_version": 2, "ok": True,
        "reasons": []}

    bulk = "/api/v1/admin/instances/bulk"
    everything = {"process": "monitor_flow", "version": 1, "status": "running"}
    dry = admin.post(bulk, json={"action": "migrate", "filter": everything, "dry_run": True})
    assert dry.status_code == 200, dry.json
    assert (dry.json["succeeded"], dry.json["failed"]) == (38, 12)
    before = snapshot(app, movable + blocked)
    assert admin.get("/api/v1/admin/instances", query_string={"version": 2}).json["total"] == 0

    moved = admin.post(bulk, json={"action": "migrate", "ids": movable + blocked,
                                   "version": 2}).json
    assert (moved["succeeded"], moved["failed"]) == (38, 12)
    outcomes = {o["instance_id"]: o for o in moved["outcomes"]}
    assert all(outcomes[i]["ok"] and outcomes[i]["status"] == "running" for i in movable)
    for instance_id in blocked:
        assert not outcomes[instance_id]["ok"]
        assert "task_approve" in outcomes[instance_id]["reason"]
    after = snapshot(app, movable + blocked)
    assert {i: after[0][i] for i in blocked} == {i: before[0][i] for i in blocked}
    assert [t for t in after[1] if t[0] in blocked] == [t for t in before[1] if t[0] in blocked]
    assert {admin.instance(i)["version"] for i in movable} == {2}
    # The open tasks of moved instances are the same tasks (same ids), nothing re-offered.
    assert [t for t in after[1] if t[0] in movable] == [t for t in before[1] if t[0] in movable]
    assert admin.instance(edited)["data"]["budget"] == 9000

    # A moved instance follows v2: after the plan comes task_review, then the archive.
    president = as_user("sh.president")
    walk(advisor, at_plan[0], "task_plan")
    review = president.task_named("task_review")
    president.complete(review["id"])
    walk(advisor, at_plan[0], "task_archive")
    assert admin.instance(at_plan[0])["status"] == "completed"
    # A blocked one still runs on v1 as before.
    approve = [t for t in president.tasks() if t["instance_id"] == blocked[0]][0]
    assert approve["bpmn_id"] == "task_approve"
    log = [(e["action"], e["actor"], e["details"]) for e in admin.get(
        f"/api/v1/instances/{movable[1]}/events").json]
    assert ("instance_migrated", "admin", {"from_version": 1, "to_version": 2,
                                           "checked": True}) in log
    assert "instance_migrated" not in [e["action"] for e in admin.get(
        f"/api/v1/instances/{blocked[1]}/events").json]


def test_single_migration_refuses_with_reasons(owner, advisor, admin):
    owner.deploy("monitor_flow.bpmn")
    started = advisor.start("monitor_flow")["id"]
    url = f"/api/v1/admin/instances/{started}/migrate"
    assert admin.post(url, json={}).status_code == 409  # already on the only version
    owner.deploy("v2/monitor_flow.bpmn")
    assert admin.post(url, json={"version": 7}).status_code == 404
    assert advisor.post(url, json={}).status_code == 403
    walk(advisor, started, "task_collect", "task_plan")
    refused = admin.post(url, json={})
    assert refused.status_code == 409
    assert refused.json["details"]["reasons"] == [
        "task_approve is ready here but absent from the target version"]
    assert admin.instance(started)["version"] == 1
