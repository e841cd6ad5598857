"""Gateways, scripts, decisions, call activities and multi-instance tasks through the API."""

import pytest


def ids(tasks):
    return sorted(t["bpmn_id"] for t in tasks)


@pytest.mark.parametrize(("amount", "route", "user"), [
    (500, "task_big", "sh.president"), (100, "task_small", "sh.advisor")])
def test_exclusive_gateway_routes_by_condition(owner, advisor, as_user, amount, route, user):
    owner.deploy("exclusive_gateway.bpmn")
    advisor.start("exclusive_gateway")
    advisor.complete(advisor.task_named("task_amount")["id"], {"title": "x", "amount": amount})
    assert ids(as_user(user).tasks()) == [route]


def test_parallel_gateway_offers_both_branches_then_joins(owner, advisor, as_user):
    owner.deploy("parallel_gateway.bpmn")
    started = advisor.start("parallel_gateway")
    management = as_user("sh.management")
    assert ids(advisor.tasks()) == ["task_a"] and ids(management.tasks()) == ["task_b"]
    advisor.complete(advisor.task_named("task_a")["id"], {"comment": "a"})
    assert advisor.tasks() == []
    management.complete(management.task_named("task_b")["id"], {"comment": "b"})
    assert ids(advisor.tasks()) == ["task_after"]
    advisor.complete(advisor.task_named("task_after")["id"])
    assert advisor.instance(started["id"])["status"] == "completed"


@pytest.mark.parametrize(("want_a", "want_b", "expected"), [
    (True, True, ["task_a", "task_b"]), (True, False, ["task_a"]),
    (False, True, ["task_b"]), (False, False, ["task_none"])])
def test_inclusive_gateway_takes_every_true_branch(owner, advisor, want_a, want_b, expected):
    owner.deploy("inclusive_gateway.bpmn")
    started = advisor.start("inclusive_gateway")
    advisor.complete(advisor.task_named("task_choose")["id"],
                     {"want_a": want_a, "want_b": want_b})
    instance = advisor.instance(started["id"])
    open_tasks = sorted(t["bpmn_id"] for t in instance["tasks"] if t["status"] == "ready")
    assert open_tasks == expected


def test_script_task_computes_in_the_sandbox(owner, advisor):
    owner.deploy("script_task.bpmn")
    started = advisor.start("script_task")
    advisor.complete(advisor.task_named("task_input")["id"], {"price": 2.5, "qty": 4})
    assert advisor.instance(started["id"])["data"]["total"] == 10.0


@pytest.mark.parametrize(("amount", "risk"), [(999, "low"), (1000, "high")])
def test_business_rule_task_evaluates_the_decision_table(owner, advisor, amount, risk):
    owner.deploy("risk.dmn", "business_rule.bpmn")
    started = advisor.start("business_rule")
    advisor.complete(advisor.task_named("task_amount")["id"], {"title": "t", "amount": amount})
    assert advisor.instance(started["id"])["data"]["risk"] == risk


def test_call_activity_runs_the_child_with_its_own_lanes(owner, advisor, as_user):
    owner.deploy("child_process.bpmn", "call_activity.bpmn")
    started = advisor.start("call_activity")
    advisor.complete(advisor.task_named("task_parent")["id"], {"comment": "go"})
    management = as_user("sh.management")
    child = management.task_named("task_child")
    assert child["process"] == "child_process" and child["instance_id"] == started["id"]
    management.complete(child["id"], {"comment": "child done"})
    advisor.complete(advisor.task_named("task_parent_after")["id"])
    assert advisor.instance(started["id"])["status"] == "completed"


def test_parallel_multi_instance_offers_each_row_to_its_owner(owner, advisor, as_user):
    owner.deploy("multi_instance.bpmn")
    started = advisor.start("multi_instance")
    rows = [{"name": "training", "owner": "sh.advisor"},
            {"name": "audit", "owner": "sh.advisor2"}]
    advisor.complete(advisor.task_named("task_plan")["id"], {"items": rows})
    mine = advisor.tasks("mine")
    other = as_user("sh.advisor2").tasks("mine")
    assert ids(mine) == ["task_deliver"] and ids(other) == ["task_deliver"]
    assert mine[0]["id"] != other[0]["id"]
    assert as_user("sh.advisor2").get(f"/api/v1/tasks/{mine[0]['id']}").status_code == 404
    advisor.complete(mine[0]["id"], {"comment": "delivered training"})
    assert advisor.instance(started["id"])["status"] == "running"
    as_user("sh.advisor2").complete(other[0]["id"], {"comment": "delivered audit"})
    instance = advisor.instance(started["id"])
    assert instance["status"] == "completed"
    assert [r["comment"] for r in instance["data"]["results"]] == [
        "delivered training", "delivered audit"]
