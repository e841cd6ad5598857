"""Client pages ("crm" blueprint): the client list and search, one client's file, documents."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.security import served_content, untrusted_file
from service.usecases import client_file, crm, documents

from .common import login_required, page_actor, safe_next
from .crm_labels import labels
from .page_tools import attempt

bp = Blueprint("crm", __name__, url_prefix="/clients")
PAGE_SIZE = 25


@bp.app_context_processor
def inject_crm_labels():
    return {"crm_labels": labels()}


@bp.route("")
@login_required
def list_customers():
    """List and search the clients of my center (every center for national staff)."""
    query = (request.args.get("q") or "").strip()[:100] or None
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    rows, total = crm.list_customers(page_actor(), query, page, PAGE_SIZE)
    return render_template("web/clients/list.html", customers=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), q=query or "")


@bp.route("/<int:customer_id>")
@login_required
def show_customer(customer_id):
    """Show one client's file: engagements, timeline, plans, services, documents, feedback."""
    return render_template("web/clients/show.html",
                           file=client_file.client_file(page_actor(), customer_id))


@bp.route("/<int:customer_id>/documents", methods=["POST"])
@login_required
def upload_document(customer_id):
    """Keep a file of the client (pdf, office, image or text)."""
    upload = request.files.get("file")
    engagement = request.form.get("engagement_id", "")
    _document, error = attempt(
        crm.upload_document, page_actor(), customer_id,
        documents.Upload(upload.filename if upload else "", upload.read() if upload else b""),
        request.form.get("kind") or "material", int(engagement) if engagement.isdigit() else None)
    if error is not None:
        flash(_("The file was not kept: %(reason)s", reason=_document_problem(error)), "error")
    else:
        flash(_("The file was kept in the client's file."), "success")
    default = url_for("crm.show_customer", customer_id=customer_id, _anchor="documents")
    return redirect(safe_next(request.form.get("next")) if request.form.get("next") else default)


def _document_problem(error) -> str:
    details = error.details.get("file") or error.details.get("kind") or [error.message]
    return str(details[0] if isinstance(details, list) else details)


@bp.route("/<int:customer_id>/documents/<int:document_id>")
@served_content
@login_required
def download_document(customer_id, document_id):
    """Download a file of a client I may see."""
    document, path = crm.open_document(page_actor(), document_id, customer_id)
    return untrusted_file(path, document.content_type, document.filename)
