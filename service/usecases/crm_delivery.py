"""Service tasks of the enterprise service flow, steps 6-10: deliver, certify, evaluate, archive."""

from sqlalchemy import func, select

from service.models import (
    Certification,
    CertificationBody,
    Document,
    ExecutionItem,
    Feedback,
    ServiceRecord,
    db,
)

from .crm_step import (
    StepError,
    choice,
    current,
    engagement,
    integer,
    log,
    names,
    now,
    text,
    when,
)
from .step_rights import Operation, nothing

OUTCOMES = ("passed", "more_material", "failed")
METHODS = ("online", "courier", "in_person", "email")
ESCALATION_ACTIONS = ("chased_body", "contacted_client", "reassigned", "other")
SCORES = ("professional_attitude", "active_communication", "warmth", "results")


def _documents(row, ids, name: str) -> list[Document]:
    """Return the customer's documents with these ids, or raise naming the strangers."""
    wanted = [integer(i, name, 1) for i in ids or []]
    found = {d.id: d for d in db.session.scalars(select(Document).where(
        Document.id.in_(wanted or [0]), Document.customer_id == row.customer_id))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise StepError(f"{name}: documents {missing} are not documents of this customer")
    return [found[i] for i in wanted]


def record_delivery(params: dict, data: dict) -> dict:
    """Record every delivered row of the execution plan as a service record."""
    row = engagement(params.get("engagement_id"))
    items, results = params.get("items") or [], params.get("results")
    # Parallel deliveries finish in any order: the results are keyed by row position.
    if not isinstance(results, dict):
        raise StepError("results must map each row's position to its delivery record")
    by_row = {str(key): value for key, value in results.items()}
    if sorted(by_row) != sorted(str(i) for i in range(len(items))):
        raise StepError("every execution item needs its delivery record")
    created = []
    for position, item in enumerate(items):
        result = by_row[str(position)]
        execution = db.session.get(ExecutionItem, integer(item.get("id"), "items.id"))
        if execution is None or execution.engagement_id != row.id:
            raise StepError(f"execution item {item.get('id')} is not part of this engagement")
        record = ServiceRecord(
            engagement_id=row.id, execution_item_id=execution.id,
            occurred_at=when(result.get("occurred_at"), "occurred_at"),
            place=text(result.get("place"), "place", 200),
            participants=names(result.get("participants"), "participants"),
            summary=text(result.get("summary"), "summary"),
            recorded_by=execution.owner.username, created_at=now())
        db.session.add(record)
        db.session.flush()
        for document in _documents(row, result.get("attachments"), "attachments"):
            document.service_record_id, document.engagement_id = record.id, row.id
        execution.status, execution.completed_at = "done", now()
        created.append(record.id)
    row.stage = "materials" if row.certification_required else "evaluation"
    log("service_delivered", engagement=row.id, records=created)
    return {"records": created}


def hand_over(params: dict, data: dict) -> dict:
    """Record which materials went to which certification body, or say what is wrong."""
    _, actor = current()
    row = engagement(params.get("engagement_id"))
    code = text(params.get("body"), "body", 40)
    body = db.session.scalar(select(CertificationBody).where(CertificationBody.code == code,
                                                             CertificationBody.active.is_(True)))
    if body is None:
        return {"ok": False, "problem": f"认证机构 {code} 不在登记册中 / "
                                        f"{code} is not a registered certification body"}
    try:
        documents = _documents(row, params.get("documents"), "documents")
    except StepError as exc:
        return {"ok": False, "problem": str(exc)}
    number = (db.session.scalar(select(func.max(Certification.round)).where(
        Certification.engagement_id == row.id)) or 0) + 1
    certification = Certification(
        engagement_id=row.id, body=body, round=number, documents=[d.id for d in documents],
        handed_over_at=when(params.get("handed_over_at"), "handed_over_at"),
        method=choice(params.get("method"), "method", METHODS),
        note=text(data.get("handover_note"), "handover_note", required=False),
        handed_over_by=actor.username, status="submitted")
    db.session.add(certification)
    for document in documents:
        document.engagement_id = row.id
    row.stage = "certification"
    db.session.flush()
    log("materials_handed_over", engagement=row.id, body=code, round=number,
        documents=certification.documents)
    return {"ok": True, "certification_id": certification.id, "round": number, "body": code}


def _latest_certification(row) -> Certification:
    certification = db.session.scalars(select(Certification).where(
        Certification.engagement_id == row.id).order_by(Certification.round.desc())).first()
    if certification is None:
        raise StepError("no materials were handed over for certification")
    return certification


def record_certification_result(params: dict, data: dict) -> dict:
    """Record the body's result on the round waiting for it."""
    _, actor = current()
    row = engagement(params.get("engagement_id"))
    result = params.get("result")
    if not isinstance(result, dict):
        raise StepError("the certification result must be an object")
    certification = _latest_certification(row)
    if certification.status != "submitted":
        raise StepError(f"round {certification.round} already has a result")
    outcome = choice(result.get("outcome"), "outcome", OUTCOMES)
    certification.status, certification.result_at = outcome, now()
    certification.result_note = text(result.get("note"), "note", required=False)
    certification.certificate_no = text(result.get("certificate_no"), "certificate_no", 100,
                                        required=False)
    certification.reported_by = actor.username
    if outcome != "more_material":
        row.certification_outcome = outcome
    row.stage = "materials" if outcome == "more_material" else "evaluation"
    log("certification_result", engagement=row.id, round=certification.round,
        outcome=outcome, reported_by=actor.username)
    return {"outcome": outcome, "round": certification.round}


def record_escalation(params: dict, data: dict) -> dict:
    """Record how the city president followed up a certification overdue for 30 days."""
    _, actor = current()
    # The follow-up may be written after the engagement closed: it is part of its audit.
    row = engagement(params.get("engagement_id"), allow_archived=True)
    certification = _latest_certification(row)
    certification.escalated_at, certification.escalated_by = now(), actor.username
    certification.escalation_action = choice(params.get("action"), "action", ESCALATION_ACTIONS)
    certification.escalation_note = text(params.get("note"), "note")
    log("certification_escalated", engagement=row.id, round=certification.round)
    return {"round": certification.round}


def record_feedback(params: dict, data: dict) -> dict:
    """Keep the client's scores; an average under 3 calls for the president's review."""
    _, actor = current()
    row = engagement(params.get("engagement_id"))
    scores = {name: integer(params.get(name), name, 1, 5) for name in SCORES}
    average = round(sum(scores.values()) / len(scores), 2)
    feedback = Feedback(
        engagement_id=row.id, **scores, average=average,
        comments=text(params.get("comments"), "comments", required=False),
        evaluated_with=text(params.get("evaluated_with"), "evaluated_with", 100),
        evaluated_at=when(params.get("evaluated_at"), "evaluated_at"),
        recorded_by=actor.username, created_at=now(), review_required=average < 3)
    db.session.add(feedback)
    row.stage = "review" if feedback.review_required else "archive"
    log("feedback_recorded", engagement=row.id, average=average,
        review_required=feedback.review_required)
    return {"average": average, "review_required": feedback.review_required}


def record_review(params: dict, data: dict) -> dict:
    """Keep the city president's review of a low evaluation."""
    _, actor = current()
    row = engagement(params.get("engagement_id"))
    feedback = db.session.scalar(select(Feedback).where(Feedback.engagement_id == row.id))
    if feedback is None:
        raise StepError("the engagement has no evaluation to review")
    feedback.review_findings = text(params.get("findings"), "findings")
    feedback.review_actions = text(params.get("actions"), "actions")
    feedback.reviewed_by, feedback.reviewed_at = actor.username, now()
    row.stage = "archive"
    log("feedback_reviewed", engagement=row.id)
    return {"reviewed_by": actor.username}


def archive_engagement(params: dict, data: dict) -> dict:
    """Close the engagement: from now on its record is read-only."""
    _, actor = current()
    row = engagement(params.get("engagement_id"))
    moment = now()
    row.archive_summary = text(params.get("summary"), "summary")
    row.archived_at, row.archived_by = moment, actor.username
    row.status, row.closed_at, row.stage = "closed", moment, "archived"
    log("engagement_archived", engagement=row.id)
    return {"archived_at": moment.isoformat()}


# They keep the engagement's own CRM records: no organisation right is needed.
OPERATIONS = {
    "crm.record_delivery": Operation(record_delivery, nothing),
    "crm.hand_over": Operation(hand_over, nothing),
    "crm.record_certification_result": Operation(record_certification_result, nothing),
    "crm.record_escalation": Operation(record_escalation, nothing),
    "crm.record_feedback": Operation(record_feedback, nothing),
    "crm.record_review": Operation(record_review, nothing),
    "crm.archive_engagement": Operation(archive_engagement, nothing),
}
