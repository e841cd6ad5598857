"""Deploying processes: versions, dedupe, listing, XML."""

from pathlib import Path

from support import PROCESSES


def test_deploy_creates_version_one_and_lists_it(owner, advisor):
    response = owner.deploy("simple_task.bpmn")
    assert response.status_code == 201
    assert response.json == {"key": "simple_task", "version": 1, "kind": "process",
                             "created": True}
    listed = advisor.get("/api/v1/processes").json
    assert [(p["key"], p["version"]) for p in listed] == [("simple_task", 1)]
    assert listed[0]["deployed_by"] == "owner"
    assert listed[0]["user_tasks"][0]["form"] == "simple_form.json"


def test_identical_content_deploys_no_new_version(owner):
    owner.deploy("simple_task.bpmn")
    again = owner.deploy("simple_task.bpmn")
    assert again.status_code == 200
    assert again.json["version"] == 1 and again.json["created"] is False
    versions = owner.get("/api/v1/processes/simple_task").json["versions"]
    assert [v["version"] for v in versions] == [1]


def test_changed_content_deploys_version_two_and_old_instances_stay(owner, advisor, tmp_path):
    owner.deploy("simple_task.bpmn")
    first = advisor.start("simple_task")
    changed = (PROCESSES / "simple_task.bpmn").read_text().replace(
        'name="Fill in', 'name="Fill in again')
    assert changed != (PROCESSES / "simple_task.bpmn").read_text()
    path = tmp_path / "simple_task.bpmn"
    path.write_text(changed)
    with open(path, "rb") as handle:
        response = owner.post("/api/v1/processes", data={"file": (handle, "simple_task.bpmn")},
                              content_type="multipart/form-data")
    assert response.status_code == 201 and response.json["version"] == 2
    second = advisor.start("simple_task")
    assert advisor.instance(first["id"])["version"] == 1
    assert advisor.instance(second["id"])["version"] == 2
    detail = owner.get("/api/v1/processes/simple_task").json
    assert {v["version"]: v["running_instances"] for v in detail["versions"]} == {1: 1, 2: 1}
    xml = owner.get("/api/v1/processes/simple_task/versions/1/bpmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert b"Fill in again" not in xml.data and b"simple_task" in xml.data


def test_call_activity_needs_its_child_deployed_first(owner):
    refused = owner.deploy("call_activity.bpmn", expect=422)
    assert "child_process" in str(refused.json["details"])
    owner.deploy("child_process.bpmn")
    assert owner.deploy("call_activity.bpmn").status_code == 201


def test_dmn_deploys_as_a_decision(owner):
    response = owner.deploy("risk.dmn")
    assert response.json["kind"] == "decision"
    assert owner.deploy("business_rule.bpmn").status_code == 201


def test_deploy_directory_from_the_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["deploy", str(PROCESSES)])
    assert "simple_task.bpmn: v1" in result.output
    assert "call_activity.bpmn: v1" in result.output  # deployed after its child
    assert "risk.dmn: v1" in result.output
    again = runner.invoke(args=["deploy", str(PROCESSES / "simple_task.bpmn")])
    assert "simple_task.bpmn: v1 (unchanged)" in again.output
    assert Path(PROCESSES / "hostile").is_dir()  # hostile files live apart, never deployed
