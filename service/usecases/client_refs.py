"""How a task names its client: the engagement's customer in the CRM, else the business key."""

from dataclasses import dataclass, field

from sqlalchemy import select, update

from service.models import (
    Communication,
    Customer,
    Document,
    Engagement,
    Instance,
    PlanVersion,
    Task,
    db,
)

from .instances import get as get_instance


def refresh_labels(customer: Customer) -> None:
    """Name the customer on the instances of its engagements and on all their tasks."""
    instances = db.session.scalars(select(Instance).join(
        Engagement, Engagement.instance_id == Instance.id).where(
        Engagement.customer_id == customer.id))
    for instance in instances:
        label = customer.name or instance.business_key
        if instance.client_label == label:
            continue
        instance.client_label = label
        db.session.execute(update(Task).where(Task.instance_id == instance.id)
                           .values(client_label=label)
                           .execution_options(synchronize_session="evaluate"))


@dataclass
class ClientSummary:
    """The CRM beside a task: the engagement, its customer, what happened lately."""

    engagement: Engagement
    customer: Customer | None
    communications: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    plan: PlanVersion | None = None


def summary(actor, instance_id: int, recent: int = 5) -> ClientSummary | None:
    """Return the CRM summary of an instance the actor may see, or None without an engagement."""
    instance = get_instance(actor, instance_id)
    engagement = db.session.scalar(select(Engagement).where(
        Engagement.instance_id == instance.id))
    if engagement is None:
        return None
    result = ClientSummary(engagement, engagement.customer)
    result.plan = db.session.scalars(select(PlanVersion).where(
        PlanVersion.engagement_id == engagement.id).order_by(PlanVersion.number.desc())
        .limit(1)).first()
    if result.customer is not None:
        result.communications = list(db.session.scalars(select(Communication).where(
            Communication.customer_id == result.customer.id)
            .order_by(Communication.occurred_at.desc(), Communication.id.desc()).limit(recent)))
        result.documents = list(db.session.scalars(select(Document).where(
            Document.customer_id == result.customer.id).order_by(Document.id.desc())))
    return result


def latest_plan(instance_id: int) -> PlanVersion | None:
    """Return the newest plan version of an instance's engagement (shown to guests)."""
    return db.session.scalars(select(PlanVersion).join(
        Engagement, Engagement.id == PlanVersion.engagement_id).where(
        Engagement.instance_id == instance_id).order_by(PlanVersion.number.desc())
        .limit(1)).first()


def name_of(instance: Instance) -> str | None:
    """Return the client name of an instance (the CRM customer, else the business key)."""
    name = db.session.scalar(select(Customer.name).join(
        Engagement, Engagement.customer_id == Customer.id).where(
        Engagement.instance_id == instance.id))
    return name or instance.business_key
