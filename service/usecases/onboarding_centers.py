"""Service tasks of center onboarding: register, decide, settle, approve, provision, activate."""

from sqlalchemy import func, select

from service.models import Center, CenterApplication, User, db

from . import credit_code, org_admin
from .context import record
from .crm_step import StepError, choice, current, day, log, names, now, text
from .step_rights import Operation, city_centers, nothing

OPEN = ("submitted", "under_review", "more_info", "settlement", "awaiting_approval",
        "approved", "provisioned", "training", "trained")
PUBLIC_ACTOR = "public"


def _application(application_id) -> CenterApplication:
    instance, _ = current()
    row = db.session.get(CenterApplication, int(application_id))
    if row is None or row.instance_id != instance.id:
        raise StepError(f"application {application_id} does not belong to this instance")
    return row


def _touch(row: CenterApplication, status: str | None = None) -> None:
    row.updated_at = now()
    if status:
        row.status = status


def check_identity(data: dict, exclude_id: int | None = None) -> dict[str, str]:
    """Return {field: problem} for a code or username that is invalid or taken."""
    problems = {}
    if not credit_code.is_valid(data.get("credit_code")):
        problems["credit_code"] = "not a valid unified social credit code"
    code = str(data.get("center_code") or "")
    taken = db.session.scalar(select(func.count()).select_from(Center).where(Center.code == code))
    pending = db.session.scalar(select(func.count()).select_from(CenterApplication).where(
        CenterApplication.center_code == code, CenterApplication.status.in_(OPEN),
        CenterApplication.id != (exclude_id or 0)))
    if taken or pending:
        problems["center_code"] = "already used by a center or an open application"
    username = str(data.get("president_username") or "")
    if db.session.scalar(select(func.count()).select_from(User).where(
            func.lower(User.username) == username.lower())):
        problems["president_username"] = "already taken"
    return problems


def register_application(params: dict, data: dict) -> dict:
    """Keep the application with its four qualifications as submitted."""
    instance, actor = current()
    application = params.get("application")
    if not isinstance(application, dict):
        raise StepError("the application must be an object")
    problems = check_identity(application)
    if problems:
        raise StepError("; ".join(f"{k}: {v}" for k, v in problems.items()))
    moment = now()
    row = CenterApplication(
        instance_id=instance.id, source="public" if actor.username == PUBLIC_ACTOR
        else "management", status="submitted",
        company_name=text(application.get("company_name"), "company_name", 200),
        credit_code=application["credit_code"],
        center_code=text(application.get("center_code"), "center_code", 32),
        data=application, unmet=[], supplements=[], rejection_reasons=[], trainings=[],
        created_at=moment, updated_at=moment)
    db.session.add(row)
    db.session.flush()
    log("center_application_registered", application=row.id, source=row.source,
        center_code=row.center_code)
    return {"id": row.id}


def record_eligibility(params: dict, data: dict) -> dict:
    """Keep the decision table's verdict: every unmet requirement with its reason."""
    row = _application(params.get("application_id"))
    unmet = params.get("unmet") or []
    if not isinstance(unmet, list) or not all(isinstance(u, dict) for u in unmet):
        raise StepError("unmet must be a list of {criterion, reason}")
    row.unmet, row.eligible = unmet, not unmet
    if unmet:
        row.rejection_reasons = [u.get("reason") for u in unmet]
    _touch(row, "under_review" if row.eligible else "ineligible")
    log("center_application_checked", application=row.id, eligible=row.eligible,
        unmet=sorted({u.get("criterion") for u in unmet}))
    return {"eligible": row.eligible, "criteria": sorted({u.get("criterion") for u in unmet})}


def record_review(params: dict, data: dict) -> dict:
    """Keep national management's review: approve, ask for more, or reject with reasons."""
    _, actor = current()
    row = _application(params.get("application_id"))
    decision = choice(params.get("decision"), "decision", ("approve", "more_info", "reject"))
    row.review_decision, row.review_comment = decision, text(params.get("comment"), "comment")
    row.reviewed_by, row.reviewed_at = actor.username, now()
    if decision == "reject":
        row.rejection_reasons = [row.review_comment]
    _touch(row, {"approve": "settlement", "more_info": "more_info", "reject": "rejected"}[decision])
    log("center_application_reviewed", application=row.id, decision=decision)
    return {"decision": decision}


def update_application(params: dict, data: dict) -> dict:
    """Keep the supplemented qualifications; the decision table checks them again."""
    _, actor = current()
    row = _application(params.get("application_id"))
    application = params.get("application")
    if not isinstance(application, dict):
        raise StepError("the application must be an object")
    row.data = application
    row.supplements = [*row.supplements, {"note": text(params.get("note"), "note"),
                                          "by": actor.username, "at": now().isoformat()}]
    _touch(row, "submitted")
    log("center_application_supplemented", application=row.id)
    return {"supplements": len(row.supplements)}


