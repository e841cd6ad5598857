"""One bad mail never blocks the queue (point 5); a failing step is an incident, never a 500
(point 6); /metrics and /healthz say little to strangers (point 7). Issue 14."""

import io

from inbox_support import SmtpSink, WebClient
from sqlalchemy import select
from support import PROCESSES

from service.models import Notification, db
from service.usecases import jobs

MULTI_LINE = "Review&#13;&#10;Bcc: spy@evil.example"
PASSWORD = "Mailbox2026zhang"


def deploy_text(owner, content: str, name: str) -> None:
    response = owner.post("/api/v1/processes", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(content.encode()), name)})
    assert response.status_code == 201, response.json


def sign_in(app, username: str, password: str) -> WebClient:
    web = WebClient(app)
    web.get("/login")
    assert web.client.post("/login", headers=web.headers, data={
        "username": username, "password": password,
        "csrf_token": web.token}).status_code == 302
    return web


def test_a_multi_line_name_is_folded_and_a_mail_that_cannot_go_fails_alone(
        make_app, app, owner, as_user, client):
    content = (PROCESSES / "two_lanes.bpmn").read_text("utf-8").replace(
        'name="Request"', f'name="{MULTI_LINE}"')
    deploy_text(owner, content, "two_lanes.bpmn")  # multi-line names stay accepted
    created = as_user("sh.president").post("/api/v1/org/users", json={
        "username": "sh.zhang", "display_name": "张三", "email": "张三@例子.中国",
        "center": "sh", "roles": ["advisor"], "password": PASSWORD})
    assert created.status_code == 201, created.json
    as_user("sh.advisor").start("two_lanes")
    assert client.post("/api/v1/org/password/forgot",
                       json={"login": "sh.advisor2"}).status_code == 202
    sink = SmtpSink()  # a real server on loopback, without SMTPUTF8
    try:
        mailing = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        with mailing.app_context():
            jobs.run_until_idle("mail-test")
            rows = {(m.address, m.kind): (m.status, m.error) for m in
                    db.session.scalars(select(Notification))}
            db.session.remove()
    finally:
        sink.close()
    received = sink.parsed()
    offered = [m for m in received if "Review" in m["Subject"]]
    assert offered and all("\n" not in m["Subject"] and m["Bcc"] is None for m in offered)
    assert all("Review Bcc: spy@evil.example" in m["Subject"] for m in offered)
    assert not any("spy@evil.example" in to for to, _ in sink.messages)
    assert any("/org/password/reset/" in m.get_body().get_content() for m in received)
    assert rows[("sh.advisor2@linkpass.example", "password_reset")] == ("sent", None)
    status, error = rows[("张三@例子.中国", "offered")]
    assert status == "failed" and "SMTPUTF8" in error
    outbox = sign_in(app, "sh.zhang", PASSWORD).get("/outbox").get_data(as_text=True)
    assert "lp-mail-error" in outbox and "SMTPUTF8" in outbox


def test_a_failing_assignee_expression_is_an_incident_that_a_retry_corrects(
        app, owner, advisor, admin, as_user):
    content = (PROCESSES / "two_lanes.bpmn").read_text("utf-8").replace(
        '<bpmn:userTask id="task_request" name="Request" />',
        '<bpmn:userTask id="task_request" name="Request"><bpmn:extensionElements>'
        "<spiffworkflow:properties><spiffworkflow:property name=\"assignee\" "
        "value='reviewer[\"name\"]' /></spiffworkflow:properties></bpmn:extensionElements>"
        "</bpmn:userTask>")
    deploy_text(owner, content, "two_lanes.bpmn")
    started = advisor.start("two_lanes")
    assert started["status"] == "error"
    [incident] = started["incidents"]
    assert incident["element_id"] == "task_request" and "reviewer" in incident["message"]
    assert advisor.tasks() == []
    retried = admin.post(f"/api/v1/instances/{started['id']}/retry",
                         json={"data": {"reviewer": {"name": "sh.advisor2"}}})
    assert retried.status_code == 200, retried.json
    assert retried.json["status"] == "running"
    [task] = as_user("sh.advisor2").tasks("mine")
    assert (task["bpmn_id"], task["status"]) == ("task_request", "claimed")


def test_every_user_change_shows_on_its_change_page(app, as_user):
    president = as_user("sh.president")
    response = president.client.patch(
        "/api/v1/org/users/sh.advisor2", headers=president.headers,
        json={"display_name": "新名字", "roles": ["advisor", "city_management"]})
    assert response.status_code == 200, response.json
    [event] = [e for e in president.get("/api/v1/org/events").json["items"]
               if e["action"] == "user_updated"]
    assert event["details"]["changes"]["roles"] == {"from": ["advisor"],
                                                    "to": ["advisor", "city_management"]}
    page = WebClient(app, "sh.president").get(f"/org/changes/{event['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "新名字" in html and "city_management" in html and "lp-detail-map" in html


def test_metrics_need_the_token_or_an_allowed_address(app, owner, advisor):
    owner.deploy("simple_task.bpmn")
    advisor.start("simple_task")
    client = app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.5"}
    for environ in ({}, outside):  # by default nobody, not even the loopback
        refused = client.get("/metrics", environ_base=environ)
        assert refused.status_code == 401 and b"simple_task" not in refused.data
    app.config.update(METRICS_TOKEN="scrape-secret", METRICS_ALLOW="10.0.0.0/8, 127.0.0.1")
    assert client.get("/metrics", environ_base=outside).status_code == 401
    assert client.get("/metrics", environ_base=outside,
                      headers={"Authorization": "Bearer wrong"}).status_code == 401
    scraped = client.get("/metrics", environ_base=outside,
                         headers={"Authorization": "Bearer scrape-secret"})
    assert scraped.status_code == 200 and b'process="simple_task"' in scraped.data
    assert client.get("/metrics").status_code == 200  # 127.0.0.1 is on the list
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_healthz_tells_strangers_a_status_and_reasons_only(app, client, admin, advisor):
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 200
    assert anonymous.get_json() == {"status": "degraded", "reasons": ["worker_missing"]}
    assert advisor.get("/healthz").get_json() == anonymous.get_json()
    detailed = admin.get("/healthz").get_json()
    assert detailed["database"] == "ok" and detailed["worker"]["status"] == "missing"
    page = WebClient(app, "admin").get("/healthz").get_json()
    assert page["worker"] == detailed["worker"]
