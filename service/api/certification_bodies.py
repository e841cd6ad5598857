"""The registry of certification bodies; a body's API key lets it send its own results."""

from functools import wraps

from flask import g, request
from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.usecases import certification

from . import crm_present as present
from .crm_schemas import BodyActiveSchema, BodyCreateSchema, BodySchema

bp = Blueprint("certification_bodies", __name__, url_prefix="/api/v1/certification-bodies",
               description="Third-party certification bodies")
SECURITY = [{"bearerAuth": []}]


def body_key_or_token_required(view):
    """Accept a certification body's API key (g.certification_body) or a user's token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.certification_body = certification.body_for_header(
            request.headers.get("Authorization", ""))
        if g.certification_body is None:
            current_actor()
        return view(*args, **kwargs)

    return wrapper


@bp.route("", methods=["GET"])
@token_required
@bp.response(200, BodySchema(many=True))
@bp.doc(security=SECURITY)
def list_bodies():
    """List the bodies (national management also sees deactivated ones)."""
    return [present.body(b) for b in certification.list_bodies(current_actor())]


@bp.route("", methods=["POST"])
@token_required
@bp.arguments(BodyCreateSchema)
@bp.response(201, BodySchema)
@bp.doc(security=SECURITY)
def create_body(args):
    """Register a body (national management); its API key is shown this once."""
    return present.body(*certification.create_body(current_actor(), args))


@bp.route("/<code>/key", methods=["POST"])
@token_required
@bp.response(200, BodySchema)
@bp.doc(security=SECURITY)
def rotate_key(code):
    """Issue a new API key; the previous one stops working."""
    return present.body(*certification.rotate_key(current_actor(), code))


@bp.route("/<code>/active", methods=["POST"])
@token_required
@bp.arguments(BodyActiveSchema)
@bp.response(200, BodySchema)
@bp.doc(security=SECURITY)
def set_active(args, code):
    """Deactivate (its key is refused) or reactivate a body."""
    return present.body(certification.set_active(current_actor(), code, args["active"]))
