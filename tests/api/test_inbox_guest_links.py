"""Guest links: signed, expiring, single-use; the outside party completes one task without login."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from inbox_support import WebClient, field_error, text
from sqlalchemy import select

from service import clock
from service.models import Event, GuestLink, Notification, db

CODE = "91310000MA1FL8XQ30"


@pytest.fixture
def review_task(owner, advisor):
    """A task of the Shanghai president with the generic form (comment + done)."""
    owner.deploy("two_lanes.bpmn")
    instance = advisor.start("two_lanes", business_key="华信科技")
    advisor.complete(advisor.task_named("task_request")["id"])
    task = [t for t in advisor.instance(instance["id"])["tasks"] if t["bpmn_id"] == "task_approve"]
    return {"id": task[0]["id"], "instance": instance["id"]}


def make_link(app, task_id, user="sh.president", **form):
    """Create a guest link through the task page; return its path."""
    staff = WebClient(app, user)
    response = staff.post(f"/tasks/{task_id}/guest-links",
                          {"party": "王女士", "email": "wang@client.example", "days": "7", **form})
    assert response.status_code == 200, text(response)[:300]
    url = re.search(r'id="guest-link-url" value="([^"]+)"', response.get_data(as_text=True))
    return urlsplit(url.group(1)).path


def test_the_outside_party_completes_the_task_once_without_an_account(app, review_task,
                                                                        as_user):
    path = make_link(app, review_task["id"])
    guest = WebClient(app, None, "zh-CN")
    page = guest.get(path)
    assert page.status_code == 200
    assert "致 王女士" in text(page) and 'id="guest-form"' in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "sh.advisor" not in text(page)  # only the form, not the staff's inbox
    done = guest.post(path, {"comment": "方案很好", "done": "true", "_action": "complete"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/guest/thanks")
    instance = as_user("sh.president").instance(review_task["instance"])
    assert instance["status"] == "completed" and instance["data"]["comment"] == "方案很好"
    with app.app_context():
        completed = db.session.scalars(select(Event).where(
            Event.action == "task_completed", Event.task_id == review_task["id"])).one()
        assert completed.actor == "guest:wang@client.example" and completed.actor_id is None
        mail = db.session.scalars(select(Notification).where(
            Notification.kind == "guest_link")).one()
        assert mail.address == "wang@client.example" and path in mail.body
    again = guest.get(path)  # single use
    assert again.status_code == 410 and "此链接已被使用" in text(again)
    assert guest.post(path, {"comment": "twice", "_action": "complete"}).status_code == 410


def test_invalid_answers_keep_the_link_usable(app, owner, advisor, as_user):
    owner.deploy("inbox_flow.bpmn")
    advisor.start("inbox_flow", business_key="明德")
    task = advisor.task_named("task_needs")["id"]
    path = make_link(app, task, user="sh.advisor")
    guest = WebClient(app, None, "en")
    wrong = guest.post(path, {"company": "明德教育", "credit_code": "bad", "service": "training",
                              "plan.0.step": "x", "plan.0.owner": "y", "_action": "complete"})
    assert wrong.status_code == 422
    assert field_error(wrong, "credit_code") == \
        "Enter the 18-character unified social credit code"
    with app.app_context():
        assert db.session.scalars(select(GuestLink)).one().used_at is None
    right = guest.post(path, {"company": "明德教育", "credit_code": CODE, "service": "training",
                              "plan.0.step": "x", "plan.0.owner": "y", "_action": "complete"})
    assert right.status_code == 302
    assert advisor.get(f"/api/v1/tasks/{task}").json["status"] == "completed"


def test_an_expired_link_is_refused_and_changes_nothing(app, review_task, as_user):
    path = make_link(app, review_task["id"], days="1")
    clock.advance(timedelta(days=1, minutes=1))
    guest = WebClient(app, None, "en")
    page = guest.get(path)
    assert page.status_code == 410 and "expired" in text(page)
    assert guest.post(path, {"comment": "late", "_action": "complete"}).status_code == 410
    task = as_user("sh.president").get(f"/api/v1/tasks/{review_task['id']}").json
    assert task["status"] == "ready"


@pytest.mark.parametrize("tamper", [
    # a changed signature (not its last character: base64 may ignore that one's low bits)
    lambda token: token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
    lambda token: "x" + token,  # a changed payload
    lambda token: "not-a-token",
])
def test_a_tampered_link_is_refused_and_changes_nothing(app, review_task, as_user, tamper):
    path = make_link(app, review_task["id"])
    token = path.rsplit("/", 1)[1]
    bad = f"/guest/{tamper(token)}"
    guest = WebClient(app, None, "en")
    assert guest.get(bad).status_code == 404
    assert guest.post(bad, {"comment": "forged", "_action": "complete"}).status_code == 404
    task = as_user("sh.president").get(f"/api/v1/tasks/{review_task['id']}").json
    assert task["status"] == "ready"
    assert guest.get(path).status_code == 200  # the real link still works


def test_a_link_signed_with_another_key_is_refused(app, make_app, review_task):
    path = make_link(app, review_task["id"])
    other = make_app(SECRET_KEY="another-secret")
    assert WebClient(other, None).get(path).status_code == 404


def test_a_withdrawn_link_is_refused_and_only_staff_of_the_task_may_make_links(
        app, review_task):
    path = make_link(app, review_task["id"])
    with app.app_context():
        link_id = db.session.scalars(select(GuestLink.id)).one()
    staff = WebClient(app, "sh.president")
    assert staff.post(f"/guest-links/{link_id}/revoke").status_code == 302
    assert WebClient(app, None).get(path).status_code == 410
    # an advisor of Shanghai sees nothing of a president's task; Shenzhen not even that it exists
    assert WebClient(app, "sh.advisor").post(f"/tasks/{review_task['id']}/guest-links",
                                             {"party": "x"}).status_code in (403, 404)
    assert WebClient(app, "sz.president").post(f"/tasks/{review_task['id']}/guest-links",
                                               {"party": "x"}).status_code == 404


def test_bad_link_requests_are_reported_beside_their_fields(app, review_task):
    staff = WebClient(app, "sh.president", "en")
    response = staff.post(f"/tasks/{review_task['id']}/guest-links",
                          {"party": "", "email": "not-an-address", "days": "90"})
    assert response.status_code == 422
    assert "Enter the name of the person." in text(response)
    assert "Enter a valid e-mail address." in text(response)
    with app.app_context():
        assert db.session.scalars(select(GuestLink)).all() == []
