"""Instances: start, list, read, audit log, and operations."""

from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.usecases import instances

from . import present
from .schemas import (
    EventSchema,
    InstanceQuerySchema,
    InstanceSchema,
    InstanceStartSchema,
    InstanceSummarySchema,
    MigrateSchema,
    RetrySchema,
    TerminateSchema,
    page_of,
)

bp = Blueprint("instances", __name__, url_prefix="/api/v1/instances",
               description="Process instances")
SECURITY = [{"bearerAuth": []}]


def _full(instance) -> dict:
    return present.instance(instance, instances.tasks_of(instance),
                            instances.incidents_of(instance))


@bp.route("", methods=["POST"])
@token_required
@bp.arguments(InstanceStartSchema)
@bp.response(201, InstanceSchema)
@bp.doc(security=SECURITY)
def start_instance(args):
    """Start an instance of the latest version of a process."""
    instance = instances.start(current_actor(), args["process"], args["data"],
                               args["business_key"], args["center"])
    return _full(instance)


@bp.route("", methods=["GET"])
@token_required
@bp.arguments(InstanceQuerySchema, location="query")
@bp.response(200, page_of(InstanceSummarySchema))
@bp.doc(security=SECURITY)
def list_instances(query):
    """List the instances the caller may see, filtered and paged."""
    rows, total = instances.list_(current_actor(), query["process"], query["status"],
                                  query["page"], query["per_page"])
    return present.page([present.instance(r) for r in rows], total, query["page"],
                        query["per_page"])


@bp.route("/<int:instance_id>", methods=["GET"])
@token_required
@bp.response(200, InstanceSchema)
@bp.doc(security=SECURITY)
def get_instance(instance_id):
    """Return one instance with its tasks and open incidents."""
    return _full(instances.get(current_actor(), instance_id))


@bp.route("/<int:instance_id>/events", methods=["GET"])
@token_required
@bp.response(200, EventSchema(many=True))
@bp.doc(security=SECURITY)
def list_events(instance_id):
    """Return the instance's audit log."""
    return instances.events_of(current_actor(), instance_id)


@bp.route("/<int:instance_id>/suspend", methods=["POST"])
@token_required
@bp.response(200, InstanceSchema)
@bp.doc(security=SECURITY)
def suspend_instance(instance_id):
    """Suspend an instance: nothing moves until it is resumed."""
    return _full(instances.suspend(current_actor(), instance_id))


@bp.route("/<int:instance_id>/resume", methods=["POST"])
@token_required
@bp.response(200, InstanceSchema)
@bp.doc(security=SECURITY)
def resume_instance(instance_id):
    """Resume a suspended instance (fires timers that fell due meanwhile)."""
    return _full(instances.resume(current_actor(), instance_id))


@bp.route("/<int:instance_id>/terminate", methods=["POST"])
@token_required
@bp.arguments(TerminateSchema, required=False)
@bp.response(200, InstanceSchema)
@bp.doc(security=SECURITY)
def terminate_instance(args, instance_id):
    """Terminate an instance and cancel its open tasks."""
    return _full(instances.terminate(current_actor(), instance_id, (args or {}).get("reason")))


@bp.route("/<int:instance_id>/retry", methods=["POST"])
@token_required
@bp.arguments(RetrySchema, required=False)
@bp.response(200, InstanceSchema)
@bp.doc(security=SECURITY)
def retry_instance(args, instance_id):
    """Retry the failed step of an instance in error, with optional corrected data."""
    return _full(instances.retry(current_actor(), instance_id, (args or {}).get("data")))


@bp.route("/<int:instance_id>/migrate", methods=["POST"])
@token_required
@bp.arguments(MigrateSchema, required=False)
@bp.response(200, InstanceSchema)
@bp.doc(security=SECURITY)
def migrate_instance(args, instance_id):
    """Move an instance to another (by default the latest) version of its process."""
    return _full(instances.migrate(current_actor(), instance_id, (args or {}).get("version")))
