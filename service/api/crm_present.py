"""Turn CRM models into the API's plain dicts (times as ISO 8601 strings)."""


def _iso(value):
    return value.isoformat() if value is not None else None


def contact(row) -> dict:
    return {"id": row.id, "name": row.name, "phone": row.phone, "email": row.email,
            "title": row.title}


def customer(row, detail: dict | None = None) -> dict:
    out = {"id": row.id, "center": row.center.code, "credit_code": row.credit_code,
           "name": row.name, "industry": row.industry, "size": row.size,
           "created_by": row.created_by, "created_at": _iso(row.created_at),
           "updated_at": _iso(row.updated_at), "contacts": [contact(c) for c in row.contacts]}
    if detail is not None:
        out["communications"] = [communication(c) for c in detail["communications"]]
        out["documents"] = [document(d) for d in detail["documents"]]
        out["engagements"] = [engagement(e) for e in detail["engagements"]]
    return out


def communication(row) -> dict:
    return {"id": row.id, "engagement_id": row.engagement_id, "kind": row.kind,
            "channel": row.channel, "occurred_at": _iso(row.occurred_at), "place": row.place,
            "participants": row.participants, "summary": row.summary,
            "recorded_by": row.recorded_by}


def document(row) -> dict:
    return {"id": row.id, "customer_id": row.customer_id, "engagement_id": row.engagement_id,
            "service_record_id": row.service_record_id, "kind": row.kind,
            "filename": row.filename, "content_type": row.content_type, "size": row.size,
            "sha256": row.sha256, "uploaded_by": row.uploaded_by,
            "created_at": _iso(row.created_at)}


def engagement(row, parts: dict | None = None) -> dict:
    out = {"id": row.id, "center": row.center.code, "customer_id": row.customer_id,
           "instance_id": row.instance_id,
           "advisor": row.advisor.username if row.advisor else None, "channel": row.channel,
           "stage": row.stage, "status": row.status, "read_only": row.archived_at is not None,
           "inquiry": row.inquiry, "needs": row.needs, "expectations": row.expectations,
           "certification_required": row.certification_required,
           "certification_outcome": row.certification_outcome,
           "opened_at": _iso(row.opened_at), "closed_at": _iso(row.closed_at),
           "archived_at": _iso(row.archived_at), "archived_by": row.archived_by,
           "archive_summary": row.archive_summary}
    if parts is not None:
        out.update(_parts(parts))
    return out


def _parts(parts: dict) -> dict:
    feedback = parts["feedback"]
    return {
        "plan_versions": [{
            "number": p.number, "content": p.content, "services": p.services,
            "timetable": p.timetable, "expected_results": p.expected_results,
            "status": p.status, "client_feedback": p.client_feedback,
            "decided_at": _iso(p.decided_at), "created_by": p.created_by,
            "created_at": _iso(p.created_at)} for p in parts["plan_versions"]],
        "execution_items": [{
            "id": i.id, "position": i.position, "item": i.item, "type": i.type,
            "owner": i.owner.username, "due_date": i.due_date.isoformat(), "status": i.status,
            "completed_at": _iso(i.completed_at)} for i in parts["execution_items"]],
        "service_records": [{
            "id": r.id, "execution_item_id": r.execution_item_id,
            "occurred_at": _iso(r.occurred_at), "place": r.place,
            "participants": r.participants, "summary": r.summary,
            "recorded_by": r.recorded_by} for r in parts["service_records"]],
        "certifications": [{
            "round": c.round, "body": c.body.code, "documents": c.documents,
            "handed_over_at": _iso(c.handed_over_at), "method": c.method, "note": c.note,
            "handed_over_by": c.handed_over_by, "status": c.status,
            "result_note": c.result_note, "certificate_no": c.certificate_no,
            "result_at": _iso(c.result_at), "reported_by": c.reported_by,
            "escalated_at": _iso(c.escalated_at), "escalated_by": c.escalated_by,
            "escalation_action": c.escalation_action,
            "escalation_note": c.escalation_note} for c in parts["certifications"]],
        "communications": [communication(c) for c in parts["communications"]],
        "documents": [document(d) for d in parts["documents"]],
        "feedback": None if feedback is None else {
            "professional_attitude": feedback.professional_attitude,
            "active_communication": feedback.active_communication,
            "warmth": feedback.warmth, "results": feedback.results,
            "average": feedback.average, "comments": feedback.comments,
            "evaluated_with": feedback.evaluated_with,
            "evaluated_at": _iso(feedback.evaluated_at), "recorded_by": feedback.recorded_by,
            "review_required": feedback.review_required,
            "review_findings": feedback.review_findings,
            "review_actions": feedback.review_actions, "reviewed_by": feedback.reviewed_by,
            "reviewed_at": _iso(feedback.reviewed_at)},
    }


def body(row, key: str | None = None) -> dict:
    return {"code": row.code, "name": row.name, "contact_email": row.contact_email,
            "active": row.active, "key_issued_at": _iso(row.key_issued_at), "api_key": key}
