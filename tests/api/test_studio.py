"""The studio's pages and JSON calls through the test client: access, drafts, validate, deploy."""

import io
import json
import re

import pytest
from studio_support import Browser
from support import PROCESSES, ApiClient

from service.models import DiagramDraft, ProcessVersion, db
from service.usecases import studio

DEMO = (PROCESSES / "studio_demo.bpmn").read_text("utf-8")
BAD = (DEMO.replace('name="city_president"', 'name="Marketing guru"')
       .replace('priority = "high" if amount &gt; 100 else "normal"', "__import__('os')"))


@pytest.fixture
def browse(app):
    return lambda username: Browser(app.test_client(), username)


def versions(app, key):
    with app.app_context():
        return [v.version for v in db.session.query(ProcessVersion).filter_by(key=key)]


PAGES = ("/studio/", "/studio/processes/studio_demo/edit", "/studio/processes/studio_demo/compare",
         "/studio/processes/studio_demo/versions/1.bpmn", "/studio/forms", "/studio/forms/new",
         "/studio/forms/simple_form.json")
CALLS = (("PUT", "/studio/api/processes/studio_demo/draft", {"xml": DEMO}),
         ("DELETE", "/studio/api/processes/studio_demo/draft", None),
         ("POST", "/studio/api/processes/studio_demo/validate", {"xml": DEMO}),
         ("POST", "/studio/api/processes/studio_demo/deploy", {"xml": DEMO}))
FORMS = (("/studio/new", {"key": "x1", "name": "X", "template": "simple"}),
         ("/studio/forms/save", {"name": "x.json", "schema": '{"type": "object"}'}),
         ("/studio/forms/preview", {"schema": '{"type": "object"}'}),
         ("/studio/forms/simple_form.json/revert", {}))


@pytest.mark.parametrize("username", ["sh.advisor", "nat.president", "sz.management"])
def test_every_studio_page_and_call_answers_403_to_non_owners(owner, browse, app, username):
    owner.deploy("studio_demo.bpmn")
    user = browse(username)
    for url in PAGES:
        response = user.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 403, url
        assert "error-page" in response.text
    for method, url, body in CALLS:
        response = user.json(method, url, body)
        assert response.status_code == 403, url
        assert response.json["code"] == "forbidden"
    for url, data in FORMS:
        assert user.form(url, data).status_code == 403, url
    upload = user.form("/studio/upload", {"file": (io.BytesIO(DEMO.encode()), "x.bpmn")},
                       content_type="multipart/form-data")
    assert upload.status_code == 403
    assert versions(app, "studio_demo") == [1]


def test_anonymous_visitors_sign_in_first_and_admins_may_enter(owner, browse, client):
    owner.deploy("studio_demo.bpmn")
    assert client.get("/studio/").status_code == 302
    assert "/login" in client.get("/studio/").headers["Location"]
    anonymous = client.put("/studio/api/processes/studio_demo/draft", json={"xml": DEMO},
                           headers={"Accept": "application/json"})
    assert anonymous.status_code in (400, 401)  # no session: no CSRF token, no identity
    admin = browse("admin")
    for url in PAGES:
        assert admin.get(url).status_code == 200, url


def test_json_calls_need_the_csrf_header(owner, browse):
    owner.deploy("studio_demo.bpmn")
    user = browse("owner")
    response = user.client.put("/studio/api/processes/studio_demo/draft", json={"xml": DEMO},
                               headers={"Accept": "application/json"})
    assert response.status_code == 400


def test_validate_names_each_bad_element_and_deploys_nothing(owner, browse, app):
    owner.deploy("studio_demo.bpmn")
    user = browse("owner")
    response = user.json("POST", "/studio/api/processes/studio_demo/validate", {"xml": BAD})
    assert response.status_code == 200
    by_element = {f["element_id"]: f["message"] for f in response.json["findings"]}
    assert "Marketing guru" in by_element["Lane_city_president"]
    assert "task_score" in by_element
    clean = user.json("POST", "/studio/api/processes/studio_demo/validate", {"xml": DEMO})
    assert clean.json == {"findings": []}
    refused = user.json("POST", "/studio/api/processes/studio_demo/deploy", {"xml": BAD})
    assert refused.status_code == 422
    assert {f["element_id"] for f in refused.json["details"]["findings"]} >= {
        "Lane_city_president", "task_score"}
    assert versions(app, "studio_demo") == [1]


