"""Service tasks of the enterprise service flow, steps 1-5: open, assign, profile, plan."""

from sqlalchemy import func, select

from service.models import (
    Communication,
    Contact,
    Customer,
    Engagement,
    ExecutionItem,
    PlanVersion,
    User,
    db,
)

from . import client_refs, credit_code, mail
from .crm_step import (
    StepError,
    choice,
    current,
    day,
    engagement,
    integer,
    log,
    names,
    now,
    text,
    user_in_center,
    when,
)
from .step_rights import Operation, nothing

CHANNELS = ("phone", "online", "visit", "referral", "media", "other")
SERVICES = ("consulting", "training", "certification", "subsidy")
ITEM_TYPES = (*SERVICES, "other")
INDUSTRIES = ("manufacturing", "technology", "trade", "services", "construction",
              "agriculture", "finance", "other")
SIZES = ("micro", "small", "medium", "large")


def _summary(row) -> dict:
    return {"id": row.id, "advisor": row.advisor.username if row.advisor else None,
            "channel": row.channel}


def open_engagement(params: dict, data: dict) -> dict:
    """Open the engagement of this run; an advisor who starts it owns it."""
    instance, actor = current()
    channel = choice(params.get("channel"), "channel", CHANNELS)
    inquiry = params.get("inquiry") if isinstance(params.get("inquiry"), dict) else None
    advisor = None
    if "advisor" in actor.roles and actor.center_id == instance.center_id:
        advisor = db.session.get(User, actor.id)
    row = Engagement(center_id=instance.center_id, instance_id=instance.id, channel=channel,
                     advisor=advisor, stage="needs" if advisor else "assignment",
                     status="open", inquiry=inquiry, opened_at=now(),
                     needs=(inquiry or {}).get("needs"),
                     expectations=(inquiry or {}).get("expectations"))
    db.session.add(row)
    db.session.flush()
    log("engagement_opened", engagement=row.id, channel=channel,
        advisor=advisor.username if advisor else None)
    return _summary(row)


def assign_advisor(params: dict, data: dict) -> dict:
    """Make an advisor of the engagement's center its owner, or say why not."""
    row = engagement(params.get("engagement_id"))
    username = text(params.get("advisor"), "advisor", 80)
    user = user_in_center(username, row.center_id, "advisor")
    if user is None:
        return {**_summary(row), "problem": f"{username} 不是本中心的在职服务顾问 / "
                                            f"{username} is not an active advisor of this center"}
    row.advisor, row.stage = user, "needs"
    log("advisor_assigned", engagement=row.id, advisor=username)
    return {**_summary(row), "problem": None}


def save_profile(params: dict, data: dict) -> dict:
    """Create or link the customer by credit code; keep the contact and the conversation."""
    instance, actor = current()
    row = engagement(params.get("engagement_id"))
    code = text(params.get("credit_code"), "credit_code", 18)
    if not credit_code.is_valid(code):
        raise StepError(f"credit_code {code!r} is not a valid unified social credit code")
    customer = db.session.scalar(select(Customer).where(Customer.center_id == row.center_id,
                                                        Customer.credit_code == code))
    created = customer is None
    if created:
        customer = Customer(center_id=row.center_id, credit_code=code, created_by=actor.username,
                            created_at=now())
        db.session.add(customer)
    customer.name = text(params.get("company_name"), "company_name", 200)
    customer.industry = choice(params.get("industry"), "industry", INDUSTRIES)
    customer.size = choice(params.get("size"), "size", SIZES)
    customer.updated_at = now()
    db.session.flush()
    contact = _contact(customer, params, data)
    needs = [choice(n, "needs", SERVICES) for n in params.get("needs") or []]
    if not needs:
        raise StepError("needs must name at least one service")
    row.customer_id, row.needs = customer.id, needs
    client_refs.refresh_labels(customer)
    row.expectations = text(params.get("expectations"), "expectations")
    row.certification_required = "certification" in needs
    row.stage = "plan"
    db.session.add(Communication(
        customer_id=customer.id, engagement_id=row.id, kind="needs",
        channel=choice(params.get("channel"), "channel", CHANNELS),
        occurred_at=when(params.get("contacted_at"), "contacted_at"),
        place=text(params.get("place"), "place", 200), participants=[actor.username,
                                                                      contact.name],
        summary=text(params.get("summary"), "summary"), recorded_by=actor.username,
        created_at=now()))
    log("customer_created" if created else "customer_linked", engagement=row.id,
        customer=customer.id, credit_code=code)
    return {"customer_id": customer.id, "created": created, "contact_id": contact.id}


def _contact(customer: Customer, params: dict, data: dict) -> Contact:
    """Return the customer's contact with this name and phone, added when new."""
    name = text(params.get("contact_name"), "contact_name", 100)
    phone = text(params.get("contact_phone"), "contact_phone", 40)
    contact = next((c for c in customer.contacts if c.name == name and c.phone == phone), None)
    if contact is None:
        contact = Contact(name=name, phone=phone, created_at=now())
        customer.contacts.append(contact)
    # Optional fields are read from the step's data: a process need not map them.
    contact.email = text(data.get("contact_email"), "contact_email", 200, False) or contact.email
    contact.title = text(data.get("contact_title"), "contact_title", 100, False) or contact.title
    db.session.flush()
    return contact


