"""A process owner who redraws a lane of the real onboarding processes gains nothing (issue 14).

The owner deploys a new version in which a lane they (or a lesser role) work in leads to the
step that creates a city center, or an advisor's account: the step acts as whoever completed
the task, lacks the rights the organisation API asks for, and becomes an incident.
"""

import io
from pathlib import Path

from domain_kit import Run
from sqlalchemy import func, select
from test_advisor_onboarding import PROPOSAL, assessment
from test_center_onboarding import SETTLEMENT, application

from service.models import Center, Incident, User, db

REPO = Path(__file__).resolve().parents[2]


def deploy_redrawn(as_user, name: str, old: str, new: str) -> None:
    """Deploy a new version of a real process with one lane renamed (another role)."""
    content = (REPO / "processes" / name).read_text("utf-8")
    assert content.count(old) == 1
    response = as_user("owner").post(
        "/api/v1/processes", content_type="multipart/form-data",
        data={"file": (io.BytesIO(content.replace(old, new).encode()), name)})
    assert response.status_code == 201, response.json
    assert response.json["version"] == 2


def incidents(read, run: Run) -> list[str]:
    return read(lambda: [i.message for i in db.session.scalars(
        select(Incident).where(Incident.instance_id == run.id))])


def test_an_approval_moved_into_the_owners_lane_provisions_no_center(as_user, read):
    deploy_redrawn(as_user, "center_onboarding.bpmn",
                   '<bpmn:lane id="lane_national_president" name="国家中心总裁">',
                   '<bpmn:lane id="lane_national_president" name="流程负责人">')
    started = as_user("nat.management").start("center_onboarding")
    run = Run(as_user, started["id"], center="national")
    run.complete("nat.management", "task_application", application())
    run.complete("nat.management", "task_review",
                 {"review_decision": "approve", "review_comment": "资质齐全"})
    run.complete("nat.finance", "task_settlement", SETTLEMENT)
    assert run.offered("task_approval") == {"owner"}  # the redrawn lane reaches the author
    run.complete("owner", "task_approval",
                 {"approval_decision": "approve", "approval_comment": "同意设立"})
    assert run.instance()["status"] == "error"
    [message] = incidents(read, run)
    assert "onboarding.provision_center" in message and "owner lacks the rights" in message
    assert read(lambda: db.session.scalar(select(func.count()).select_from(Center).where(
        Center.code == "hz"))) == 0
    assert read(lambda: db.session.scalar(select(func.count()).select_from(User).where(
        User.username == "hz.president"))) == 0


def test_an_activation_moved_to_city_management_creates_no_account(as_user, read):
    deploy_redrawn(as_user, "advisor_onboarding.bpmn",
                   '<bpmn:lane id="lane_city_president" name="城市中心总裁">',
                   '<bpmn:lane id="lane_city_president" name="城市中心管理部">')
    started = as_user("sh.management").start("advisor_onboarding")
    run = Run(as_user, started["id"])
    run.complete("sh.management", "task_propose", PROPOSAL)
    run.complete("nat.training", "task_assess", assessment(True, 90))
    assert "sh.management" in run.offered("task_activate")
    run.complete("sh.management", "task_activate", {"activate": True,
                                                     "activation_comment": "同意"})
    assert run.instance()["status"] == "error"
    [message] = incidents(read, run)
    assert "onboarding.activate_advisor" in message and "sh.management lacks" in message
    assert read(lambda: db.session.scalar(select(func.count()).select_from(User).where(
        User.username == PROPOSAL["username"]))) == 0
