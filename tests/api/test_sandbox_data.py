"""What a step leaves in task data: JSON within TASK_DATA_MAX_BYTES, or an incident; never a 500.

Black box through the API. A script leaving a value that is not JSON fails at its element;
a value that reaches data another way (a decision's output cell) or data grown past the cap
by submissions makes the step roll back, answered 422, with the instance in error and an
incident naming the limit and the element.
"""

from datetime import timedelta

import pytest
from sandbox_corpus import decision, deploy, diagram, rule_task, script_then_task
from support import ApiClient

from service import clock

CAP = 4000


def two_tasks(key: str) -> str:
    body = '<bpmn:userTask id="first"/><bpmn:userTask id="second"/><bpmn:userTask id="third"/>'
    return diagram(key, body, [("start", "first"), ("first", "second"), ("second", "third"),
                                ("third", "end")])


def open_task(instance: dict, bpmn_id: str) -> dict:
    return next(t for t in instance["tasks"] if t["bpmn_id"] == bpmn_id
                and t["status"] in ("ready", "claimed"))


@pytest.fixture
def small(seeded_app):
    """Owner, advisor and admin clients of an app whose task data is capped at CAP bytes."""
    client = seeded_app(TASK_DATA_MAX_BYTES=CAP).test_client()
    return {name: ApiClient(client, name) for name in ("owner", "sh.advisor", "admin")}


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("x = {1, 2}", "a set in 'x'"),
        ("x = Decimal('1.5')", "a Decimal in 'x'"),
        ("x = (n for n in [1, 2])", "a generator in 'x'"),
        ("x = re.compile('[a-z]+')", "a Pattern in 'x'"),
        ("x = ValueError('not data')", "a ValueError in 'x'"),
        ("x = []\nfor i in range(100):\n    x = [x]", "nested more than 64 levels deep in 'x'"),
    ],
)
def test_a_script_leaving_what_is_not_json_is_an_incident_naming_the_element(
        owner, advisor, admin, script, words):
    deploy(owner, "leaves_odd.bpmn", script_then_task("leaves_odd", script))
    started = advisor.post("/api/v1/instances", json={"process": "leaves_odd",
                                                      "data": {"kept": "as it was"}})
    assert started.status_code == 201, started.get_data(as_text=True)
    instance = advisor.instance(started.json["id"])
    assert instance["status"] == "error"
    (incident,) = instance["incidents"]
    assert incident["element_id"] == "place"
    assert words in incident["message"] and "task data must be JSON" in incident["message"]
    assert instance["data"] == {"kept": "as it was"}  # the script changed nothing
    assert not [t for t in instance["tasks"] if t["bpmn_id"] == "after"]
    # retrying runs the same script again: the same incident, still no 500
    retried = admin.post(f"/api/v1/instances/{instance['id']}/retry", json={})
    assert retried.status_code == 200, retried.get_data(as_text=True)
    again = advisor.instance(instance["id"])
    assert again["status"] == "error" and words in again["incidents"][0]["message"]


def test_submitted_data_over_the_cap_is_refused_and_changes_nothing(small):
    owner, advisor = small["owner"], small["sh.advisor"]
    deploy(owner, "three_steps.bpmn", two_tasks("three_steps"))
    started = advisor.post("/api/v1/instances",
                           json={"process": "three_steps", "data": {"blob": "x" * CAP}})
    assert started.status_code == 422
    assert "TASK_DATA_MAX_BYTES" in started.json["message"]
    assert advisor.get("/api/v1/instances").json["total"] == 0
    instance = advisor.start("three_steps")
    task = open_task(instance, "first")
    answer = advisor.post(f"/api/v1/tasks/{task['id']}/complete",
                          json={"data": {"note": "y" * CAP}})
    assert answer.status_code == 422 and "TASK_DATA_MAX_BYTES" in answer.json["message"]
    after = advisor.instance(instance["id"])
    assert after["status"] == "running" and open_task(after, "first")["id"] == task["id"]


def test_data_grown_past_the_cap_rolls_the_step_back_into_an_incident(small):
    owner, advisor = small["owner"], small["sh.advisor"]
    deploy(owner, "three_steps.bpmn", two_tasks("three_steps"))
    instance = advisor.start("three_steps")
    advisor.complete(open_task(instance, "first")["id"], {"a": "x" * (CAP // 2)})
    second = open_task(advisor.instance(instance["id"]), "second")
    answer = advisor.post(f"/api/v1/tasks/{second['id']}/complete",
                          json={"data": {"b": "y" * (CAP // 2)}})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.json["code"] == "step_refused"
    assert answer.json["details"] == {"element_id": "second", "limit": "data"}
    after = advisor.instance(instance["id"])
    assert after["status"] == "error"
    (incident,) = after["incidents"]
    assert incident["element_id"] == "second"
    assert f"over the {CAP:,} byte limit (TASK_DATA_MAX_BYTES)" in incident["message"]
    assert set(after["data"]) == {"a"}  # the refused step wrote nothing
    assert open_task(after, "second")["id"] == second["id"]


def decimal_decision(owner, key: str, before: str) -> None:
    """Deploy a decision whose output cell is a Decimal, called after `before`."""
    deploy(owner, f"{key}_table.dmn", decision(key, "1", "Decimal('1.5')"))
    text = rule_task(key).replace('<bpmn:businessRuleTask', before + '<bpmn:businessRuleTask')
    text = text.replace('sourceRef="start" targetRef="place"',
                              'sourceRef="start" targetRef="wait"')
    text = text.replace("</bpmn:process>", '<bpmn:sequenceFlow id="fw" sourceRef="wait" '
                              'targetRef="place"/></bpmn:process>')
    deploy(owner, f"{key}.bpmn", text)


def test_a_decision_leaving_a_decimal_is_refused_and_named(owner, advisor):
    decimal_decision(owner, "decides_decimal", '<bpmn:userTask id="wait"/>')
    instance = advisor.start("decides_decimal")
    task = open_task(instance, "wait")
    answer = advisor.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.json["details"]["limit"] == "json"
    after = advisor.instance(instance["id"])
    assert after["status"] == "error"
    (incident,) = after["incidents"]
    assert incident["element_id"] == "place"
    assert "a Decimal in 'outcome'" in incident["message"]
    assert open_task(after, "wait")["id"] == task["id"]


def test_the_worker_turns_a_refused_step_into_an_incident(owner, advisor, run_worker):
    timer = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t1">'
             '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1M"</bpmn:timeDuration>'
             '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    decimal_decision(owner, "timed_decimal", timer)
    instance = advisor.start("timed_decimal")
    assert instance["status"] == "waiting"
    clock.advance(timedelta(minutes=2))
    run_worker()  # would raise if the refusal escaped the job
    after = advisor.instance(instance["id"])
    assert after["status"] == "error"
    assert "a Decimal in 'outcome'" in after["incidents"][0]["message"]
