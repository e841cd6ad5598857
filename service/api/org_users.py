"""The organisation API: users, their deactivation with hand-over, and CSV import."""

from flask_smorest import abort

from service.auth import current_actor, token_required
from service.usecases import handover, org_admin, user_import

from . import org_present as present
from .org import SECURITY, bp
from .org_schemas import (
    ChangeSchema,
    DeactivateSchema,
    ImportQuerySchema,
    ImportResultSchema,
    ImportSchema,
    UserCreateSchema,
    UserQuerySchema,
    UserSchema,
    UserUpdateSchema,
)
from .schemas import page_of


@bp.route("/users", methods=["GET"])
@token_required
@bp.arguments(UserQuerySchema, location="query")
@bp.response(200, page_of(UserSchema))
@bp.doc(security=SECURITY)
def list_users(query):
    """List the users the caller may see, filtered by center, text and active."""
    rows, total = org_admin.list_users(current_actor(), query["center"], query["q"],
                                       query["active"], query["page"], query["per_page"])
    return {"items": [present.user(u) for u in rows], "total": total, "page": query["page"],
            "per_page": query["per_page"]}


@bp.route("/users", methods=["POST"])
@token_required
@bp.arguments(UserCreateSchema)
@bp.response(201, UserSchema)
@bp.doc(security=SECURITY)
def create_user(args):
    """Add a user; without a password they are invited by e-mail to choose one."""
    password = args.pop("password", None)
    return present.user(org_admin.create_user(current_actor(), args, password))


@bp.route("/users/<username>", methods=["GET"])
@token_required
@bp.response(200, UserSchema)
@bp.doc(security=SECURITY)
def get_user(username):
    """Return one user."""
    return present.user(org_admin.get_user(current_actor(), username))


@bp.route("/users/<username>", methods=["PATCH"])
@token_required
@bp.arguments(UserUpdateSchema)
@bp.response(200, UserSchema)
@bp.doc(security=SECURITY)
def update_user(args, username):
    """Change a user's name, e-mail, phone or roles."""
    return present.user(org_admin.update_user(current_actor(), username, args))


@bp.route("/users/<username>/deactivate", methods=["POST"])
@token_required
@bp.arguments(DeactivateSchema)
@bp.response(200, ChangeSchema)
@bp.doc(security=SECURITY)
def deactivate_user(args, username):
    """Deactivate a user, handing their tasks and engagements over; answers what moved."""
    return present.change(handover.deactivate_user(current_actor(), username,
                                                   args["tasks_to"], args["engagements_to"]))


@bp.route("/users/<username>/activate", methods=["POST"])
@token_required
@bp.response(200, UserSchema)
@bp.doc(security=SECURITY)
def activate_user(username):
    """Activate a deactivated user again."""
    return present.user(handover.activate_user(current_actor(), username))


@bp.route("/users/<username>/invite", methods=["POST"])
@token_required
@bp.response(200, UserSchema)
@bp.doc(security=SECURITY)
def invite_user(username):
    """Send the user a fresh invitation link."""
    return present.user(org_admin.invite_again(current_actor(), username))


@bp.route("/users/import", methods=["POST"])
@token_required
@bp.arguments(ImportQuerySchema, location="query")
@bp.arguments(ImportSchema, location="files")
@bp.response(200, ImportResultSchema)
@bp.doc(security=SECURITY)
def import_users(query, files):
    """Import users from CSV (dry_run=true: preview only); any bad row imports nothing."""
    content = files["file"].read()
    if not content:
        abort(422, message="the file is empty")
    if query["dry_run"]:
        result = user_import.preview(current_actor(), content)
        return {**result, "imported": 0}
    users = user_import.import_users(current_actor(), content)
    return {"total": len(users), "imported": len(users), "rows": [], "errors": []}
