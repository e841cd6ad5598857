"""Deactivating a user or suspending a center never strands work."""

import pytest
from support import PASSWORD


@pytest.fixture
def claimed(owner, advisor):
    """sh.advisor starts two_lanes and claims its first task."""
    owner.deploy("two_lanes.bpmn")
    started = advisor.start("two_lanes")
    task = advisor.task_named("task_request")
    assert advisor.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    return started["id"], task["id"]


def test_deactivating_hands_claimed_tasks_to_the_named_colleague(claimed, advisor, admin,
                                                                 as_user, client):
    instance_id, task_id = claimed
    response = as_user("sh.president").post("/api/v1/org/users/sh.advisor/deactivate",
                                            json={"tasks_to": "sh.advisor2"})
    assert response.status_code == 200, response.json
    summary = response.json["details"]
    assert summary["tasks_to"] == "sh.advisor2"
    assert [t["id"] for t in summary["to_colleague"]] == [task_id]
    assert summary["to_group"] == []
    colleague = as_user("sh.advisor2")
    assert [t["id"] for t in colleague.tasks("mine")] == [task_id]
    colleague.complete(task_id)
    # The instance's log and the organisation's log both show it.
    log = admin.get(f"/api/v1/instances/{instance_id}/events").json
    moved = [e for e in log if e["action"] == "task_handed_over"]
    assert moved and moved[0]["details"]["to"] == "sh.advisor2"
    org_log = admin.get("/api/v1/org/events").json["items"]
    assert org_log[0]["action"] == "user_deactivated"
    assert org_log[0]["actor"] == "sh.president"
    # The user is out: their token is refused at once and they cannot sign in.
    assert advisor.get("/api/v1/tasks").status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "sh.advisor",
                                                   "password": PASSWORD}).status_code == 401


def test_without_a_colleague_claimed_tasks_go_back_to_the_group(claimed, as_user):
    _, task_id = claimed
    response = as_user("sh.president").post("/api/v1/org/users/sh.advisor/deactivate",
                                            json={})
    assert [t["id"] for t in response.json["details"]["to_group"]] == [task_id]
    assert [t["id"] for t in as_user("sh.advisor2").tasks("candidate")] == [task_id]


def test_a_task_restricted_to_the_leaver_is_opened_to_the_lane_group(owner, advisor, as_user):
    owner.deploy("two_lanes.bpmn")
    advisor.start("two_lanes", data={"lane_owners": {"advisor": ["sh.advisor"]}})
    other = as_user("sh.advisor2")
    assert other.tasks() == []
    as_user("sh.president").post("/api/v1/org/users/sh.advisor/deactivate", json={})
    assert [t["bpmn_id"] for t in other.tasks()] == ["task_request"]


def test_the_colleague_must_be_active_in_the_same_center(claimed, as_user, admin):
    president = as_user("sh.president")
    for colleague in ("sz.advisor", "sh.advisor", "nobody"):
        response = president.post("/api/v1/org/users/sh.advisor/deactivate",
                                  json={"tasks_to": colleague})
        assert response.status_code == 422, response.json
    assert admin.get("/api/v1/org/users/sh.advisor").json["active"] is True
    assert [t["assignee"] for t in as_user("sh.advisor").tasks("mine")] == ["sh.advisor"]


def test_a_city_president_cannot_deactivate_another_center_or_themselves(as_user):
    president = as_user("sh.president")
    assert president.post("/api/v1/org/users/sz.advisor/deactivate",
                          json={}).status_code == 404
    assert president.post("/api/v1/org/users/sh.president/deactivate",
                          json={}).status_code == 403
    admin = as_user("admin")
    assert admin.post("/api/v1/org/users/admin/deactivate", json={}).status_code == 409
    assert admin.get("/api/v1/org/users/admin").json["active"] is True


def test_reactivated_users_sign_in_again_with_new_tokens(claimed, as_user, client):
    president = as_user("sh.president")
    president.post("/api/v1/org/users/sh.advisor/deactivate", json={})
    assert president.post("/api/v1/org/users/sh.advisor/activate").json["active"] is True
    token = client.post("/api/v1/auth/token", json={"username": "sh.advisor",
                                                    "password": PASSWORD})
    assert token.status_code == 200


def test_suspended_center_users_cannot_sign_in_and_its_tasks_stay_visible(
        claimed, advisor, as_user, client):
    instance_id, task_id = claimed
    national = as_user("nat.management")
    response = national.post("/api/v1/org/centers/sh/status", json={"status": "suspended"})
    assert response.status_code == 200, response.json
    assert [t["id"] for t in response.json["details"]["to_group"]] == [task_id]
    # Nobody of sh can sign in; tokens already issued are refused at once.
    for username in ("sh.president", "sh.advisor2"):
        refused = client.post("/api/v1/auth/token", json={"username": username,
                                                          "password": PASSWORD})
        assert refused.status_code == 401
    assert advisor.get("/api/v1/tasks").status_code == 401
    # The national center still sees the center's open work.
    tasks = national.get("/api/v1/org/centers/sh/tasks").json
    assert [(t["id"], t["status"]) for t in tasks] == [(task_id, "ready")]
    detail = as_user("nat.president").get(f"/api/v1/instances/{instance_id}").json
    assert [t["status"] for t in detail["tasks"]] == ["ready"]
    # Reopened, the center works again.
    national.post("/api/v1/org/centers/sh/status", json={"status": "active"})
    assert client.post("/api/v1/auth/token", json={"username": "sh.advisor2",
                                                   "password": PASSWORD}).status_code == 200