@pytest.mark.parametrize("body", [None, {}, {"xml": ""}, {"xml": 5}, {"xml": "<not-xml"},
                                  {"xml": "<a/>"}])
def test_bad_bodies_get_a_clear_4xx(owner, browse, app, body):
    owner.deploy("studio_demo.bpmn")
    user = browse("owner")
    for method, url in (("PUT", "/studio/api/processes/studio_demo/draft"),
                        ("POST", "/studio/api/processes/studio_demo/deploy")):
        response = user.json(method, url, body)
        assert response.status_code == 422, (url, body)
        assert response.json["code"] == "invalid"
    with app.app_context():
        assert db.session.query(DiagramDraft).count() == 0
    assert versions(app, "studio_demo") == [1]


def test_drafts_are_per_user_and_deploy_makes_a_version(owner, browse, app, advisor, as_user):
    owner.deploy("studio_demo.bpmn")
    old = advisor.start("studio_demo")
    changed = DEMO.replace('name="Approve plan"', 'name="President approval"')
    user = browse("owner")
    saved = user.json("PUT", "/studio/api/processes/studio_demo/draft", {"xml": changed})
    assert saved.status_code == 200
    assert "President approval" in user.get("/studio/processes/studio_demo/edit").text
    assert "President approval" not in browse("admin").get(
        "/studio/processes/studio_demo/edit").text  # another owner sees the deployed version
    assert 'id="draft-studio_demo"' in user.get("/studio/").text
    wrong_key = user.json("PUT", "/studio/api/processes/other/draft", {"xml": changed})
    assert wrong_key.status_code == 422
    deployed = user.json("POST", "/studio/api/processes/studio_demo/deploy", {"xml": changed})
    assert deployed.status_code == 201
    assert deployed.json == {"key": "studio_demo", "version": 2, "created": True}
    again = user.json("POST", "/studio/api/processes/studio_demo/deploy", {"xml": changed})
    assert again.status_code == 200 and again.json["version"] == 2
    with app.app_context():
        assert db.session.query(DiagramDraft).count() == 0  # the draft is done with
    page = user.get("/studio/").text
    assert 'data-version="2"' in page and "owner" in page
    # The instance started on version 1 stays there and keeps its old task names and lanes.
    advisor.complete(advisor.task_named("task_collect")["id"], {"title": "t", "amount": 500})
    task = as_user("sh.president").task_named("task_approve")
    assert task["name"] == "Approve plan"
    assert advisor.instance(old["id"])["version"] == 1
    fresh = advisor.start("studio_demo")
    assert advisor.instance(fresh["id"])["version"] == 2


@pytest.mark.parametrize("template", ["simple", "approval"])
def test_a_new_process_from_a_template_deploys_and_runs(browse, advisor, template):
    user = browse("owner")
    created = user.form("/studio/new", {"key": f"new_{template}", "name": "新流程",
                                        "template": template})
    assert created.status_code == 302
    assert created.headers["Location"].endswith(f"/studio/processes/new_{template}/edit")
    editor = user.get(created.headers["Location"])
    assert editor.status_code == 200 and "新流程" in editor.text
    xml = re.search(r'"xml": ("(?:[^"\\]|\\.)*")', editor.text)
    assert xml
    content = json.loads(xml.group(1))
    assert user.json("POST", f"/studio/api/processes/new_{template}/validate",
                     {"xml": content}).json == {"findings": []}
    assert user.json("POST", f"/studio/api/processes/new_{template}/deploy",
                     {"xml": content}).status_code == 201
    advisor.start(f"new_{template}")
    assert advisor.tasks()


