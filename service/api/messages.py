"""POST /api/v1/messages: deliver a message to the instance waiting for it."""

from flask import g
from flask_smorest import Blueprint

from service.auth import current_actor
from service.usecases import certification, messages

from . import present
from .certification_bodies import body_key_or_token_required
from .schemas import DeliveredSchema, MessageSchema

bp = Blueprint("messages", __name__, url_prefix="/api/v1/messages", description="Messages")


@bp.route("", methods=["POST"])
@body_key_or_token_required
@bp.arguments(MessageSchema)
@bp.response(200, DeliveredSchema)
@bp.doc(security=[{"bearerAuth": []}])
def send_message(args):
    """Correlate a message by name and key; a message start event starts a new instance.

    A certification body sends its results with its own API key instead of a user's token.
    """
    if g.certification_body is not None:
        delivered = certification.deliver_result(g.certification_body, args["name"],
                                                 args["correlation_key"], args["payload"])
    else:
        delivered = messages.correlate(current_actor(), args["name"], args["correlation_key"],
                                       args["payload"])
    return {"instances": [present.instance(i) for i in delivered]}
