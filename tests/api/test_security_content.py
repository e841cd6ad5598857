"""Served content never executes; every page carries the security headers (issue 14, point 1).

Deployed XML comes back as an attachment or plain text under `Content-Security-Policy: sandbox`
with nosniff; the deploy check refuses active markup, naming its element, and still takes the
extensions other modelers write. (Uploaded documents and form files: test_crm_api.py and
test_inbox_forms.py; the same in Chromium: tests/web/test_security_pages.py.)
"""

import io

import pytest
from inbox_support import WebClient
from support import PROCESSES

TWO_LANES = (PROCESSES / "two_lanes.bpmn").read_text("utf-8")
TASK = '<bpmn:userTask id="task_request" name="Request" />'
SPIFF = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'


def deploy(owner, content: str, name: str = "two_lanes.bpmn"):
    return owner.post("/api/v1/processes", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(content.encode()), name)})


def sandboxed(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_deployed_xml_comes_back_as_an_attachment_or_as_plain_text(app, owner, admin):
    owner.deploy("two_lanes.bpmn")
    for api, url in ((owner, "/api/v1/processes/two_lanes/versions/1/bpmn"),
                     (admin, "/api/v1/admin/processes/two_lanes/versions/1/diagram")):
        response = api.get(url)
        assert response.status_code == 200 and b"task_request" in response.data
        assert response.mimetype == "application/xml"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="two_lanes-v1.bpmn"')
        sandboxed(response)
    viewer = WebClient(app, "admin").get("/monitor/processes/two_lanes/1.bpmn")
    assert viewer.status_code == 200 and viewer.mimetype == "text/plain"
    assert viewer.headers["Content-Disposition"].startswith("inline")
    sandboxed(viewer)
    download = WebClient(app, "owner").get("/studio/processes/two_lanes/versions/1.bpmn")
    assert download.headers["Content-Disposition"].startswith("attachment")
    sandboxed(download)


ACTIVE = {
    "xhtml script": (
        TASK.replace(" />", '><bpmn:extensionElements><h:script '
                     'xmlns:h="http://www.w3.org/1999/xhtml">fetch("/org/users/new")</h:script>'
                     "</bpmn:extensionElements></bpmn:userTask>"),
        "task_request", "<h:script> is an XHTML element"),
    "svg": (
        TASK.replace(" />", '><bpmn:extensionElements><svg xmlns="http://www.w3.org/2000/svg">'
                     "<circle r='1'/></svg></bpmn:extensionElements></bpmn:userTask>"),
        "task_request", "<svg> is an SVG element"),
    "script in another namespace": (
        TASK.replace(" />", '><bpmn:extensionElements><x:script xmlns:x="urn:x">alert(1)'
                     "</x:script></bpmn:extensionElements></bpmn:userTask>"),
        "task_request", "<x:script> is a script"),
    "event handler": (
        TASK.replace(" />", ' xmlns:x="urn:x" x:onclick="alert(1)" />'),
        "task_request", "attribute 'onclick' on <bpmn:userTask>"),
}


@pytest.mark.parametrize("case", ACTIVE)
def test_active_markup_is_refused_at_deploy_naming_its_element(owner, case):
    replacement, element_id, message = ACTIVE[case]
    assert TWO_LANES.count(TASK) == 1
    response = deploy(owner, TWO_LANES.replace(TASK, replacement))
    assert response.status_code == 422, response.json
    assert {"element_id": element_id,
            "message": f"active markup is not allowed: {message}"} in response.json[
        "details"]["findings"]
    assert owner.get("/api/v1/processes/two_lanes").status_code == 404  # nothing deployed


def test_a_style_sheet_instruction_and_active_decision_tables_are_refused(owner):
    styled = TWO_LANES.replace("?>", '?>\n<?xml-stylesheet type="text/xsl" href="x.xsl"?>', 1)
    assert deploy(owner, styled).json["details"]["findings"][0]["message"] == (
        "active markup is not allowed: an xml-stylesheet processing instruction")
    table = (PROCESSES / "risk.dmn").read_text("utf-8").replace(
        "</definitions>", '<h:img xmlns:h="http://www.w3.org/1999/xhtml" src="x" '
        'onerror="alert(1)"/></definitions>')
    findings = deploy(owner, table, "risk.dmn").json["details"]["findings"]
    assert [f["message"] for f in findings] == [
        "active markup is not allowed: <h:img> is an XHTML element",
        "active markup is not allowed: attribute 'onerror' on <h:img>"]


def test_other_modelers_extensions_stay_allowed(owner):
    decorated = TWO_LANES.replace(
        "<bpmn:definitions ", '<bpmn:definitions xmlns:camunda="http://camunda.org/schema/1.0/'
        'bpmn" xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0" xmlns:color="http://www.'
        'omg.org/spec/BPMN/non-normative/color/1.0" xmlns:modeler="http://camunda.org/schema/'
        'modeler/1.0" modeler:executionPlatform="Camunda Platform" ', 1).replace(
        TASK, '<bpmn:userTask id="task_request" name="Request" camunda:assignee="demo" '
        'camunda:formKey="request" bioc:stroke="#1e88e5" color:background-color="#bbdefb">'
        '<bpmn:extensionElements><camunda:inputOutput><camunda:inputParameter name="x">1'
        "</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>"
        "</bpmn:userTask>")
    response = deploy(owner, decorated)
    assert response.status_code == 201, response.json


def test_every_page_sends_the_site_wide_headers(client):
    page = client.get("/login")
    policy = page.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                      "base-uri 'self'", "form-action 'self'"):
        assert directive in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in page.headers  # plain HTTP: no HSTS
    api = client.get("/api/v1/processes")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_over_https_the_site_sends_hsts_and_secure_cookies(app):
    secure = app.test_client()
    page = secure.get("/login", base_url="https://flow.example")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in page.headers["Set-Cookie"] and "HttpOnly" in page.headers["Set-Cookie"]
    plain = app.test_client().get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_no_page_holds_an_inline_script_or_handler(app, owner):
    owner.deploy("two_lanes.bpmn")
    admin = WebClient(app, "admin")
    for url in ("/inbox", "/start", "/monitor/", "/monitor/instances", "/studio/",
                "/org/", "/profile", "/outbox"):
        html = admin.get(url).get_data(as_text=True)
        assert " onclick=" not in html and " onchange=" not in html and " onsubmit=" not in html
        scripts = [s for s in html.split("<script")[1:] if 'src="' not in s.split(">")[0]]
        assert all('type="application/json"' in s.split(">")[0] for s in scripts), url