@pytest.mark.parametrize(("data", "status"), [
    ({"key": "1bad", "name": "x", "template": "simple"}, 422),
    ({"key": "good", "name": "", "template": "simple"}, 422),
    ({"key": "good", "name": "x", "template": "nope"}, 422),
    ({"key": "studio_demo", "name": "x", "template": "simple"}, 409),
])
def test_a_new_process_refuses_bad_or_taken_keys(owner, browse, data, status):
    owner.deploy("studio_demo.bpmn")
    response = browse("owner").form("/studio/new", data)
    assert response.status_code == status
    assert 'id="new-error"' in response.text


def test_plain_bpmn_io_upload_is_made_executable_and_runs(browse, advisor, as_user):
    user = browse("owner")
    with open(PROCESSES / "plain_bpmn_io.bpmn", "rb") as handle:
        response = user.form("/studio/upload", {"file": (handle, "diagram.bpmn")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/studio/processes/Process_1x9ddoz/edit")
    with user.client.session_transaction() as session:
        assert session["_flashes"]  # "marked executable" is said
    assert user.get(response.headers["Location"]).status_code == 200
    with user.client.application.app_context():
        draft = db.session.query(DiagramDraft).one()
        xml = draft.content
    assert draft.key == "Process_1x9ddoz" and studio.KEY.fullmatch(draft.key)
    assert 'isExecutable="true"' in xml
    deployed = user.json("POST", "/studio/api/processes/Process_1x9ddoz/deploy", {"xml": xml})
    assert deployed.status_code == 201
    # No lane and no startableBy: only an admin may start it (issue 14), and the task goes to
    # the starter only.
    advisor.start("Process_1x9ddoz", expect=403)
    admin = as_user("admin")
    started = admin.start("Process_1x9ddoz")
    task = admin.task_named("Activity_1v6iz4x")
    assert as_user("sh.advisor2").tasks() == [] and advisor.tasks() == []
    detail = admin.get(f"/api/v1/tasks/{task['id']}").json
    assert set(detail["form"]["schema"]["properties"]) == {"comment", "done"}
    admin.complete(task["id"], {"comment": "ok", "done": True})
    assert admin.instance(started["id"])["status"] == "completed"


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("x.txt", b"hello", "only .bpmn"),
    ("x.bpmn", b"\xff\xfe", "UTF-8"),
    ("x.bpmn", b"<a/>", "not a BPMN diagram"),
    ("x.bpmn", (PROCESSES / "two_lanes.bpmn").read_bytes(), "no layout"),
    ("x.bpmn", (PROCESSES / "hostile" / "xxe.bpmn").read_bytes(), "not a BPMN diagram"),
])
def test_uploads_that_cannot_be_edited_are_refused(browse, app, name, content, reason):
    response = browse("owner").form("/studio/upload", {"file": (io.BytesIO(content), name)},
                                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert reason in response.text
    with app.app_context():
        assert db.session.query(DiagramDraft).count() == 0


def test_a_dmn_upload_deploys_at_once(browse, app):
    with open(PROCESSES / "risk.dmn", "rb") as handle:
        response = browse("owner").form("/studio/upload", {"file": (handle, "risk.dmn")},
                                        content_type="multipart/form-data")
    assert response.status_code == 302
    assert versions(app, "risk") == [1]


def test_discarding_a_draft_reopens_the_deployed_version(owner, browse):
    owner.deploy("studio_demo.bpmn")
    user = browse("owner")
    changed = DEMO.replace('name="Approve plan"', 'name="Changed"')
    user.json("PUT", "/studio/api/processes/studio_demo/draft", {"xml": changed})
    assert user.json("DELETE", "/studio/api/processes/studio_demo/draft").status_code == 204
    assert "Changed" not in user.get("/studio/processes/studio_demo/edit").text
    assert user.json("DELETE", "/studio/api/processes/studio_demo/draft").status_code == 404
    assert user.get("/studio/processes/nope/edit").status_code == 404
    assert user.get("/studio/processes/studio_demo/edit?version=9").status_code == 404


def test_the_owner_api_token_cannot_reach_the_studio(owner):
    # The studio is a browser area: a bearer token is no session.
    response = ApiClient.get(owner, "/studio/")
    assert response.status_code == 302
