"""Center isolation: nobody in sz sees or touches sh's instances, tasks or messages."""

import json
import uuid

import pytest

BK_TASK = "SH-SECRET-BK-TWO-LANES"
BK_WAIT = "SH-SECRET-BK-MESSAGE"
CASE_TASK = "SH-CASE-4711"
CASE_WAIT = "SH-CASE-4712"
NOTE = "sh-private-note-8c1e"
MISSING_INSTANCE = 987654321
OUTSIDERS = ["sz.advisor", "sz.president"]


@pytest.fixture
def sh_world(owner, as_user):
    """Objects of center sh: a ready task, a claimed task, an instance waiting for a message."""
    owner.deploy("two_lanes.bpmn", "message_catch.bpmn")
    advisor = as_user("sh.advisor")
    open_one = advisor.start("two_lanes", data={"case_id": CASE_TASK, "note": NOTE},
                             business_key=BK_TASK)
    ready = next(t for t in advisor.instance(open_one["id"])["tasks"] if t["status"] == "ready")
    claimed_one = advisor.start("two_lanes", data={"case_id": CASE_TASK, "note": NOTE})
    claimed = next(t for t in advisor.instance(claimed_one["id"])["tasks"])
    assert advisor.post(f"/api/v1/tasks/{claimed['id']}/claim").status_code == 200
    waiting = advisor.start("message_catch", data={"case_id": CASE_WAIT}, business_key=BK_WAIT)
    submit = next(t for t in advisor.instance(waiting["id"])["tasks"])
    advisor.complete(submit["id"])
    assert advisor.instance(waiting["id"])["status"] == "waiting"
    world = {
        "instances": [open_one["id"], claimed_one["id"], waiting["id"]],
        "tasks": [ready["id"], claimed["id"], submit["id"]],
    }
    world["secrets"] = [BK_TASK, BK_WAIT, CASE_TASK, CASE_WAIT, NOTE, *world["tasks"],
                        '"Request"', "Submit for certification", "Review result"]
    return world


def _snapshot(api, world) -> list:
    """What sh.advisor sees of its objects: instances (status, data, tasks) and event logs."""
    views = []
    for instance_id in world["instances"]:
        views.append(api.instance(instance_id))
        views.append(api.get(f"/api/v1/instances/{instance_id}/events").json)
    return views


def _calls(world, instance_id, task_id):
    """Every API call an outsider could aim at one sh instance and one sh task."""
    message = {"name": "certification_result", "correlation_key": CASE_WAIT,
               "payload": {"passed": True}}
    return [
        ("get", f"/api/v1/instances/{instance_id}", None),
        ("get", f"/api/v1/instances/{instance_id}/events", None),
        ("post", f"/api/v1/instances/{instance_id}/suspend", None),
        ("post", f"/api/v1/instances/{instance_id}/resume", None),
        ("post", f"/api/v1/instances/{instance_id}/terminate", {"reason": "x"}),
        ("post", f"/api/v1/instances/{instance_id}/retry", {"data": {}}),
        ("post", f"/api/v1/instances/{instance_id}/migrate", {}),
        ("get", f"/api/v1/tasks/{task_id}", None),
        ("post", f"/api/v1/tasks/{task_id}/claim", None),
        ("post", f"/api/v1/tasks/{task_id}/unclaim", None),
        ("post", f"/api/v1/tasks/{task_id}/assign", {"username": "sh.advisor2"}),
        ("post", f"/api/v1/tasks/{task_id}/assign", {"username": "sz.advisor"}),
        ("post", f"/api/v1/tasks/{task_id}/complete", {"data": {"comment": "x"}}),
        ("post", "/api/v1/messages", message),
        ("post", "/api/v1/messages", {**message, "correlation_key": BK_WAIT}),
    ]


def _call(api, method, url, body):
    if method == "get":
        return api.get(url)
    return api.post(url, json=body if body is not None else {})


def _assert_no_secret(world, response, allowed=()):
    text = response.get_data(as_text=True)
    for secret in world["secrets"]:
        if secret not in allowed:
            assert secret not in text, (secret, response.request.path, text)


@pytest.mark.parametrize("username", OUTSIDERS)
def test_lists_show_nothing_of_another_center(as_user, sh_world, username):
    api = as_user(username)
    urls = ["/api/v1/instances", "/api/v1/instances?process=two_lanes",
            "/api/v1/instances?process=message_catch", "/api/v1/instances?status=waiting",
            "/api/v1/instances?status=running"]
    urls += [f"/api/v1/tasks?scope={scope}" + (f"&status={status}" if status else "")
             for scope in ("all", "mine", "candidate")
             for status in (None, "ready", "claimed", "completed")]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, (url, response.json)
        assert response.json["items"] == [] and response.json["total"] == 0, (url, response.json)
        _assert_no_secret(sh_world, response)


