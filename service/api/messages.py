"""POST /api/v1/messages: deliver a message to the instance waiting for it."""

from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.usecases import messages

from . import present
from .schemas import DeliveredSchema, MessageSchema

bp = Blueprint("messages", __name__, url_prefix="/api/v1/messages", description="Messages")


@bp.route("", methods=["POST"])
@token_required
@bp.arguments(MessageSchema)
@bp.response(200, DeliveredSchema)
@bp.doc(security=[{"bearerAuth": []}])
def send_message(args):
    """Correlate a message by name and key; a message start event starts a new instance."""
    delivered = messages.correlate(current_actor(), args["name"], args["correlation_key"],
                                   args["payload"])
    return {"instances": [present.instance(i) for i in delivered]}
