"""Advisor onboarding: a city proposes, the national training dept assesses, the city activates."""

from domain_kit import Run, accept_invitation, columns, sign_in
from sqlalchemy import select
from support import ApiClient

from service.models import AdvisorCandidate, User, db

PASSWORD = "Advisor2026x"
PROPOSAL = {"username": "sh.advisor3", "display_name": "周敏", "email": "zhou.min@example.cn",
            "phone": "13700000000", "background": "五年管理咨询经验",
            "reason": "熟悉本地制造业客户"}


def assessment(passed: bool, score: int) -> dict:
    return {"course": "服务顾问上岗培训", "trained_on": "2026-06-10", "score": score,
            "passed": passed, "assessment_comments": "合格" if passed else "需加强"}


def propose(as_user) -> Run:
    started = as_user("sh.management").start("advisor_onboarding")
    run = Run(as_user, started["id"])
    run.assert_offered("task_propose", {"sh.management"})
    run.complete("sh.management", "task_propose", PROPOSAL)
    return run


def candidate_of(run: Run):
    return lambda: columns(db.session.scalar(select(AdvisorCandidate).where(
        AdvisorCandidate.instance_id == run.id)))


def activate(run: Run, client, read) -> None:
    run.assert_offered("task_activate", {"sh.president"})
    run.complete("sh.president", "task_activate", {"activate": True, "activation_comment": "同意"})
    assert run.instance()["status"] == "completed"
    user = read(lambda: (lambda u: (u.center.code, sorted(u.roles), u.display_name, u.email))(
        db.session.scalar(select(User).where(User.username == "sh.advisor3"))))
    assert user == ("sh", ["advisor"], "周敏", "zhou.min@example.cn")
    assert accept_invitation(client, read, "sh.advisor3", PASSWORD) == 204
    assert sign_in(client, "sh.advisor3", PASSWORD) == 200


def test_pass_activates_an_advisor_who_can_own_engagements(as_user, client, read):
    run = propose(as_user)
    run.assert_offered("task_assess", {"nat.training"})
    run.complete("nat.training", "task_assess", assessment(True, 88))
    activate(run, client, read)
    row = read(candidate_of(run))
    assert (row["status"], row["username"], row["proposed_by"], row["decided_by"]) == (
        "active", "sh.advisor3", "sh.management", "sh.president")
    assert [(a["attempt"], a["score"], a["passed"], a["by"]) for a in row["assessments"]] == [
        (1, 88, True, "nat.training")]
    assert run.who_completed() == [("提名服务顾问", "sh.management"),
                                   ("培训与考核", "nat.training"), ("启用服务顾问", "sh.president")]
    # The new advisor owns the engagements they start.
    token = client.post("/api/v1/auth/token", json={"username": "sh.advisor3",
                                                    "password": PASSWORD}).json["token"]
    newcomer = ApiClient(client, None)
    newcomer.headers = {"Authorization": f"Bearer {token}"}
    started = newcomer.start("enterprise_service")
    engagement = Run(lambda u: newcomer if u == "sh.advisor3" else as_user(u), started["id"])
    assert engagement.offered("task_collect_needs") == set()  # no demo user: theirs alone
    assert engagement.open_tasks("sh.advisor3", "task_collect_needs")


def test_fail_then_retry_then_pass(as_user, client, read):
    run = propose(as_user)
    run.complete("nat.training", "task_assess", assessment(False, 52))
    run.assert_offered("task_assess", {"nat.training"})
    assert read(candidate_of(run))["status"] == "retraining"
    run.complete("nat.training", "task_assess", assessment(True, 81))
    activate(run, client, read)
    row = read(candidate_of(run))
    assert [(a["attempt"], a["score"], a["passed"]) for a in row["assessments"]] == [
        (1, 52, False), (2, 81, True)]


def test_two_failures_end_without_an_account(as_user, read):
    run = propose(as_user)
    run.complete("nat.training", "task_assess", assessment(False, 40))
    run.complete("nat.training", "task_assess", assessment(False, 55))
    assert run.instance()["status"] == "completed"
    assert run.offered("task_activate") == set()
    row = read(candidate_of(run))
    assert row["status"] == "failed" and row["user_id"] is None
    assert [a["passed"] for a in row["assessments"]] == [False, False]
    assert read(lambda: db.session.scalar(select(User).where(
        User.username == "sh.advisor3"))) is None


def test_a_taken_username_sends_the_proposal_back(as_user, read):
    started = as_user("sh.management").start("advisor_onboarding")
    run = Run(as_user, started["id"])
    run.complete("sh.management", "task_propose", {**PROPOSAL, "username": "sz.advisor"})
    run.assert_offered("task_propose", {"sh.management"})
    assert "taken" in run.data["candidate"]["problem"]
    run.complete("sh.management", "task_propose", PROPOSAL)
    run.assert_offered("task_assess", {"nat.training"})