def record_settlement(params: dict, data: dict) -> dict:
    """Keep the finance department's settlement set-up."""
    _, actor = current()
    row = _application(params.get("application_id"))
    share = params.get("revenue_share_percent")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 100:
        raise StepError("revenue_share_percent must be between 0 and 100")
    row.settlement = {
        "account_name": text(params.get("account_name"), "account_name", 200),
        "bank_name": text(params.get("bank_name"), "bank_name", 200),
        "account_number": text(params.get("account_number"), "account_number", 40),
        "settlement_cycle": choice(params.get("settlement_cycle"), "settlement_cycle",
                                   ("monthly", "quarterly")),
        "revenue_share_percent": share,
        "invoice_title": text(params.get("invoice_title"), "invoice_title", 200),
    }
    row.settled_by, row.settled_at = actor.username, now()
    _touch(row, "awaiting_approval")
    log("center_settlement_set", application=row.id)
    return {"ok": True}


def record_approval(params: dict, data: dict) -> dict:
    """Keep the national president's decision."""
    _, actor = current()
    row = _application(params.get("application_id"))
    decision = choice(params.get("decision"), "decision", ("approve", "reject"))
    row.approval_decision, row.approval_comment = decision, text(params.get("comment"), "comment")
    row.approved_by, row.approved_at = actor.username, now()
    if decision == "reject":
        row.rejection_reasons = [row.approval_comment]
    _touch(row, "approved" if decision == "approve" else "rejected")
    log("center_application_decided", application=row.id, decision=decision)
    return {"decision": decision}


def provision_center(params: dict, data: dict) -> dict:
    """Create the city center (pending until activation) and its president's account."""
    _, actor = current()
    row = _application(params.get("application_id"))
    problems = check_identity({**row.data, "credit_code": row.credit_code}, exclude_id=row.id)
    if problems:
        raise StepError("; ".join(f"{k}: {v}" for k, v in problems.items()))
    national = db.session.scalar(select(Center).where(Center.kind == "national"))
    app = row.data
    center = Center(code=row.center_code, kind="city", parent_id=national.id, status="pending",
                    name_zh=text(app.get("center_name_zh"), "center_name_zh", 100),
                    name_en=text(app.get("center_name_en"), "center_name_en", 100),
                    region=text(app.get("region"), "region", 100, required=False))
    db.session.add(center)
    db.session.flush()
    # The org audit log shows the new center like one created by hand.
    record("center_created", actor, center=center.code, name_zh=center.name_zh,
                     name_en=center.name_en, region=center.region, application=row.id)
    president = org_admin.add_user(actor, {
        "username": text(app.get("president_username"), "president_username", 80),
        "display_name": text(app.get("president_name"), "president_name", 100),
        "email": text(app.get("president_email"), "president_email", 200),
        "phone": None, "center": center, "roles": ["city_president"]})
    row.center_id, row.president_id, row.provisioned_at = center.id, president.id, now()
    _touch(row, "provisioned")
    log("center_provisioned", application=row.id, center=center.code,
        president=president.username)
    return {"center": center.code, "president": president.username}


def record_training(params: dict, data: dict) -> dict:
    """Keep one round of the training dept's training of the new center's staff."""
    _, actor = current()
    row = _application(params.get("application_id"))
    sessions = params.get("sessions")
    if not isinstance(sessions, list) or not sessions:
        raise StepError("sessions must list at least one training session")
    clean = [{"course": text(s.get("course"), "course", 200),
              "date": day(s.get("date"), "date").isoformat(), "hours": s.get("hours"),
              "trainees": names(s.get("trainees"), "trainees")} for s in sessions]
    passed = params.get("passed") is True
    row.trainings = [*row.trainings, {"sessions": clean, "passed": passed,
                                      "note": text(data.get("training_note"), "training_note",
                                                   required=False),
                                      "by": actor.username, "at": now().isoformat()}]
    _touch(row, "trained" if passed else "training")
    log("center_staff_trained", application=row.id, passed=passed)
    return {"passed": passed}


def activate_center(params: dict, data: dict) -> dict:
    """Open the center for work: its people can sign in from now on."""
    _, actor = current()
    row = _application(params.get("application_id"))
    center = db.session.get(Center, row.center_id)
    previous, center.status = center.status, "active"
    record("center_status_changed", actor, center=center.code, previous=previous,
                     status="active", application=row.id)
    row.activated_by, row.activated_at = actor.username, now()
    _touch(row, "active")
    log("center_activated", application=row.id, center=center.code)
    return {"center": center.code}


# A new center and its president need national management's or the national president's
# rights, as the organisation API asks; the other steps keep the application's records.
OPERATIONS = {
    "onboarding.register_application": Operation(register_application, nothing),
    "onboarding.record_eligibility": Operation(record_eligibility, nothing),
    "onboarding.record_review": Operation(record_review, nothing),
    "onboarding.update_application": Operation(update_application, nothing),
    "onboarding.record_settlement": Operation(record_settlement, nothing),
    "onboarding.record_approval": Operation(record_approval, nothing),
    "onboarding.provision_center": Operation(provision_center, city_centers("city_president")),
    "onboarding.record_training": Operation(record_training, nothing),
    "onboarding.activate_center": Operation(activate_center, city_centers()),
}
