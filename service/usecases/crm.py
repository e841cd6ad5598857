"""The CRM for people: customers, contacts, communications, engagements, documents.

Every query is scoped by center like instances are (usecases/access.py): city staff see their
own center's customers, national staff and admins see all. An archived engagement is read-only.
"""

from datetime import UTC, timedelta, timezone

from sqlalchemy import func, or_, select, true

from service import clock
from service.errors import Conflict, Forbidden, InvalidData, NotFound
from service.models import (
    Center,
    Certification,
    Communication,
    Contact,
    Customer,
    Document,
    Engagement,
    ExecutionItem,
    Feedback,
    PlanVersion,
    ServiceRecord,
    db,
)

from . import client_refs, credit_code, documents
from .context import Actor, record

MAX_ID = 2**31 - 1  # larger ids exist nowhere (and PostgreSQL refuses to compare them)
WRITERS = frozenset({"advisor", "city_management", "city_president", "national_management",
                     "admin"})
CHINA = timezone(timedelta(hours=8))


def customer_filter(actor: Actor):
    """Return a SQL condition selecting the customers the actor may see."""
    if actor.is_admin or actor.national:
        return true()
    return Customer.center_id == actor.center_id


def _row(model, row_id: int | None):
    return db.session.get(model, row_id) if row_id is not None and 0 < row_id <= MAX_ID \
        else None


def _can_see(actor: Actor, center_id: int) -> bool:
    return actor.is_admin or actor.national or center_id == actor.center_id


def _require_writer(actor: Actor) -> None:
    if not actor.roles & WRITERS:
        raise Forbidden("only center staff and national management may change the CRM")


def list_customers(actor: Actor, query: str | None = None, page: int = 1,
                   per_page: int = 50) -> tuple[list[Customer], int]:
    stmt = select(Customer).where(customer_filter(actor))
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Customer.name.ilike(like), Customer.credit_code.ilike(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Customer.id.desc()).offset((page - 1) * per_page)
                              .limit(per_page))
    return list(rows), total


def get_customer(actor: Actor, customer_id: int) -> Customer:
    customer = _row(Customer, customer_id)
    if customer is None or not _can_see(actor, customer.center_id):
        raise NotFound(f"customer {customer_id} does not exist")
    return customer


def _center_id(actor: Actor, code: str | None) -> int:
    if code is None:
        if actor.national or actor.center_id is None:
            raise InvalidData("say which center keeps the customer", {"center": ["required"]})
        return actor.center_id
    center = db.session.scalar(select(Center).where(Center.code == code, Center.kind == "city"))
    if center is None:
        raise InvalidData(f"center {code!r} does not exist", {"center": ["unknown center"]})
    if not _can_see(actor, center.id):
        raise Forbidden("you may add customers only to your own center")
    return center.id


def create_customer(actor: Actor, fields: dict) -> Customer:
    """Add a customer to a center; its credit code is unique within the center."""
    _require_writer(actor)
    code = fields["credit_code"]
    if not credit_code.is_valid(code):
        raise InvalidData("the credit code is not valid", {"credit_code": ["invalid check "
                                                                           "character"]})
    center_id = _center_id(actor, fields.get("center"))
    if db.session.scalar(select(Customer.id).where(Customer.center_id == center_id,
                                                   Customer.credit_code == code)):
        raise Conflict("the center already has this customer", {"credit_code": ["exists"]})
    now = clock.now()
    customer = Customer(center_id=center_id, credit_code=code, name=fields["name"],
                        industry=fields.get("industry"), size=fields.get("size"),
                        created_by=actor.username, created_at=now, updated_at=now)
    db.session.add(customer)
    db.session.flush()
    record("customer_created", actor, customer=customer.id, credit_code=code)
    db.session.commit()
    return customer


def update_customer(actor: Actor, customer_id: int, fields: dict) -> Customer:
    _require_writer(actor)
    customer = get_customer(actor, customer_id)
    for name in ("name", "industry", "size"):
        if name in fields:
            setattr(customer, name, fields[name])
    customer.updated_at = clock.now()
    if "name" in fields:
        client_refs.refresh_labels(customer)
    record("customer_updated", actor, customer=customer.id, fields=sorted(fields))
    db.session.commit()
    return customer


def add_contact(actor: Actor, customer_id: int, fields: dict) -> Contact:
    _require_writer(actor)
    customer = get_customer(actor, customer_id)
    contact = Contact(name=fields["name"], phone=fields.get("phone"), email=fields.get("email"),
                      title=fields.get("title"), created_at=clock.now())
    customer.contacts.append(contact)
    db.session.commit()
    return contact


