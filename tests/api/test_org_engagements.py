"""Deactivating an advisor hands their engagements over, and the process follows the new owner."""

from pathlib import Path

import pytest
from sqlalchemy import select

from service import clock
from service.models import Engagement, User, db
from service.usecases import deployments, org
from service.usecases.context import Actor
from service.usecases.credit_code import check_character

REPO = Path(__file__).resolve().parents[2]
NEEDS = {"company_name": "上海联通精密制造有限公司",
         "credit_code": "91310000MA1FL8XQ3" + check_character("91310000MA1FL8XQ3"),
         "industry": "manufacturing", "size": "small", "contact_name": "王立",
         "contact_phone": "13800138000", "contact_email": "wang.li@example.cn",
         "contact_title": "总经理", "needs": ["consulting"], "expectations": "半年内通过认证",
         "channel": "phone", "contacted_at": "2026-05-06T10:00", "place": "电话",
         "summary": "客户希望建立质量管理体系"}


@pytest.fixture
def app(make_app, tmp_path):
    """An app on the repository's processes and forms, deployed, with the demo organisation."""
    app = make_app(PROCESSES_DIR=str(REPO / "processes"), FORMS_DIR=str(REPO / "forms"),
                   CRM_DOCUMENTS_DIR=str(tmp_path / "documents"))
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        org.seed_demo()
        owner = db.session.scalar(select(User).where(User.username == "owner"))
        deployments.deploy_directory(Actor.of(owner), str(REPO / "processes"))
        db.session.remove()
    clock.reset()
    yield app
    clock.reset()


def engagement_advisor(app, instance_id):
    with app.app_context():
        row = db.session.scalar(select(Engagement).where(Engagement.instance_id == instance_id))
        advisor = row.advisor.username
        db.session.remove()
    return advisor


def offered(api, instance_id, bpmn_id):
    return [t for scope in ("candidate", "mine") for t in api.tasks(scope)
            if t["instance_id"] == instance_id and t["bpmn_id"] == bpmn_id]


def test_engagements_and_their_lanes_go_to_the_chosen_advisor(app, as_user):
    advisor, colleague = as_user("sh.advisor"), as_user("sh.advisor2")
    started = advisor.start("enterprise_service")
    assert engagement_advisor(app, started["id"]) == "sh.advisor"
    assert offered(advisor, started["id"], "task_collect_needs")
    assert not offered(colleague, started["id"], "task_collect_needs")  # the owner's lane
    # Without a successor for the engagements, nothing changes.
    president = as_user("sh.president")
    refused = president.post("/api/v1/org/users/sh.advisor/deactivate", json={})
    assert refused.status_code == 409 and "engagements_to" in refused.json["details"]
    assert engagement_advisor(app, started["id"]) == "sh.advisor"
    response = president.post("/api/v1/org/users/sh.advisor/deactivate",
                              json={"tasks_to": "sh.advisor2", "engagements_to": "sh.advisor2"})
    assert response.status_code == 200, response.json
    summary = response.json["details"]
    assert len(summary["records"]["engagements"]) == 1
    assert [t["name"] for t in summary["to_colleague"]] == ["1 客户需求收集"]
    assert engagement_advisor(app, started["id"]) == "sh.advisor2"
    task = offered(colleague, started["id"], "task_collect_needs")[0]
    # The next step of the engagement's process goes to the new owner, not to the one who left.
    detail = colleague.get(f"/api/v1/tasks/{task['id']}").json
    assert detail["data"]["lane_owners"] == {"服务顾问": ["sh.advisor2"]}
    colleague.complete(task["id"], NEEDS)
    assert offered(colleague, started["id"], "task_draft_plan")
    log = as_user("admin").get(f"/api/v1/instances/{started['id']}/events").json
    assert {"task_handed_over", "engagement_handed_over"} <= {e["action"] for e in log}


def test_the_engagement_successor_must_be_an_advisor_of_the_center(app, as_user):
    as_user("sh.advisor").start("enterprise_service")
    president = as_user("sh.president")
    for username in ("sh.management", "sz.advisor"):
        response = president.post("/api/v1/org/users/sh.advisor/deactivate",
                                  json={"engagements_to": username})
        assert response.status_code == 422, response.json
