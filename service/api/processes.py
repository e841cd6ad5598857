"""Processes: list, deploy, versions, and the XML of one version."""

from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.security import served_content, untrusted
from service.usecases import deployments

from . import present
from .schemas import DeployedSchema, ProcessDetailSchema, ProcessSchema, UploadSchema

bp = Blueprint("processes", __name__, url_prefix="/api/v1/processes",
               description="Deployed processes and decision tables")
SECURITY = [{"bearerAuth": []}]


@bp.route("", methods=["GET"])
@token_required
@bp.response(200, ProcessSchema(many=True))
@bp.doc(security=SECURITY)
def list_processes():
    """List the latest version of each process."""
    return [present.process(v) for v in deployments.list_processes()]


@bp.route("", methods=["POST"])
@token_required
@bp.arguments(UploadSchema, location="files")
@bp.response(201, DeployedSchema, description="A new version was deployed")
@bp.alt_response(200, schema=DeployedSchema,
                 description="Identical content: the existing version, created false")
@bp.doc(security=SECURITY)
def deploy_process(files):
    """Deploy a .bpmn or .dmn file as a new version."""
    upload = files["file"]
    version, created = deployments.deploy(current_actor(), upload.filename, upload.read())
    body = {"key": version.key, "version": version.version, "kind": version.kind,
            "created": created}
    return body, 201 if created else 200


@bp.route("/<key>", methods=["GET"])
@token_required
@bp.response(200, ProcessDetailSchema)
@bp.doc(security=SECURITY)
def get_process(key):
    """List the versions of a process."""
    return present.versions(deployments.versions_of(key), deployments.instance_counts(key))


@bp.route("/<key>/versions/<int:number>/bpmn", methods=["GET"])
@served_content
@token_required
@bp.doc(security=SECURITY, responses={200: {"description": "The BPMN or DMN XML",
                                            "content": {"application/xml": {}}}})
def get_version_xml(key, number):
    """Return the XML of one version."""
    version = deployments.get_version(key, number)
    suffix = ".dmn" if version.kind == "decision" else ".bpmn"
    return untrusted(version.content, f"{version.key}-v{number}{suffix}")