def _open_engagement(customer: Customer, engagement_id: int | None) -> Engagement | None:
    """Return the customer's engagement to attach a record to; an archived one refuses."""
    if engagement_id is None:
        return None
    engagement = _row(Engagement, engagement_id)
    if engagement is None or engagement.customer_id != customer.id:
        raise InvalidData("the engagement is not one of this customer's",
                          {"engagement_id": ["unknown engagement"]})
    if engagement.archived_at is not None:
        raise Conflict("the engagement is archived: its record is read-only",
                       {"engagement_id": ["archived"]})
    return engagement


def add_communication(actor: Actor, customer_id: int, fields: dict) -> Communication:
    """Log a conversation with the customer (optionally within an open engagement)."""
    _require_writer(actor)
    customer = get_customer(actor, customer_id)
    engagement = _open_engagement(customer, fields.get("engagement_id"))
    occurred = fields["occurred_at"]
    occurred = (occurred if occurred.tzinfo else occurred.replace(tzinfo=CHINA)).astimezone(UTC)
    row = Communication(customer_id=customer.id,
                        engagement_id=engagement.id if engagement else None,
                        kind="note", channel=fields["channel"], occurred_at=occurred,
                        place=fields.get("place"), participants=fields["participants"],
                        summary=fields["summary"], recorded_by=actor.username,
                        created_at=clock.now())
    db.session.add(row)
    db.session.commit()
    return row


def communications_of(customer: Customer) -> list[Communication]:
    return list(db.session.scalars(select(Communication).where(
        Communication.customer_id == customer.id).order_by(Communication.occurred_at,
                                                           Communication.id)))


def documents_of(customer: Customer) -> list[Document]:
    return list(db.session.scalars(select(Document).where(
        Document.customer_id == customer.id).order_by(Document.id)))


def engagements_of(actor: Actor, customer_id: int) -> list[Engagement]:
    customer = get_customer(actor, customer_id)
    return list(db.session.scalars(select(Engagement).where(
        Engagement.customer_id == customer.id).order_by(Engagement.id)))


def get_engagement(actor: Actor, engagement_id: int,
                   customer_id: int | None = None) -> Engagement:
    engagement = _row(Engagement, engagement_id)
    if engagement is None or not _can_see(actor, engagement.center_id) or (
            customer_id is not None and engagement.customer_id != customer_id):
        raise NotFound(f"engagement {engagement_id} does not exist")
    return engagement


def engagement_parts(engagement: Engagement) -> dict:
    """Return every record of the engagement, each list in the order it was made."""
    def rows(model, *order):
        return list(db.session.scalars(select(model).where(
            model.engagement_id == engagement.id).order_by(*order, model.id)))

    return {
        "plan_versions": rows(PlanVersion, PlanVersion.number),
        "execution_items": rows(ExecutionItem, ExecutionItem.position),
        "service_records": rows(ServiceRecord),
        "certifications": rows(Certification, Certification.round),
        "communications": rows(Communication, Communication.occurred_at),
        "documents": rows(Document),
        "feedback": db.session.scalar(select(Feedback).where(
            Feedback.engagement_id == engagement.id)),
    }


def upload_document(actor: Actor, customer_id: int, upload: documents.Upload, kind: str,
                    engagement_id: int | None = None) -> Document:
    """Keep a file of the customer (size and type checked) for later steps and the archive."""
    _require_writer(actor)
    customer = get_customer(actor, customer_id)
    engagement = _open_engagement(customer, engagement_id)
    document = documents.store(upload, actor.username, kind, customer_id=customer.id,
                               engagement_id=engagement.id if engagement else None)
    try:
        db.session.flush()
        record("document_uploaded", actor, customer=customer.id, document=document.id,
               filename=document.filename, size=document.size)
        db.session.commit()
    except Exception:
        db.session.rollback()
        documents.discard([document])
        raise
    return document


def open_document(actor: Actor, document_id: int, customer_id: int | None = None):
    """Return a document the actor may read and the path of its bytes."""
    document = _row(Document, document_id)
    if document is not None and customer_id is not None and document.customer_id != customer_id:
        document = None
    visible = False
    if document is not None and document.customer_id is not None:
        customer = db.session.get(Customer, document.customer_id)
        visible = _can_see(actor, customer.center_id)
    elif document is not None:  # a center application's: the national center's business
        visible = actor.is_admin or actor.national
    path = documents.path_of(document) if visible else None
    if not visible or not path.is_file():
        raise NotFound(f"document {document_id} does not exist")
    return document, path
