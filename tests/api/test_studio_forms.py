"""Studio forms (edited in the browser, used at deploy), the live preview, and the git export."""

import json

import pytest
from studio_support import Browser
from support import FORMS, PROCESSES

from service.models import StudioForm, db

SCHEMA = json.loads((FORMS / "simple_form.json").read_text("utf-8"))


@pytest.fixture
def browse(app):
    return lambda username: Browser(app.test_client(), username)


def with_field(schema: dict, name: str, title: str) -> dict:
    changed = json.loads(json.dumps(schema))
    changed["properties"][name] = {"type": "string", "title": title}
    changed["required"] = [*changed.get("required", []), name]
    return changed


def test_an_edited_form_overrides_the_file_at_the_next_deploy(owner, advisor, browse, app):
    owner.deploy("studio_demo.bpmn")
    first = advisor.start("studio_demo")
    user = browse("owner")
    edited = with_field(SCHEMA, "company", "公司名称")
    saved = user.form("/studio/forms/save", {"name": "simple_form.json",
                                             "schema": json.dumps(edited)})
    assert saved.status_code == 302
    assert "simple_form.json" in saved.headers["Location"]
    listing = user.get("/studio/forms").text
    assert "simple_form.json" in listing and "studio_demo" in listing  # used by
    # Running versions keep the form they were deployed with; the next deploy takes the edit.
    task = advisor.task_named("task_collect")
    assert "company" not in advisor.get(f"/api/v1/tasks/{task['id']}").json["form"]["schema"][
        "properties"]
    assert owner.deploy("studio_demo.bpmn").json["version"] == 2
    advisor.complete(task["id"], {"title": "t", "amount": 5})
    assert advisor.instance(first["id"])["version"] == 1
    advisor.start("studio_demo")
    fresh = next(t for t in advisor.tasks() if t["bpmn_id"] == "task_collect")
    schema = advisor.get(f"/api/v1/tasks/{fresh['id']}").json["form"]["schema"]
    assert schema["properties"]["company"]["title"] == "公司名称"
    advisor.complete(fresh["id"], {"title": "t", "amount": 5}, expect=422)  # company required

    reverted = user.form("/studio/forms/simple_form.json/revert", {})
    assert reverted.status_code == 302
    with app.app_context():
        assert db.session.query(StudioForm).count() == 0
    assert owner.deploy("studio_demo.bpmn").json["version"] == 1  # the file's content again


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("simple_form.json", "{not json", "not valid JSON"),
    ("simple_form.json", "[]", "type"),
    ("simple_form.json", '{"type": "object", "properties": {"a": {"type": "nope"}}}',
     "not valid JSON Schema"),
    ("simple_form.json", '{"type": "object", "properties": []}', "properties"),
    ("../evil.json", '{"type": "object"}', "ends in .json"),
    ("no_suffix", '{"type": "object"}', "ends in .json"),
])
def test_a_bad_form_is_refused_and_nothing_is_stored(browse, app, name, text, reason):
    response = browse("owner").form("/studio/forms/save", {"name": name, "schema": text})
    assert response.status_code == 422
    assert reason in response.text
    with app.app_context():
        assert db.session.query(StudioForm).count() == 0


def test_a_missing_form_is_reported_by_validate_until_it_is_created(owner, browse):
    owner.deploy("studio_demo.bpmn")
    user = browse("owner")
    xml = (PROCESSES / "studio_demo.bpmn").read_text("utf-8").replace(
        'value="simple_form.json"', 'value="client_needs.json"')
    found = user.json("POST", "/studio/api/processes/studio_demo/validate", {"xml": xml})
    assert found.json["findings"] == [{"element_id": "task_collect",
                                       "message": "form 'client_needs.json' does not exist"}]
    user.form("/studio/forms/save", {"name": "client_needs.json", "schema": json.dumps(SCHEMA)})
    found = user.json("POST", "/studio/api/processes/studio_demo/validate", {"xml": xml})
    assert found.json == {"findings": []}
    assert "client_needs.json" in user.get("/studio/forms").text


def test_the_preview_draws_the_fields_or_says_what_is_wrong(browse):
    user = browse("owner")
    drawn = user.form("/studio/forms/preview",
                      {"schema": json.dumps(with_field(SCHEMA, "company", "公司名称"))})
    assert drawn.status_code == 200
    assert 'id="f-company"' in drawn.text and "公司名称" in drawn.text
    assert 'id="f-amount"' in drawn.text
    broken = user.form("/studio/forms/preview", {"schema": '{"type": "object", '})
    assert broken.status_code == 200 and 'id="preview-error"' in broken.text
    editor = user.get("/studio/forms/simple_form.json")
    assert editor.status_code == 200 and 'id="f-title"' in editor.text  # drawn at once
    assert user.get("/studio/forms/nope.json").status_code == 404


def test_export_writes_the_latest_versions_and_their_forms(owner, app, tmp_path):
    owner.deploy("studio_demo.bpmn", "risk.dmn")
    changed = (PROCESSES / "studio_demo.bpmn").read_text("utf-8").replace(
        'name="Approve plan"', 'name="President approval"')
    (tmp_path / "studio_demo.bpmn").write_text(changed, "utf-8")
    with open(tmp_path / "studio_demo.bpmn", "rb") as handle:
        owner.post("/api/v1/processes", data={"file": (handle, "studio_demo.bpmn")},
                   content_type="multipart/form-data")
    out = tmp_path / "export"
    result = app.test_cli_runner().invoke(args=["processes", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "processes").iterdir()) == ["risk.dmn",
                                                                     "studio_demo.bpmn"]
    assert "President approval" in (out / "processes" / "studio_demo.bpmn").read_text("utf-8")
    assert json.loads((out / "forms" / "simple_form.json").read_text("utf-8")) == SCHEMA
    # The round trip: deploying the exported folder changes nothing.
    again = app.test_cli_runner().invoke(args=["deploy", str(out / "processes")])
    assert "studio_demo.bpmn: v2 (unchanged)" in again.output
    assert "risk.dmn: v1 (unchanged)" in again.output
