"""Service operations act with a person's rights, never the author's; who may start what.

Issue 14, point 2: a process owner's diagram that chains the onboarding operations creates no
account and no center; a step after a timer, a message or a retry acts with no roles; only the
roles of a none-start event's lane (or its startableBy) start an instance by hand.
"""

import io
from datetime import timedelta
from xml.sax.saxutils import escape, quoteattr

from inbox_support import WebClient
from sqlalchemy import func, select
from support import ApiClient

from service import clock
from service.models import AdvisorCandidate, Center, Incident, User, db
from service.usecases.credit_code import check_character

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')
CODE = "91330100MA2CFL8X1"
CODE = CODE + check_character(CODE)


def diagram(key: str, start_lane: str, *steps: tuple[str, str], messages: str = "") -> bytes:
    """Return a straight process: a none-start event in start_lane, then the steps in order."""
    elements = [("start", '<bpmn:startEvent id="start" />'), *steps,
                ("end", '<bpmn:endEvent id="end" />')]
    ids = [element_id for element_id, _ in elements]
    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
    flows = "".join(f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}" />'
                    for n, (a, b) in enumerate(zip(ids, ids[1:], strict=False)))
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {NS} id="d_{key}" '
            f'targetNamespace="https://linkpass.test">{messages}'
            f'<bpmn:process id="{key}" isExecutable="true"><bpmn:laneSet id="lanes">'
            f'<bpmn:lane id="lane" name="{start_lane}">{refs}</bpmn:lane></bpmn:laneSet>'
            f'{"".join(xml for _, xml in elements)}{flows}</bpmn:process>'
            f'</bpmn:definitions>').encode()


def script(element_id: str, code: str) -> tuple[str, str]:
    return element_id, (f'<bpmn:scriptTask id="{element_id}" scriptFormat="python">'
                        f"<bpmn:script>{escape(code)}</bpmn:script></bpmn:scriptTask>")


def service(element_id: str, operation: str, result: str, **params: str) -> tuple[str, str]:
    values = "".join(f'<spiffworkflow:parameter id="{name}" type="str" value={quoteattr(v)} />'
                     for name, v in params.items())
    return element_id, (
        f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
        f'<spiffworkflow:serviceTaskOperator id="{operation}" resultVariable="{result}">'
        f"<spiffworkflow:parameters>{values}</spiffworkflow:parameters>"
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>")


TIMER = ("wait", '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="t">'
                 '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>'
                 "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>")
MESSAGE = '<bpmn:message id="go_message" name="go_ahead" />'
CATCH = ("wait", '<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition id="m" '
                 'messageRef="go_message" /></bpmn:intermediateCatchEvent>')
PROPOSE = (script("prepare", 'username = "evil.advisor"\ndisplay_name = "Evil"\n'
                             'email = "owner.inbox@evil.example"\nbackground = "none"\n'
                             'reason = "none"'),
           service("step_propose", "onboarding.propose_advisor", "candidate", username="username",
                   display_name="display_name", email="email", background="background",
                   reason="reason"),
           service("step_activate", "onboarding.activate_advisor", "activated",
                   candidate_id='candidate["id"]', activate="True"))


def center_chain(code: str, *between) -> tuple:
    """Register an application for center `code`, then (after `between`) provision it."""
    application = {
        "company_name": "Evil Ltd", "credit_code": CODE, "center_code": code,
        "center_name_zh": "恶意中心", "center_name_en": "Evil center", "region": "nowhere",
        "president_username": f"{code}.president", "president_name": "Evil",
        "president_email": f"{code}@evil.example"}
    return (script("prepare", f"application = {application!r}"),
            service("step_register", "onboarding.register_application", "registration",
                    application="application"),
            *between,
            service("step_provision", "onboarding.provision_center", "provisioned",
                    application_id='registration["id"]'),
            service("step_open", "onboarding.activate_center", "opened",
                    application_id='registration["id"]'))


def deploy(owner: ApiClient, key: str, content: bytes) -> None:
    response = owner.post("/api/v1/processes", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(content), f"{key}.bpmn")})
    assert response.status_code == 201, response.json


