"""Notifications: offered and assigned mails, reminders, escalation, digests, SMTP delivery."""

import socket
from datetime import timedelta

import pytest
from inbox_support import SmtpSink, WebClient
from sqlalchemy import select

from service import clock
from service.models import Event, Notification, db
from service.usecases import dates, jobs


def mails(app, kind=None):
    """Return (username, kind, status, subject) of every mail, in order."""
    with app.app_context():
        stmt = select(Notification).order_by(Notification.id)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        rows = db.session.scalars(stmt).all()
        result = [(m.address.split("@")[0], m.kind, m.status, m.subject) for m in rows]
        db.session.remove()
        return result


def who(app, kind):
    return sorted(address for address, *_ in mails(app, kind))


@pytest.fixture
def two_lanes(owner):
    owner.deploy("two_lanes.bpmn")


def test_a_new_task_is_mailed_to_its_group_once(app, two_lanes, advisor, run_worker):
    advisor.start("two_lanes", business_key="华信科技")
    run_worker()
    run_worker()  # reading the audit log again sends nothing twice
    assert who(app, "offered") == ["sh.advisor", "sh.advisor2"]
    subject = mails(app, "offered")[0][3]
    assert subject == "[LinkPass] 新任务：Request"
    with app.app_context():
        body = db.session.scalars(select(Notification.body)).first()
    assert "华信科技" in body and "/tasks/" in body and "上海服务中心" in body


def test_an_assigned_task_is_mailed_to_the_assignee(app, two_lanes, advisor, as_user,
                                                    run_worker):
    advisor.start("two_lanes")
    task = advisor.task_named("task_request")
    run_worker()
    response = as_user("sh.president").post(f"/api/v1/tasks/{task['id']}/assign",
                                            json={"username": "sh.advisor2"})
    assert response.status_code == 200
    run_worker()
    assert who(app, "assigned") == ["sh.advisor2"]


def test_reminder_before_due_then_overdue_escalates_to_the_center_president(
        app, owner, advisor, run_worker):
    owner.deploy("inbox_flow.bpmn")  # the first task is due in two days
    instance = advisor.start("inbox_flow", business_key="明德")
    advisor.post(f"/api/v1/tasks/{advisor.task_named('task_needs')['id']}/claim")
    run_worker()
    assert who(app, "due_soon") == []
    clock.advance(timedelta(days=1, hours=1))
    run_worker()
    assert who(app, "due_soon") == ["sh.advisor"]  # claimed: only the assignee hears
    clock.advance(timedelta(days=1))
    run_worker()
    run_worker()
    assert who(app, "overdue") == ["sh.advisor"]
    assert who(app, "escalated") == ["sh.president"]  # not sz.president, not the national one
    assert who(app, "due_soon") == ["sh.advisor"]
    history = advisor.get(f"/api/v1/instances/{instance['id']}/events").json
    escalated = [e for e in history if e["action"] == "task_escalated"]
    assert len(escalated) == 1 and escalated[0]["details"]["to"] == ["sh.president"]


def test_a_digest_reader_gets_one_mail_a_day(app, two_lanes, advisor, run_worker):
    web = WebClient(app, "sh.advisor2", "en")
    assert web.post("/profile", {"mode": "digest", "language": "en"}).status_code == 302
    advisor.start("two_lanes", business_key="A")
    advisor.start("two_lanes", business_key="B")
    run_worker()
    held = [m for m in mails(app) if m[0] == "sh.advisor2"]
    assert [m[2] for m in held] == ["digest", "digest"]
    assert all(m[2] == "logged" for m in mails(app) if m[0] == "sh.advisor")
    with app.app_context():  # move to just after the next digest hour
        now = dates.local(clock.now())
        target = now.replace(hour=app.config["DIGEST_HOUR"], minute=5)
        if target <= now:
            target += timedelta(days=1)
    clock.advance(target - now)
    run_worker()
    run_worker()
    digest = mails(app, "digest")
    assert len(digest) == 1 and digest[0][0] == "sh.advisor2" and digest[0][2] == "logged"
    assert digest[0][3] == "[LinkPass] Daily summary"
    assert [m[2] for m in mails(app, "offered") if m[0] == "sh.advisor2"] == ["digested"] * 2


def test_no_mails_for_who_opted_out_and_mails_in_the_chosen_language(app, two_lanes, advisor,
                                                                    run_worker):
    WebClient(app, "sh.advisor2").post("/profile", {"mode": "off", "language": "zh_CN"})
    WebClient(app, "sh.advisor").post("/profile", {"mode": "immediate", "language": "en"})
    advisor.start("two_lanes")
    run_worker()
    assert [(m[0], m[3]) for m in mails(app, "offered")] == [
        ("sh.advisor", "[LinkPass] New task: Request")]


def test_bad_preferences_are_refused_and_change_nothing(app):
    web = WebClient(app, "sh.advisor", "en")
    assert web.post("/profile", {"mode": "hourly", "language": "fr"}).status_code == 422
    assert web.post("/profile", {"mode": "off", "language": "en"}, csrf=False).status_code == 400
    assert 'id="mode-immediate" value="immediate" checked' in web.get("/profile").text


def test_mails_go_out_by_smtp_when_a_server_is_configured(make_app, app, two_lanes, advisor):
    sink = SmtpSink()
    try:
        mailing = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        advisor.start("two_lanes", business_key="华信科技")
        with mailing.app_context():
            jobs.run_until_idle("mail-test")
            db.session.remove()
    finally:
        sink.close()
    received = sorted(sink.parsed(), key=lambda m: m["To"])
    assert [m["To"] for m in received] == ["sh.advisor2@linkpass.example",
                                           "sh.advisor@linkpass.example"]
    assert received[0]["Subject"] == "[LinkPass] 新任务：Request"
    assert "华信科技" in received[0].get_body().get_content()
    assert {m[2] for m in mails(app, "offered")} == {"sent"}


def test_a_mail_server_that_is_down_delays_mail_but_not_the_worker(make_app, app, two_lanes,
                                                                   advisor):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    advisor.start("two_lanes")
    with down.app_context():
        jobs.run_until_idle("mail-test")
        rows = db.session.scalars(select(Notification)).all()
        assert {(r.status, r.attempts) for r in rows} == {("queued", 1)}
        assert all(r.error for r in rows)
        db.session.remove()
    assert advisor.tasks()  # the instance moved on regardless


def test_the_outbox_page_shows_my_mails_only(app, two_lanes, advisor, run_worker):
    advisor.start("two_lanes", business_key="华信科技")
    run_worker()
    mine = WebClient(app, "sh.advisor", "en").get("/outbox")
    assert mine.status_code == 200 and mine.text.count("lp-mail") >= 1
    assert "sh.advisor2@" not in mine.text
    other = WebClient(app, "sz.advisor", "en").get("/outbox")
    assert 'id="outbox-empty"' in other.text
    with app.app_context():
        assert db.session.scalars(select(Event).where(Event.action == "task_created")).first()
