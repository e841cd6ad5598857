"""Public forms, no sign-in: a client's online inquiry and a center application."""

from flask import request
from flask_smorest import Blueprint

from service.usecases import public

from .crm_schemas import PublicFormSchema, ReceivedSchema

bp = Blueprint("public", __name__, url_prefix="/api/v1/public",
               description="Public forms (no sign-in, rate-limited)")


@bp.route("/inquiries", methods=["POST"])
@bp.arguments(PublicFormSchema)
@bp.response(202, ReceivedSchema)
def submit_inquiry(args):
    """Send an inquiry to a city center (fields of forms/inquiry.json)."""
    return {"status": "received",
            "reference": public.submit_inquiry(request.remote_addr or "-", args)}


@bp.route("/center-applications", methods=["POST"])
@bp.arguments(PublicFormSchema)
@bp.response(202, ReceivedSchema)
def submit_center_application(args):
    """Apply to run a city center (forms/center_application.json, optional documents)."""
    return {"status": "received",
            "reference": public.submit_center_application(request.remote_addr or "-", args)}
