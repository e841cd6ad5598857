"""The editor's JSON calls: save and discard my draft, validate, deploy (CSRF header required)."""

from flask import jsonify, request

from service.errors import InvalidData
from service.usecases import studio

from .common import page_actor
from .studio_common import bp, owner_required


def _xml() -> bytes:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str) or not body["xml"]:
        raise InvalidData("send the diagram as {\"xml\": \"...\"}", {"xml": ["missing"]})
    return body["xml"].encode("utf-8")


@bp.route("/api/processes/<key>/draft", methods=["PUT"])
@owner_required
def save_draft(key):
    """Store the editor's diagram as my draft."""
    draft = studio.save_draft(page_actor(), key, _xml())
    return jsonify({"key": draft.key, "saved_at": draft.updated_at.strftime("%H:%M:%S")})


@bp.route("/api/processes/<key>/draft", methods=["DELETE"])
@owner_required
def discard_draft(key):
    """Throw my draft away."""
    studio.discard_draft(page_actor(), key)
    return "", 204


@bp.route("/api/processes/<key>/validate", methods=["POST"])
@owner_required
def validate_diagram(key):
    """Check the editor's diagram as a deployment would, without deploying it."""
    return jsonify({"findings": studio.validate(page_actor(), key, _xml())})


@bp.route("/api/processes/<key>/deploy", methods=["POST"])
@owner_required
def deploy_diagram(key):
    """Deploy the editor's diagram as a new version."""
    version, created = studio.deploy(page_actor(), key, _xml())
    body = {"key": version.key, "version": version.version, "created": created}
    return jsonify(body), 201 if created else 200
