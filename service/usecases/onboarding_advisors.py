"""Service tasks of advisor onboarding: propose, assess (one retry), activate the account."""

import re

from sqlalchemy import func, select

from service.models import AdvisorCandidate, Center, User, db

from . import org_admin
from .crm_step import StepError, current, day, integer, log, now, text
from .step_rights import Operation, nothing, people_of_the_center

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
ATTEMPTS = 2  # a failed assessment may be retaken once
OPEN = ("training", "retraining", "approved")


def _candidate(candidate_id) -> AdvisorCandidate:
    instance, _ = current()
    row = db.session.get(AdvisorCandidate, integer(candidate_id, "candidate_id"))
    if row is None or row.instance_id != instance.id:
        raise StepError(f"candidate {candidate_id} does not belong to this instance")
    return row


def _problem(username: str, instance_id: int) -> str | None:
    if not USERNAME.match(username):
        return "用户名格式无效 / the username is not valid"
    if db.session.scalar(select(func.count()).select_from(User).where(
            func.lower(User.username) == username.lower())):
        return "用户名已被占用 / the username is taken"
    if db.session.scalar(select(func.count()).select_from(AdvisorCandidate).where(
            func.lower(AdvisorCandidate.username) == username.lower(),
            AdvisorCandidate.status.in_(OPEN), AdvisorCandidate.instance_id != instance_id)):
        return "该用户名已有进行中的提名 / another proposal uses this username"
    return None


def propose_advisor(params: dict, data: dict) -> dict:
    """Keep the city center's proposal, or say why it cannot be accepted."""
    instance, actor = current()
    username = text(params.get("username"), "username", 80)
    problem = _problem(username, instance.id)
    if problem:
        return {"ok": False, "id": None, "problem": problem}
    row = db.session.scalar(select(AdvisorCandidate).where(
        AdvisorCandidate.instance_id == instance.id))
    if row is None:
        row = AdvisorCandidate(instance_id=instance.id, center_id=instance.center_id,
                               assessments=[], created_at=now())
        db.session.add(row)
    row.status, row.username, row.proposed_by = "training", username, actor.username
    row.display_name = text(params.get("display_name"), "display_name", 100)
    row.email = text(params.get("email"), "email", 200)
    row.phone = text(data.get("phone"), "phone", 40, required=False)
    row.background = text(params.get("background"), "background")
    row.reason = text(params.get("reason"), "reason")
    db.session.flush()
    log("advisor_proposed", candidate=row.id, username=username)
    return {"ok": True, "id": row.id, "problem": None}


def record_assessment(params: dict, data: dict) -> dict:
    """Keep one training and assessment attempt; a first failure allows one retry."""
    _, actor = current()
    row = _candidate(params.get("candidate_id"))
    passed = params.get("passed") is True
    attempt = len(row.assessments) + 1
    row.assessments = [*row.assessments, {
        "attempt": attempt, "course": text(params.get("course"), "course", 200),
        "trained_on": day(params.get("trained_on"), "trained_on").isoformat(),
        "score": integer(params.get("score"), "score", 0, 100), "passed": passed,
        "comments": text(data.get("assessment_comments"), "assessment_comments",
                         required=False),
        "by": actor.username, "at": now().isoformat()}]
    retry = not passed and attempt < ATTEMPTS
    row.status = "approved" if passed else ("retraining" if retry else "failed")
    log("advisor_assessed", candidate=row.id, attempt=attempt, passed=passed)
    return {"passed": passed, "retry": retry, "attempt": attempt}


def activate_advisor(params: dict, data: dict) -> dict:
    """Create the advisor's account in the center (invited by e-mail), or record a refusal."""
    _, actor = current()
    row = _candidate(params.get("candidate_id"))
    activate = params.get("activate") is True
    row.decided_by, row.decided_at = actor.username, now()
    if not activate:
        row.status = "declined"
        log("advisor_declined", candidate=row.id)
        return {"activated": False, "username": None}
    problem = _problem(row.username, row.instance_id)
    if problem:
        raise StepError(problem)
    user = org_admin.add_user(actor, {
        "username": row.username, "display_name": row.display_name, "email": row.email,
        "phone": row.phone, "center": db.session.get(Center, row.center_id),
        "roles": ["advisor"]})
    row.user_id, row.status = user.id, "active"
    log("advisor_activated", candidate=row.id, username=user.username)
    return {"activated": True, "username": user.username}


# Only the account needs a right: managing the center's people (its president does), as the
# organisation API asks.
OPERATIONS = {
    "onboarding.propose_advisor": Operation(propose_advisor, nothing),
    "onboarding.record_assessment": Operation(record_assessment, nothing),
    "onboarding.activate_advisor": Operation(activate_advisor, people_of_the_center("advisor")),
}
