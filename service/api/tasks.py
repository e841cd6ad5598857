"""Tasks: the caller's inbox, one task with its form and data, ownership, completion."""

from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.usecases import tasks

from . import present
from .schemas import (
    AssignSchema,
    CompleteSchema,
    TaskDetailSchema,
    TaskQuerySchema,
    TaskSchema,
    page_of,
)

bp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Human tasks")
SECURITY = [{"bearerAuth": []}]


@bp.route("", methods=["GET"])
@token_required
@bp.arguments(TaskQuerySchema, location="query")
@bp.response(200, page_of(TaskSchema))
@bp.doc(security=SECURITY)
def list_tasks(query):
    """List the tasks the caller may see: mine, offered to me (candidate), or all."""
    rows, total = tasks.list_(current_actor(), query["scope"], query["status"], query["page"],
                              query["per_page"])
    return present.page([present.task(t) for t in rows], total, query["page"],
                        query["per_page"])


@bp.route("/<task_id>", methods=["GET"])
@token_required
@bp.response(200, TaskDetailSchema)
@bp.doc(security=SECURITY)
def get_task(task_id):
    """Return one task with its form and current data."""
    task = tasks.get(current_actor(), task_id)
    return {**present.task(task), "form": tasks.form_of(task), "data": tasks.data_of(task)}


@bp.route("/<task_id>/claim", methods=["POST"])
@token_required
@bp.response(200, TaskSchema)
@bp.doc(security=SECURITY)
def claim_task(task_id):
    """Claim a task offered to the caller."""
    return present.task(tasks.claim(current_actor(), task_id))


@bp.route("/<task_id>/unclaim", methods=["POST"])
@token_required
@bp.response(200, TaskSchema)
@bp.doc(security=SECURITY)
def unclaim_task(task_id):
    """Give a claimed task back to its group."""
    return present.task(tasks.unclaim(current_actor(), task_id))


@bp.route("/<task_id>/assign", methods=["POST"])
@token_required
@bp.arguments(AssignSchema)
@bp.response(200, TaskSchema)
@bp.doc(security=SECURITY)
def assign_task(args, task_id):
    """Assign a task to a user it is offered to (presidents, management, admin)."""
    return present.task(tasks.assign(current_actor(), task_id, args["username"]))


@bp.route("/<task_id>/complete", methods=["POST"])
@token_required
@bp.arguments(CompleteSchema)
@bp.response(200, TaskSchema)
@bp.doc(security=SECURITY)
def complete_task(args, task_id):
    """Complete a task with data validated against its form."""
    return present.task(tasks.complete(current_actor(), task_id, args["data"]))
