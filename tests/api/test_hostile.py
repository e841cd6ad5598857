"""Hostile and wrong input: every answer is a clear 4xx envelope and nothing changes."""

import io
import json

import pytest
from support import PROCESSES

HOSTILE = PROCESSES / "hostile"
ENVELOPE = {"code", "message", "details"}


def assert_envelope(response, status: int) -> dict:
    """Assert the status and the {code, message, details} envelope; return the body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == ENVELOPE, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    return body


def upload(api, content: bytes, filename: str):
    return api.post("/api/v1/processes", data={"file": (io.BytesIO(content), filename)},
                    content_type="multipart/form-data")


def catalogue(api) -> list:
    response = api.get("/api/v1/processes")
    assert response.status_code == 200, response.json
    return response.json


def findings_of(body) -> list[dict]:
    findings = body["details"].get("findings")
    assert isinstance(findings, list) and findings, body
    return findings


def field_errors(details: dict) -> dict:
    """Return {field: errors}: request-schema errors are nested under their location."""
    if set(details) <= {"json", "query", "files", "form"} and len(details) == 1:
        return next(iter(details.values()))
    return details


@pytest.fixture
def deployed(owner):
    """A catalogue holding one harmless process, so 'unchanged' is not trivially empty."""
    owner.deploy("simple_task.bpmn")
    before = catalogue(owner)
    assert [p["key"] for p in before] == ["simple_task"]
    return before


# --- deploying hostile files ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_entity_declarations_are_refused(owner, deployed, name):
    response = upload(owner, (HOSTILE / name).read_bytes(), name)
    body = assert_envelope(response, 422)
    text = response.get_data(as_text=True)
    assert "DOCTYPE" in text and "ENTITY" in text, body
    assert "root:" not in text and "lollol" not in text
    assert catalogue(owner) == deployed


def test_xxe_content_never_reaches_any_response(owner, deployed):
    upload(owner, (HOSTILE / "xxe.bpmn").read_bytes(), "xxe.bpmn")
    for url in ("/api/v1/processes", "/api/v1/processes/xxe",
                "/api/v1/processes/xxe/versions/1/bpmn"):
        response = owner.get(url)
        assert "root:" not in response.get_data(as_text=True)
    assert owner.get("/api/v1/processes/xxe").status_code == 404


def test_well_formed_xml_that_is_not_bpmn_is_refused(owner, deployed):
    content = (HOSTILE / "not_bpmn.xml").read_bytes()
    body = assert_envelope(upload(owner, content, "not_bpmn.bpmn"), 422)
    assert "BPMN" in json.dumps(body), body
    body = assert_envelope(upload(owner, content, "not_bpmn.xml"), 422)
    assert "only .bpmn and .dmn" in body["message"], body
    assert "file" in body["details"], body
    assert catalogue(owner) == deployed


@pytest.mark.parametrize("name,words", [
    ("malformed.bpmn", "not well-formed"),
    ("not_executable.bpmn", "executable"),
])
def test_broken_diagrams_are_refused(owner, deployed, name, words):
    body = assert_envelope(upload(owner, (HOSTILE / name).read_bytes(), name), 422)
    assert any(words in f["message"] for f in findings_of(body)), body
    assert catalogue(owner) == deployed


def test_upload_over_the_size_limit_is_413(app, owner, deployed):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024
    good = (PROCESSES / "two_lanes.bpmn").read_bytes()
    padding = b"<!-- " + b"x" * (limit + 1024) + b" -->\n"
    big = good.replace(b"</bpmn:definitions>", padding + b"</bpmn:definitions>")
    assert len(big) > limit
    # A hand-built multipart body: the test client would spool a body this big to an
    # unclosed temporary file.
    boundary = "----linkpass-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"two_lanes.bpmn\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + big + f"\r\n--{boundary}--\r\n".encode()
    response = owner.post("/api/v1/processes", data=body,
                          content_type=f"multipart/form-data; boundary={boundary}")
    body = assert_envelope(response, 413)
    assert body["code"] != "internal_server_error"
    assert catalogue(owner) == deployed
    # The same diagram without the padding deploys: the size alone was refused.
    assert upload(owner, good, "two_lanes.bpmn").status_code == 201


@pytest.mark.parametrize("name,element_id", [
    ("script_import_os.bpmn", "script_evil"),
    ("script_subclasses.bpmn", "script_evil"),
    ("bad_condition.bpmn", "flow_evil"),
])
def test_unsafe_scripts_are_refused_at_deploy(owner, deployed, name, element_id):
    body = assert_envelope(upload(owner, (HOSTILE / name).read_bytes(), name), 422)
    findings = findings_of(body)
    assert element_id in [f["element_id"] for f in findings], body
    assert all(f["message"] for f in findings)
    assert catalogue(owner) == deployed


def test_open_in_a_script_is_refused_at_deploy(owner, deployed):
    """open() is not available in scripts: the deploy check names the element and line."""
    body = assert_envelope(upload(owner, (HOSTILE / "script_open.bpmn").read_bytes(),
                                  "script_open.bpmn"), 422)
    finding = next(f for f in findings_of(body) if f["element_id"] == "script_evil")
    assert finding["message"] == "Line 1: open() is not available in scripts"
    assert catalogue(owner) == deployed


def test_lane_naming_no_role_is_refused(owner, deployed):
    body = assert_envelope(upload(owner, (HOSTILE / "unknown_lane.bpmn").read_bytes(),
                                  "unknown_lane.bpmn"), 422)
    finding = next(f for f in findings_of(body) if f["element_id"] == "lane_janitor")
    assert "janitor" in finding["message"]
    assert catalogue(owner) == deployed


def test_missing_form_is_refused(owner, deployed):
    body = assert_envelope(upload(owner, (HOSTILE / "missing_form.bpmn").read_bytes(),
                                  "missing_form.bpmn"), 422)
    finding = next(f for f in findings_of(body) if f["element_id"] == "task_fill")
    assert "no_such_form.json" in finding["message"]
    assert catalogue(owner) == deployed


def test_deploy_without_process_owner_role_is_403(advisor, owner, deployed):
    content = (PROCESSES / "two_lanes.bpmn").read_bytes()
    assert_envelope(upload(advisor, content, "two_lanes.bpmn"), 403)
    assert catalogue(owner) == deployed


def test_deploy_without_a_file_is_422(owner, deployed):
    response = owner.post("/api/v1/processes", data={}, content_type="multipart/form-data")
    body = assert_envelope(response, 422)
    assert "file" in field_errors(body["details"]), body
    response = owner.post("/api/v1/processes", data={"other": (io.BytesIO(b"x"), "a.bpmn")},
                          content_type="multipart/form-data")
    assert_envelope(response, 422)
    assert catalogue(owner) == deployed


# --- invalid form data ------------------------------------------------------------------------

@pytest.fixture
def fill_task(owner, advisor):
    owner.deploy("simple_task.bpmn")
    started = advisor.start("simple_task", business_key="H-1")
    task = advisor.task_named("task_fill")
    return started["id"], task["id"]


def _snapshot(api, instance_id: int):
    instance = api.instance(instance_id)
    events = api.get(f"/api/v1/instances/{instance_id}/events")
    assert events.status_code == 200
    return instance, events.json


@pytest.mark.parametrize("data,fields", [
    ({"title": 5, "amount": "x"}, {"title", "amount"}),
    ({"title": "ok", "amount": -1}, {"amount"}),
    ({"amount": 3}, {"title"}),
    ({"title": "", "amount": 3}, {"title"}),
    ({"title": "ok", "amount": 1.5}, {"amount"}),
])
def test_invalid_form_data_is_422_by_field(advisor, fill_task, data, fields):
    instance_id, task_id = fill_task
    before = _snapshot(advisor, instance_id)
    response = advisor.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
    body = assert_envelope(response, 422)
    assert set(body["details"]) == fields, body
    assert all(isinstance(v, str) and v for v in body["details"].values())
    assert _snapshot(advisor, instance_id) == before
    assert advisor.get(f"/api/v1/tasks/{task_id}").json["status"] == "ready"
    events = advisor.get(f"/api/v1/instances/{instance_id}/events").json
    assert "task_completed" not in [e["action"] for e in events]


@pytest.mark.parametrize("data", [[1, 2], "text", 5, None])
def test_form_data_that_is_not_an_object_is_422(advisor, fill_task, data):
    instance_id, task_id = fill_task
    before = _snapshot(advisor, instance_id)
    response = advisor.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
    body = assert_envelope(response, 422)
    assert "data" in field_errors(body["details"]), body
    assert _snapshot(advisor, instance_id) == before
    assert advisor.get(f"/api/v1/tasks/{task_id}").json["status"] == "ready"


def test_valid_data_after_refusals_completes(advisor, fill_task):
    """The refusals above left the task usable (and the form check can pass)."""
    instance_id, task_id = fill_task
    advisor.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"title": 5}})
    advisor.complete(task_id, {"title": "fine", "amount": 0})
    assert advisor.instance(instance_id)["status"] == "completed"


# --- run-time hostility -----------------------------------------------------------------------

def test_endless_script_ends_in_error_with_a_time_limit_incident(owner, advisor):
    owner.deploy("endless_script.bpmn")
    response = advisor.post("/api/v1/instances", json={"process": "endless_script"})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert body["status"] == "error"
    assert body["incidents"], body
    incident = body["incidents"][0]
    assert incident["element_id"] == "script_forever"
    assert "time limit" in incident["message"], incident
    assert advisor.instance(body["id"])["status"] == "error"


def test_correlation_key_that_fails_at_the_wait_is_an_incident_not_a_500(owner, advisor, admin,
                                                                         run_worker):
    """message_catch computes its correlation key from case_id: started without it, the wait
    cannot subscribe. The completion still answers, the instance goes to error with an
    incident naming the catch event, and neither a retry nor the worker crashes."""
    owner.deploy("message_catch.bpmn")
    started = advisor.start("message_catch", data={})
    submit = advisor.instance(started["id"])["tasks"][0]
    response = advisor.post(f"/api/v1/tasks/{submit['id']}/complete", json={"data": {}})
    assert response.status_code == 200, response.get_data(as_text=True)
    instance = advisor.instance(started["id"])
    assert instance["status"] == "error"
    incident = next(i for i in instance["incidents"] if i["element_id"] == "wait_result")
    assert "case_id" in incident["message"], incident
    retried = admin.post(f"/api/v1/instances/{started['id']}/retry", json={"data": {}})
    assert_envelope(retried, 409)
    run_worker()
    assert advisor.instance(started["id"])["status"] == "error"


# --- unknown ids and bad bodies ---------------------------------------------------------------

@pytest.mark.parametrize("method,url", [
    ("get", "/api/v1/instances/999999999"),
    ("get", "/api/v1/instances/999999999/events"),
    ("post", "/api/v1/instances/999999999/suspend"),
    ("post", "/api/v1/instances/999999999/resume"),
    ("post", "/api/v1/instances/999999999/terminate"),
    ("post", "/api/v1/instances/999999999/retry"),
    ("post", "/api/v1/instances/999999999/migrate"),
    ("get", "/api/v1/instances/not-a-number"),
    ("get", "/api/v1/tasks/not-a-uuid"),
    ("post", "/api/v1/tasks/not-a-uuid/claim"),
    ("post", "/api/v1/tasks/not-a-uuid/unclaim"),
    ("post", "/api/v1/tasks/not-a-uuid/complete"),
    ("get", "/api/v1/tasks/00000000-0000-0000-0000-000000000000"),
    ("get", "/api/v1/processes/nope"),
    ("get", "/api/v1/processes/nope/versions/1/bpmn"),
    ("get", "/api/v1/nothing-here"),
])
def test_unknown_ids_are_404(admin, method, url):
    kwargs = {"json": {}} if method == "post" else {}
    response = getattr(admin, method)(url, **kwargs)
    assert_envelope(response, 404)


def test_assign_on_unknown_task_is_404(admin):
    response = admin.post("/api/v1/tasks/not-a-uuid/assign", json={"username": "sh.advisor"})
    assert_envelope(response, 404)


def test_unknown_version_of_a_known_process_is_404(owner, deployed):
    assert_envelope(owner.get("/api/v1/processes/simple_task/versions/2/bpmn"), 404)
    assert owner.get("/api/v1/processes/simple_task/versions/1/bpmn").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/instances", "/api/v1/messages",
                                 "/api/v1/auth/token"])
@pytest.mark.parametrize("raw", ["{not json", "[1, 2", "", "\xff"])
def test_malformed_json_is_a_4xx_envelope(admin, url, raw):
    response = admin.client.post(url, data=raw, content_type="application/json",
                                 headers=admin.headers)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert_envelope(response, response.status_code)


def test_malformed_json_on_complete_changes_nothing(advisor, fill_task):
    instance_id, task_id = fill_task
    before = _snapshot(advisor, instance_id)
    response = advisor.client.post(f"/api/v1/tasks/{task_id}/complete", data="{\"data\": ",
                                   content_type="application/json", headers=advisor.headers)
    assert 400 <= response.status_code < 500
    assert_envelope(response, response.status_code)
    assert _snapshot(advisor, instance_id) == before


@pytest.mark.parametrize("url,body", [
    ("/api/v1/instances", {"process": "simple_task", "data": {}, "evil": 1}),
    ("/api/v1/messages", {"name": "m", "correlation_key": "k", "payload": {}, "evil": 1}),
    ("/api/v1/auth/token", {"username": "admin", "password": "linkpass", "evil": 1}),
])
def test_unknown_fields_are_422(admin, owner, url, body):
    owner.deploy("simple_task.bpmn")
    response = admin.post(url, json=body)
    result = assert_envelope(response, 422)
    assert "evil" in field_errors(result["details"]), result
    listed = admin.get("/api/v1/instances").json
    assert listed["total"] == 0, listed


def test_unknown_fields_on_complete_are_422(advisor, fill_task):
    instance_id, task_id = fill_task
    before = _snapshot(advisor, instance_id)
    response = advisor.post(f"/api/v1/tasks/{task_id}/complete",
                            json={"data": {"title": "t", "amount": 1}, "evil": True})
    body = assert_envelope(response, 422)
    assert "evil" in field_errors(body["details"]), body
    assert _snapshot(advisor, instance_id) == before


def test_start_of_unknown_process_is_404_and_starts_nothing(advisor, admin):
    assert_envelope(advisor.post("/api/v1/instances", json={"process": "nope"}), 404)
    assert admin.get("/api/v1/instances").json["total"] == 0