@pytest.mark.parametrize("username", OUTSIDERS)
def test_every_call_on_another_centers_objects_is_refused(as_user, sh_world, username):
    owner_view = as_user("sh.advisor")
    before = _snapshot(owner_view, sh_world)
    api = as_user(username)
    for instance_id, task_id in zip(sh_world["instances"], sh_world["tasks"], strict=True):
        for method, url, body in _calls(sh_world, instance_id, task_id):
            response = _call(api, method, url, body)
            assert response.status_code in (403, 404), (url, response.status_code, response.json)
            assert set(response.json) == {"code", "message", "details"}, response.json
            # An error may echo what the caller sent; nothing else of sh may appear.
            sent = url + json.dumps(body)
            _assert_no_secret(sh_world, response,
                              allowed=[s for s in sh_world["secrets"] if s in sent])
    assert _snapshot(owner_view, sh_world) == before
    events = [e for view in before[1::2] for e in view]
    assert not any(e["actor"].startswith("sz.") for e in events)


@pytest.mark.parametrize("username", OUTSIDERS)
def test_refusals_do_not_reveal_that_an_object_exists(as_user, sh_world, username):
    """The answer about an sh object equals the answer about an object that does not exist."""
    api = as_user(username)
    missing_task = str(uuid.uuid4())
    for instance_id, task_id in zip(sh_world["instances"], sh_world["tasks"], strict=True):
        real = _calls(sh_world, instance_id, task_id)
        fake = _calls(sh_world, MISSING_INSTANCE, missing_task)
        for (method, url, body), (_, fake_url, _) in zip(real, fake, strict=True):
            if url == "/api/v1/messages":
                continue
            seen = _call(api, method, url, body)
            unseen = _call(api, method, fake_url, body)
            text = seen.get_data(as_text=True).replace(task_id, "ID").replace(
                str(instance_id), "ID")
            other = unseen.get_data(as_text=True).replace(missing_task, "ID").replace(
                str(MISSING_INSTANCE), "ID")
            assert seen.status_code == unseen.status_code, (url, seen.json, unseen.json)
            assert json.loads(text) == json.loads(other), (url, seen.json, unseen.json)


def test_the_sh_objects_were_reachable_by_their_own_center(as_user, sh_world):
    """Control: the calls refused above work for sh, so the refusals were about the center."""
    advisor = as_user("sh.advisor")
    ready_task = sh_world["tasks"][0]
    detail = advisor.get(f"/api/v1/tasks/{ready_task}")
    assert detail.status_code == 200
    # The task's data survives a save and restore (PostgreSQL's JSONB reorders saved tasks).
    assert detail.json["data"]["case_id"] == CASE_TASK, detail.json["data"]
    delivered = advisor.post("/api/v1/messages", json={
        "name": "certification_result", "correlation_key": CASE_WAIT, "payload": {"ok": 1}})
    assert delivered.status_code == 200, delivered.json
    assert [i["id"] for i in delivered.json["instances"]] == [sh_world["instances"][2]]
    president = as_user("sh.president")
    listed = president.get("/api/v1/instances").json
    assert {i["id"] for i in listed["items"]} == set(sh_world["instances"])


def test_own_center_work_stays_visible_to_its_center_only(as_user, sh_world):
    """sz users still see their own work: an sz instance is listed for sz, not for sh."""
    sz = as_user("sz.advisor")
    mine = sz.start("two_lanes", business_key="SZ-BK-1")
    assert [i["id"] for i in sz.get("/api/v1/instances").json["items"]] == [mine["id"]]
    sh_ids = {i["id"] for i in as_user("sh.advisor").get("/api/v1/instances").json["items"]}
    assert mine["id"] not in sh_ids


def test_lane_owners_restrict_a_task_within_the_center(as_user, owner):
    owner.deploy("two_lanes.bpmn")
    advisor = as_user("sh.advisor")
    other = as_user("sh.advisor2")
    started = advisor.start("two_lanes", data={"lane_owners": {"advisor": ["sh.advisor"]}})
    task = next(t for t in advisor.instance(started["id"])["tasks"])
    assert task["bpmn_id"] == "task_request"
    assert task["id"] not in [t["id"] for t in other.tasks("candidate")]
    assert task["id"] not in [t["id"] for t in other.tasks("all")]
    for url, body in ((f"/api/v1/tasks/{task['id']}/complete", {"data": {"comment": "mine"}}),
                      (f"/api/v1/tasks/{task['id']}/claim", {})):
        response = other.post(url, json=body)
        assert response.status_code in (403, 404), response.json
    assigned = as_user("sh.president").post(f"/api/v1/tasks/{task['id']}/assign",
                                            json={"username": "sh.advisor2"})
    assert assigned.status_code == 422, assigned.json
    detail = advisor.instance(started["id"])
    assert detail["status"] == "running"
    assert [t["status"] for t in detail["tasks"]] == ["ready"]
    # The named owner can.
    assert task["id"] in [t["id"] for t in advisor.tasks("candidate")]
    advisor.complete(task["id"], {"comment": "done"})
    approve = as_user("sh.president").task_named("task_approve")
    assert approve["instance_id"] == started["id"]
