"""The organisation API: roles, centers, their status and open tasks, the audit log.

Users are in org_users.py, tokens and passwords in org_account.py: they add their routes to
this module's blueprint.
"""

from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.roles import ROLES
from service.usecases import handover, org_access, org_admin

from . import org_present as present
from .org_schemas import (
    CenterCreateSchema,
    CenterSchema,
    CenterStatusSchema,
    CenterUpdateSchema,
    ChangeSchema,
    EventQuerySchema,
    OrgTaskSchema,
    RoleSchema,
)
from .schemas import page_of

bp = Blueprint("org_api", __name__, url_prefix="/api/v1/org",
               description="Organisation: centers, users, roles, sign-in")
SECURITY = [{"bearerAuth": []}]


@bp.route("/roles", methods=["GET"])
@token_required
@bp.response(200, RoleSchema(many=True))
@bp.doc(security=SECURITY)
def list_roles():
    """List the role catalogue, marking the roles the caller may grant."""
    grantable = org_access.grantable_roles(current_actor())
    return [{"key": r.key, "name_zh": r.name_zh, "name_en": r.name_en, "scope": r.scope,
             "grantable": r.key in grantable} for r in ROLES]


@bp.route("/centers", methods=["GET"])
@token_required
@bp.response(200, CenterSchema(many=True))
@bp.doc(security=SECURITY)
def list_centers():
    """List the centers the caller may see."""
    counts = org_admin.user_counts()
    return [present.center(c, counts) for c in org_admin.list_centers(current_actor())]


@bp.route("/centers", methods=["POST"])
@token_required
@bp.arguments(CenterCreateSchema)
@bp.response(201, CenterSchema)
@bp.doc(security=SECURITY)
def create_center(args):
    """Create a city center (admin, national president or management)."""
    return present.center(org_admin.create_center(current_actor(), args))


@bp.route("/centers/<code>", methods=["GET"])
@token_required
@bp.response(200, CenterSchema)
@bp.doc(security=SECURITY)
def get_center(code):
    """Return one center."""
    return present.center(org_admin.get_center(current_actor(), code))


@bp.route("/centers/<code>", methods=["PATCH"])
@token_required
@bp.arguments(CenterUpdateSchema)
@bp.response(200, CenterSchema)
@bp.doc(security=SECURITY)
def update_center(args, code):
    """Change a center's names or region."""
    return present.center(org_admin.update_center(current_actor(), code, args))


@bp.route("/centers/<code>/status", methods=["POST"])
@token_required
@bp.arguments(CenterStatusSchema)
@bp.response(200, ChangeSchema)
@bp.doc(security=SECURITY)
def set_center_status(args, code):
    """Suspend, close or reopen a city center; answers what moved."""
    return present.change(handover.set_center_status(current_actor(), code, args["status"]))


@bp.route("/centers/<code>/tasks", methods=["GET"])
@token_required
@bp.response(200, OrgTaskSchema(many=True))
@bp.doc(security=SECURITY)
def list_center_tasks(code):
    """List a center's open tasks (visible to the national center, suspended or not)."""
    return [present.task(t) for t in handover.center_tasks(current_actor(), code)]


@bp.route("/events", methods=["GET"])
@token_required
@bp.arguments(EventQuerySchema, location="query")
@bp.response(200, page_of(ChangeSchema))
@bp.doc(security=SECURITY)
def list_events(query):
    """List the organisation's audit log (or, with sign_ins, the sign-ins), newest first."""
    rows, total = org_admin.org_events(current_actor(), query["page"], query["per_page"],
                                       query["sign_ins"])
    return {"items": [present.change(e) for e in rows], "total": total,
            "page": query["page"], "per_page": query["per_page"]}


from . import org_account, org_users  # noqa: E402, F401  (their routes join this blueprint)
