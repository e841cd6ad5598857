"""Routing tasks by lane to role and center; lane_owners; claim, unclaim, assign."""

import pytest


@pytest.fixture
def two_lanes(owner):
    owner.deploy("two_lanes.bpmn")


def ids(tasks):
    return [t["bpmn_id"] for t in tasks]


def test_lane_routes_to_role_in_the_instance_center(two_lanes, advisor, as_user):
    started = advisor.start("two_lanes")
    assert ids(advisor.tasks()) == ["task_request"]
    assert ids(as_user("sh.advisor2").tasks()) == ["task_request"]
    assert as_user("sz.advisor").tasks() == []
    assert as_user("sh.president").tasks() == []
    advisor.complete(advisor.task_named("task_request")["id"])
    assert ids(as_user("sh.president").tasks()) == ["task_approve"]
    assert as_user("sz.president").tasks() == []
    assert advisor.instance(started["id"])["tasks"][1]["role"] == "city_president"


def test_national_lane_goes_to_the_national_center(owner, as_user):
    owner.deploy("parallel_gateway.bpmn")
    # city_management task in parallel_gateway routes to the sh center of the starter
    sh_mgmt = as_user("sh.management")
    as_user("sh.advisor").start("parallel_gateway")
    assert ids(sh_mgmt.tasks()) == ["task_b"]
    assert as_user("sz.management").tasks() == []


def test_lane_owners_restrict_the_task_to_named_users(two_lanes, advisor, as_user):
    advisor.start("two_lanes", data={"lane_owners": {"advisor": ["sh.advisor2"]}})
    assert advisor.tasks() == []
    other = as_user("sh.advisor2")
    task = other.task_named("task_request")
    refused = advisor.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert refused.status_code in (403, 404)
    other.complete(task["id"])


def test_claim_unclaim_and_assign(two_lanes, advisor, as_user):
    advisor.start("two_lanes")
    task = advisor.task_named("task_request")
    claimed = advisor.post(f"/api/v1/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.json["assignee"] == "sh.advisor"
    assert ids(advisor.tasks("mine")) == ["task_request"]
    other = as_user("sh.advisor2")
    assert other.tasks() == []  # no longer offered once claimed
    assert other.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 409
    assert other.post(f"/api/v1/tasks/{task['id']}/complete",
                      json={"data": {}}).status_code == 403
    assert advisor.post(f"/api/v1/tasks/{task['id']}/unclaim").json["status"] == "ready"
    assert ids(other.tasks()) == ["task_request"]
    # advisors may not assign; the city president may, to a user the task is offered to
    assert advisor.post(f"/api/v1/tasks/{task['id']}/assign",
                        json={"username": "sh.advisor2"}).status_code == 403
    president = as_user("sh.president")
    wrong = president.post(f"/api/v1/tasks/{task['id']}/assign", json={"username": "sz.advisor"})
    assert wrong.status_code == 422
    assigned = president.post(f"/api/v1/tasks/{task['id']}/assign",
                              json={"username": "sh.advisor2"})
    assert assigned.status_code == 200 and assigned.json["assignee"] == "sh.advisor2"
    other.complete(task["id"])
    events = [e["action"] for e in advisor.get(
        f"/api/v1/instances/{task['instance_id']}/events").json]
    assert events[:2] == ["instance_started", "task_created"]
    ownership = ("task_claimed", "task_unclaimed", "task_assigned", "task_completed")
    assert [e for e in events if e in ownership] == list(ownership)
    actors = {e["action"]: e["actor"] for e in advisor.get(
        f"/api/v1/instances/{task['instance_id']}/events").json}
    assert actors["task_assigned"] == "sh.president"
    assert actors["task_completed"] == "sh.advisor2"


def test_task_without_lane_goes_to_the_starter(owner, advisor, as_user, tmp_path):
    plain = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" targetNamespace="x">
  <bpmn:process id="plain" isExecutable="true">
    <bpmn:startEvent id="s">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="startableBy" value="advisor" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="task_plain" name="Plain">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="task_plain"/>
    <bpmn:sequenceFlow id="f2" sourceRef="task_plain" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""
    path = tmp_path / "plain.bpmn"
    path.write_text(plain)
    with open(path, "rb") as handle:
        assert owner.post("/api/v1/processes", data={"file": (handle, "plain.bpmn")},
                          content_type="multipart/form-data").status_code == 201
    advisor.start("plain")
    task = advisor.task_named("task_plain")
    assert as_user("sh.advisor2").tasks() == []
    detail = advisor.get(f"/api/v1/tasks/{task['id']}").json
    assert set(detail["form"]["schema"]["properties"]) == {"comment", "done"}
    advisor.complete(task["id"], {"comment": "ok", "done": True})


def test_the_offered_list_pages_and_counts_whatever_the_page(two_lanes, advisor):
    for _ in range(3):
        advisor.start("two_lanes")
    pages = [advisor.get(f"/api/v1/tasks?scope=candidate&status=ready&per_page=2&page={n}").json
             for n in (1, 2, 5)]
    assert [(len(p["items"]), p["total"]) for p in pages] == [(2, 3), (1, 3), (0, 3)]
    ids = [t["id"] for p in pages for t in p["items"]]
    assert len(set(ids)) == 3