def count(app, model, **where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        found = db.session.scalar(stmt)
        db.session.remove()
        return found


def incident_messages(app, instance_id: int) -> list[str]:
    with app.app_context():
        found = [i.message for i in db.session.scalars(
            select(Incident).where(Incident.instance_id == instance_id).order_by(Incident.id))]
        db.session.remove()
        return found


def test_the_owner_may_not_start_a_process_outside_their_lanes(app, owner, as_user):
    deploy(owner, "evil_advisor", diagram("evil_advisor", "城市中心管理部", *PROPOSE))
    refused = owner.post("/api/v1/instances", json={"process": "evil_advisor", "center": "sz"})
    assert refused.status_code == 403, refused.json
    assert refused.json["details"] == {"process": ["not startable by you"]}
    assert as_user("sz.advisor").post("/api/v1/instances", json={
        "process": "evil_advisor"}).status_code == 403
    page = WebClient(app, "owner")  # the start page neither offers it nor starts it
    assert 'evil_advisor' not in page.get("/start").get_data(as_text=True)
    assert page.post("/start/evil_advisor", {"center": "sz"}).status_code == 404
    assert count(app, User, username="evil.advisor") == 0
    assert count(app, AdvisorCandidate) == 0  # nothing ran
    assert "evil_advisor" in WebClient(app, "sz.management").get("/start").get_data(
        as_text=True)


def test_an_authors_advisor_chain_acts_as_the_author_and_creates_no_account(app, owner):
    deploy(owner, "evil_advisor", diagram("evil_advisor", "流程负责人", *PROPOSE))
    assert owner.post("/api/v1/org/users", json={
        "username": "evil.advisor", "display_name": "Evil", "email": "x@evil.example",
        "center": "sz", "roles": ["advisor"]}).status_code == 403
    started = owner.post("/api/v1/instances", json={"process": "evil_advisor",
                                                    "center": "sz"}).json
    assert started["status"] == "error" and started["center"] == "sz"
    [message] = incident_messages(app, started["id"])
    assert "onboarding.activate_advisor" in message and "owner lacks the rights" in message
    assert "may not manage the users of center 'sz'" in message
    assert count(app, User, username="evil.advisor") == 0


def test_an_authors_center_chain_creates_no_center_and_no_president(app, owner):
    deploy(owner, "evil_center", diagram("evil_center", "流程负责人", *center_chain("evil")))
    started = owner.post("/api/v1/instances", json={"process": "evil_center",
                                                    "center": "sz"}).json
    assert started["status"] == "error"
    [message] = incident_messages(app, started["id"])
    assert "onboarding.provision_center" in message and "owner lacks the rights" in message
    assert count(app, Center, code="evil") == 0
    assert count(app, User, username="evil.president") == 0


def test_national_management_provisions_when_it_completes_the_step_itself(app, owner,
                                                                          as_user):
    deploy(owner, "own_center", diagram("own_center", "国家中心管理部", *center_chain("own")))
    started = as_user("nat.management").start("own_center")
    assert started["status"] == "completed", started
    assert count(app, Center, code="own", status="active") == 1
    assert count(app, User, username="own.president") == 1


def test_after_a_timer_and_a_retry_a_step_acts_with_no_roles(app, owner, as_user, admin,
                                                            run_worker):
    deploy(owner, "late_center", diagram("late_center", "国家中心管理部",
                                         *center_chain("late", TIMER)))
    started = as_user("nat.management").start("late_center")
    assert started["status"] == "waiting"
    clock.advance(timedelta(hours=2))
    run_worker()
    assert admin.instance(started["id"])["status"] == "error"
    admin.post(f"/api/v1/instances/{started['id']}/retry")  # as the admin: still no roles
    assert admin.instance(started["id"])["status"] == "error"
    fired, retried = incident_messages(app, started["id"])
    assert "it acts for worker with no roles" in fired
    assert "it acts for admin with no roles" in retried
    assert count(app, Center, code="late") == 0


def test_after_a_message_a_step_acts_with_no_roles(app, owner, as_user):
    deploy(owner, "told_center", diagram("told_center", "国家中心管理部",
                                         *center_chain("told", CATCH), messages=MESSAGE))
    management = as_user("nat.management")
    started = management.start("told_center", business_key="told-1")
    assert started["status"] == "waiting"
    delivered = management.post("/api/v1/messages", json={
        "name": "go_ahead", "correlation_key": "told-1", "payload": {}})
    assert delivered.status_code == 200, delivered.json
    assert delivered.json["instances"][0]["status"] == "error"
    [message] = incident_messages(app, started["id"])
    assert "it acts for nat.management with no roles" in message
    assert count(app, Center, code="told") == 0


def test_start_follows_the_start_events_lane_or_its_startable_by(app, owner, as_user, client):
    startable = diagram("ask_president", "城市中心总裁", script("note", "x = 1")).replace(
        b'<bpmn:startEvent id="start" />',
        b'<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
        b'<spiffworkflow:property name="startableBy" value="advisor" />'
        b"</spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>")
    deploy(owner, "ask_president", startable)
    assert as_user("sh.president").start("ask_president")["status"] == "completed"
    assert as_user("sh.advisor").start("ask_president")["status"] == "completed"
    as_user("sh.management").start("ask_president", expect=403)
    as_user("owner").start("ask_president", expect=403)
    as_user("admin").start("ask_president", data={}, expect=201)  # admins may start anything


def test_an_unknown_startable_by_role_is_refused_at_deploy(owner):
    bad = diagram("bad_start", "advisor", script("note", "x = 1")).replace(
        b'<bpmn:startEvent id="start" />',
        b'<bpmn:startEvent id="start"><bpmn:extensionElements><spiffworkflow:properties>'
        b'<spiffworkflow:property name="startableBy" value="advisor, chief" />'
        b"</spiffworkflow:properties></bpmn:extensionElements></bpmn:startEvent>")
    response = owner.post("/api/v1/processes", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(bad), "bad_start.bpmn")})
    assert response.status_code == 422
    assert response.json["details"]["findings"] == [
        {"element_id": "start", "message": "startableBy 'chief' names no role"}]