def save_plan(params: dict, data: dict) -> dict:
    """Keep the drafted plan as the engagement's next plan version."""
    _, actor = current()
    row = engagement(params.get("engagement_id"))
    services = [choice(s, "services", SERVICES) for s in params.get("services") or []]
    timetable = params.get("timetable") or []
    if not services or not isinstance(timetable, list) or not timetable:
        raise StepError("a plan needs services and a timetable")
    rows = [{"milestone": text(t.get("milestone"), "milestone", 200),
             "date": day(t.get("date"), "date").isoformat()} for t in timetable]
    number = (db.session.scalar(select(func.max(PlanVersion.number)).where(
        PlanVersion.engagement_id == row.id)) or 0) + 1
    db.session.add(PlanVersion(
        engagement_id=row.id, number=number, content=text(params.get("content"), "content"),
        services=services, timetable=rows,
        expected_results=text(params.get("expected_results"), "expected_results"),
        status="proposed", created_by=actor.username, created_at=now()))
    row.certification_required = "certification" in services
    row.stage = "confirm"
    log("plan_drafted", engagement=row.id, version=number)
    return {"version": number, "certification": row.certification_required}


def record_plan_decision(params: dict, data: dict) -> dict:
    """Record the client's answer on a plan version and the conversation it came from."""
    _, actor = current()
    row = engagement(params.get("engagement_id"))
    number = integer(params.get("plan_version"), "plan_version", 1)
    version = db.session.scalar(select(PlanVersion).where(
        PlanVersion.engagement_id == row.id, PlanVersion.number == number))
    if version is None:
        raise StepError(f"plan version {number} does not exist")
    decision = choice(params.get("decision"), "decision", ("confirm", "adjust"))
    feedback = text(params.get("client_feedback"), "client_feedback", required=False)
    version.status = "confirmed" if decision == "confirm" else "adjust"
    version.client_feedback, version.decided_at = feedback, now()
    verdict = "客户确认方案 / confirmed" if decision == "confirm" else "客户要求调整 / adjust"
    db.session.add(Communication(
        customer_id=row.customer_id, engagement_id=row.id, kind="plan_confirmation",
        channel=None, occurred_at=when(params.get("contacted_at"), "contacted_at"),
        place=text(params.get("place"), "place", 200),
        participants=names(params.get("participants"), "participants"),
        summary=f"方案第{number}版 / plan v{number}: {verdict}" + (f"\n{feedback}" if feedback
                                                                else ""),
        recorded_by=actor.username, created_at=now()))
    row.stage = "execution_plan" if decision == "confirm" else "plan"
    log("plan_confirmed" if decision == "confirm" else "plan_adjustment_requested",
        engagement=row.id, version=number)
    return {"decision": decision, "version": number}


def remind_advisor(params: dict, data: dict) -> dict:
    """Remind the owner that the client has not answered on the plan for seven days."""
    row = engagement(params.get("engagement_id"))
    number = integer(params.get("plan_version"), "plan_version", 1)
    advisor = row.advisor
    if advisor is not None and advisor.email:
        mail.queue(advisor, "crm_reminder", "客户尚未确认方案 / The client has not answered",
                   f"方案第{number}版已发出7天，客户尚未答复，请跟进。\n"
                   f"Plan version {number} has waited 7 days for the client's answer: "
                   f"please follow up (engagement {row.id}).\n")
    log("plan_confirmation_reminder", engagement=row.id, version=number,
        advisor=advisor.username if advisor else None)
    return {"reminded": advisor.username if advisor else None, "version": number}


def save_execution_plan(params: dict, data: dict) -> dict:
    """Keep the execution plan's rows, or list what is wrong with them."""
    row = engagement(params.get("engagement_id"))
    items = params.get("items")
    if not isinstance(items, list) or not items:
        raise StepError("the execution plan needs at least one row")
    problems, clean = [], []
    for position, item in enumerate(items, start=1):
        owner = user_in_center(item.get("owner"), row.center_id)
        if owner is None:
            problems.append(f"第{position}行 / row {position}: {item.get('owner')} "
                            "不是本中心的在职人员 / is not active staff of this center")
        clean.append((position, item, owner))
    if problems:
        return {"ok": False, "problems": problems, "items": []}
    rows = []
    for position, item, owner in clean:
        execution = ExecutionItem(
            engagement_id=row.id, position=position, item=text(item.get("item"), "item", 200),
            type=choice(item.get("type"), "type", ITEM_TYPES), owner=owner,
            due_date=day(item.get("due_date"), "due_date"), status="planned")
        db.session.add(execution)
        rows.append(execution)
    db.session.flush()
    row.stage = "delivery"
    log("execution_planned", engagement=row.id, items=len(rows))
    return {"ok": True, "problems": [], "items": [
        {"id": r.id, "item": r.item, "type": r.type, "owner": r.owner.username,
         "due_date": r.due_date.isoformat()} for r in rows]}


# They keep the engagement's own CRM records: no organisation right is needed.
OPERATIONS = {
    "crm.open_engagement": Operation(open_engagement, nothing),
    "crm.assign_advisor": Operation(assign_advisor, nothing),
    "crm.save_profile": Operation(save_profile, nothing),
    "crm.save_plan": Operation(save_plan, nothing),
    "crm.record_plan_decision": Operation(record_plan_decision, nothing),
    "crm.remind_advisor": Operation(remind_advisor, nothing),
    "crm.save_execution_plan": Operation(save_execution_plan, nothing),
}
