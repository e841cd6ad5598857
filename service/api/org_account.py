"""The organisation API for one's own account: API tokens, password reset and invitations."""

from flask import request

from service.auth import current_actor, token_required
from service.usecases import api_tokens, passwords

from .org import SECURITY, bp
from .org_schemas import (
    ForgotSchema,
    LinkPasswordSchema,
    PasswordChangeSchema,
    TokenInfoSchema,
)


def _current_token_id() -> str:
    return request.headers.get("Authorization", "")[7:].strip()


@bp.route("/tokens", methods=["GET"])
@token_required
@bp.response(200, TokenInfoSchema(many=True))
@bp.doc(security=SECURITY)
def list_tokens():
    """List the caller's API tokens (never their secret)."""
    current = api_tokens.digest(_current_token_id())
    return [{"id": t.id, "created_at": t.created_at, "expires_at": t.expires_at,
             "revoked_at": t.revoked_at, "live": api_tokens.is_live(t),
             "current": t.token_hash == current} for t in api_tokens.list_mine(current_actor())]


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@token_required
@bp.response(204)
@bp.doc(security=SECURITY)
def revoke_token(token_id):
    """Revoke one of the caller's tokens: it is refused from the next request on."""
    api_tokens.revoke(current_actor(), token_id)


@bp.route("/password/forgot", methods=["POST"])
@bp.arguments(ForgotSchema)
@bp.response(202)
def forgot_password(args):
    """Mail a one-time reset link to the account with this username or e-mail, if any."""
    passwords.request_reset(args["login"])


@bp.route("/password/reset", methods=["POST"])
@bp.arguments(LinkPasswordSchema)
@bp.response(204)
def reset_password(args):
    """Set a new password with a reset link's token (once, before it expires)."""
    passwords.use_link(args["token"], "reset", args["password"])


@bp.route("/invitations/accept", methods=["POST"])
@bp.arguments(LinkPasswordSchema)
@bp.response(204)
def accept_invitation(args):
    """Choose the first password with an invitation link's token."""
    passwords.use_link(args["token"], "invite", args["password"])


@bp.route("/password", methods=["POST"])
@token_required
@bp.arguments(PasswordChangeSchema)
@bp.response(204)
@bp.doc(security=SECURITY)
def change_password(args):
    """Change the caller's own password."""
    passwords.change_password(current_actor(), args["current_password"], args["new_password"])
