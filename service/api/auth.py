"""POST /api/v1/auth/token: exchange a username and password for a bearer token."""

from flask_smorest import Blueprint

from service.auth import authenticate, issue_token
from service.errors import Unauthorized

from .schemas import TokenRequestSchema, TokenSchema

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Tokens")


@bp.route("/token", methods=["POST"])
@bp.arguments(TokenRequestSchema)
@bp.response(200, TokenSchema)
def create_token(args):
    """Issue a bearer token."""
    user = authenticate(args["username"], args["password"])
    if user is None:
        raise Unauthorized("wrong username or password")
    token, row = issue_token(user)
    return {"token": token, "expires_at": row.expires_at}
