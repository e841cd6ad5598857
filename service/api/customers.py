"""The CRM: customers, their contacts, communications, documents and engagements."""

from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.security import served_content, untrusted_file
from service.usecases import crm, documents
from service.usecases.documents import Upload

from . import crm_present as present
from .crm_schemas import (
    CommunicationCreateSchema,
    CommunicationSchema,
    ContactCreateSchema,
    ContactSchema,
    CustomerCreateSchema,
    CustomerDetailSchema,
    CustomerQuerySchema,
    CustomerSchema,
    CustomerUpdateSchema,
    DocumentFormSchema,
    DocumentSchema,
    DocumentUploadSchema,
    EngagementDetailSchema,
    EngagementSchema,
)
from .schemas import page_of

bp = Blueprint("customers", __name__, url_prefix="/api/v1/customers",
               description="CRM: customers and their engagements")
SECURITY = [{"bearerAuth": []}]


def _detail(customer) -> dict:
    actor = current_actor()
    return present.customer(customer, {
        "communications": crm.communications_of(customer),
        "documents": crm.documents_of(customer),
        "engagements": crm.engagements_of(actor, customer.id)})


@bp.route("", methods=["GET"])
@token_required
@bp.arguments(CustomerQuerySchema, location="query")
@bp.response(200, page_of(CustomerSchema))
@bp.doc(security=SECURITY)
def list_customers(query):
    """List the customers of the caller's center (national staff: of every center)."""
    rows, total = crm.list_customers(current_actor(), query["q"], query["page"],
                                     query["per_page"])
    return {"items": [present.customer(r) for r in rows], "total": total,
            "page": query["page"], "per_page": query["per_page"]}


@bp.route("", methods=["POST"])
@token_required
@bp.arguments(CustomerCreateSchema)
@bp.response(201, CustomerSchema)
@bp.doc(security=SECURITY)
def create_customer(args):
    """Add a customer (its credit code checked, unique within the center)."""
    return present.customer(crm.create_customer(current_actor(), args))


@bp.route("/<int:customer_id>", methods=["GET"])
@token_required
@bp.response(200, CustomerDetailSchema)
@bp.doc(security=SECURITY)
def get_customer(customer_id):
    """Return a customer with contacts, communications, documents and engagements."""
    return _detail(crm.get_customer(current_actor(), customer_id))


@bp.route("/<int:customer_id>", methods=["PATCH"])
@token_required
@bp.arguments(CustomerUpdateSchema)
@bp.response(200, CustomerSchema)
@bp.doc(security=SECURITY)
def update_customer(args, customer_id):
    """Change a customer's name, industry or size."""
    return present.customer(crm.update_customer(current_actor(), customer_id, args))


@bp.route("/<int:customer_id>/contacts", methods=["POST"])
@token_required
@bp.arguments(ContactCreateSchema)
@bp.response(201, ContactSchema)
@bp.doc(security=SECURITY)
def add_contact(args, customer_id):
    """Add a contact person."""
    return present.contact(crm.add_contact(current_actor(), customer_id, args))


@bp.route("/<int:customer_id>/communications", methods=["POST"])
@token_required
@bp.arguments(CommunicationCreateSchema)
@bp.response(201, CommunicationSchema)
@bp.doc(security=SECURITY)
def add_communication(args, customer_id):
    """Log a conversation: when, where, who, what was agreed."""
    return present.communication(crm.add_communication(current_actor(), customer_id, args))


@bp.route("/<int:customer_id>/documents", methods=["POST"])
@token_required
@bp.arguments(DocumentUploadSchema, location="files")
@bp.arguments(DocumentFormSchema, location="form")
@bp.response(201, DocumentSchema)
@bp.doc(security=SECURITY)
def upload_document(files, form, customer_id):
    """Upload a document (size and type limited); its id goes into task forms."""
    upload = Upload(files["file"].filename or "", files["file"].read())
    return present.document(crm.upload_document(current_actor(), customer_id, upload,
                                                form["kind"], form["engagement_id"]))


# The file as stored: one of the content types an upload may have (usecases/documents.py).
DOCUMENT_CONTENT = {content_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                    for content_type, _ in documents.TYPES.values()}


@bp.route("/<int:customer_id>/documents/<int:document_id>", methods=["GET"])
@served_content
@token_required
@bp.doc(security=SECURITY, responses={200: {"description": "The document as an attachment",
                                            "content": DOCUMENT_CONTENT}})
def download_document(customer_id, document_id):
    """Stream a document back (as an attachment, never rendered inline)."""
    document, path = crm.open_document(current_actor(), document_id, customer_id)
    return untrusted_file(path, document.content_type, document.filename)


@bp.route("/<int:customer_id>/engagements", methods=["GET"])
@token_required
@bp.response(200, EngagementSchema(many=True))
@bp.doc(security=SECURITY)
def list_engagements(customer_id):
    """List the customer's engagements (one per run of the ten-step flow)."""
    return [present.engagement(e) for e in crm.engagements_of(current_actor(), customer_id)]


@bp.route("/<int:customer_id>/engagements/<int:engagement_id>", methods=["GET"])
@token_required
@bp.response(200, EngagementDetailSchema)
@bp.doc(security=SECURITY)
def get_engagement(customer_id, engagement_id):
    """Return an engagement with every record its steps made."""
    engagement = crm.get_engagement(current_actor(), engagement_id, customer_id)
    return present.engagement(engagement, crm.engagement_parts(engagement))
