"""The admin monitor: dashboard, heatmap, instance search and operations, bulk operations."""

from dataclasses import asdict

from flask_smorest import Blueprint

from service.auth import current_actor, token_required
from service.errors import InvalidData
from service.security import served_content, untrusted
from service.usecases import monitor, monitor_bulk, monitor_migrate, monitor_ops, monitor_search

from . import present
from .monitor_schemas import (
    BulkResultSchema,
    BulkSchema,
    DashboardSchema,
    DataEditSchema,
    HeatmapQuerySchema,
    HeatmapSchema,
    InstanceSearchSchema,
    InstanceViewSchema,
    MigrationCheckSchema,
    MonitorInstanceSchema,
    ReassignSchema,
    ResetSchema,
    SkipSchema,
    VersionArgSchema,
)
from .schemas import TaskSchema, page_of

bp = Blueprint("monitor_api", __name__, url_prefix="/api/v1/admin",
               description="Admin monitor (admin: every center; city president: read-only)")
SECURITY = [{"bearerAuth": []}]


def _view(instance_id: int) -> dict:
    actor = current_actor()
    seen = monitor_ops.view(actor, instance_id)
    return {
        **present.instance(seen.instance, seen.tasks),
        "incidents": [{"id": i.id, "element_id": i.element_id, "task_id": i.task_id,
                       "message": i.message, "line": i.line, "created_at": i.created_at,
                       "resolved_at": i.resolved_at} for i in seen.incidents],
        "events": seen.events, "elements": seen.counts,
        "reset_points": [asdict(p) for p in seen.reset_points],
        "newer_versions": [v.version for v in seen.newer_versions],
        "can_operate": monitor.can_operate(actor),
    }


@bp.route("/dashboard", methods=["GET"])
@token_required
@bp.response(200, DashboardSchema)
@bp.doc(security=SECURITY)
def get_dashboard():
    """Instances by process, version and status; open and overdue tasks; incidents; per day."""
    board = monitor.dashboard(current_actor())
    return {
        "totals": board.totals, "by_process": board.by_process, "open_tasks": board.open_tasks,
        "overdue_count": board.overdue_count,
        "overdue": [present.task(t) for t in board.overdue],
        "incident_count": board.incident_count,
        "incidents": [{"id": i.id, "instance_id": inst.id, "process": inst.process_key,
                       "element_id": i.element_id, "message": i.message, "line": i.line,
                       "created_at": i.created_at.isoformat()} for i, inst in board.incidents],
        "completed_per_day": [{"day": d, "completed": n} for d, n in board.days],
    }


@bp.route("/heatmap/<key>", methods=["GET"])
@token_required
@bp.arguments(HeatmapQuerySchema, location="query")
@bp.response(200, HeatmapSchema)
@bp.doc(security=SECURITY)
def get_heatmap(query, key):
    """Average time spent in each human task of a process (all versions unless asked)."""
    found = monitor.heatmap(current_actor(), key, query["version"], query["all_versions"])
    return {"process": key, "version": found.version.version, "elements": found.elements}


@bp.route("/processes/<key>/versions/<int:version>/diagram", methods=["GET"])
@served_content
@token_required
@bp.doc(security=SECURITY, responses={200: {"description": "The BPMN XML",
                                            "content": {"application/xml": {}}}})
def get_diagram(key, version):
    """The BPMN of a version, with a layout drawn when it was deployed without one."""
    return untrusted(monitor.diagram_xml(current_actor(), key, version), f"{key}-v{version}.bpmn")


@bp.route("/instances", methods=["GET"])
@token_required
@bp.arguments(InstanceSearchSchema, location="query")
@bp.response(200, page_of(MonitorInstanceSchema))
@bp.doc(security=SECURITY)
def search_instances(query):
    """Find instances: filters, sorting, paging."""
    rows, total = monitor_search.search(current_actor(), monitor_search.InstanceQuery(**query))
    counts = monitor_search.open_incident_counts([r.id for r in rows])
    items = [{**present.instance(r), "open_incidents": counts.get(r.id, 0)} for r in rows]
    return present.page(items, total, query["page"], query["per_page"])


@bp.route("/instances/<int:instance_id>", methods=["GET"])
@token_required
@bp.response(200, InstanceViewSchema)
@bp.doc(security=SECURITY)
def get_instance(instance_id):
    """One instance: tasks, incidents, events, per-element counts, reset points, versions."""
    return _view(instance_id)


@bp.route("/instances/<int:instance_id>/data", methods=["POST"])
@token_required
@bp.arguments(DataEditSchema)
@bp.response(200, InstanceViewSchema)
@bp.doc(security=SECURITY)
def edit_data(args, instance_id):
    """Change fields of the instance's data (audited with old and new values)."""
    monitor_ops.edit_data(current_actor(), instance_id, args["data"])
    return _view(instance_id)


@bp.route("/instances/<int:instance_id>/skip", methods=["POST"])
@token_required
@bp.arguments(SkipSchema, required=False)
@bp.response(200, InstanceViewSchema)
@bp.doc(security=SECURITY)
def skip_task(args, instance_id):
    """Mark a failed task done without running it again, and go on."""
    monitor_ops.skip(current_actor(), instance_id, (args or {}).get("task_id"))
    return _view(instance_id)


@bp.route("/instances/<int:instance_id>/reset", methods=["POST"])
@token_required
@bp.arguments(ResetSchema)
@bp.response(200, InstanceViewSchema)
@bp.doc(security=SECURITY)
def reset_instance(args, instance_id):
    """Go back to an earlier human task, which is offered again."""
    monitor_ops.reset(current_actor(), instance_id, args["task_id"])
    return _view(instance_id)


@bp.route("/instances/<int:instance_id>/migration-check", methods=["POST"])
@token_required
@bp.arguments(VersionArgSchema, required=False)
@bp.response(200, MigrationCheckSchema)
@bp.doc(security=SECURITY)
def check_migration(args, instance_id):
    """Dry run: can the instance move to the version (the latest by default), and if not why."""
    found = monitor_migrate.check(current_actor(), instance_id, (args or {}).get("version"))
    return {**asdict(found), "ok": found.ok}


@bp.route("/instances/<int:instance_id>/migrate", methods=["POST"])
@token_required
@bp.arguments(VersionArgSchema, required=False)
@bp.response(200, InstanceViewSchema)
@bp.doc(security=SECURITY)
def migrate_instance(args, instance_id):
    """Check, then move the instance; 409 with the reasons when it cannot move."""
    monitor_migrate.migrate(current_actor(), instance_id, (args or {}).get("version"))
    return _view(instance_id)


@bp.route("/tasks/<task_id>/reassign", methods=["POST"])
@token_required
@bp.arguments(ReassignSchema)
@bp.response(200, TaskSchema)
@bp.doc(security=SECURITY)
def reassign_task(args, task_id):
    """Give an open task to another user it is offered to."""
    return present.task(monitor_ops.reassign(current_actor(), task_id, args["username"]))


@bp.route("/instances/bulk", methods=["POST"])
@token_required
@bp.arguments(BulkSchema)
@bp.response(200, BulkResultSchema)
@bp.doc(security=SECURITY)
def bulk_operate(args):
    """Suspend, resume, terminate, retry or migrate many instances, by ids or by a filter."""
    actor = current_actor()
    if (args["ids"] is None) == (args["filter"] is None):
        raise InvalidData("give either ids or a filter", {"ids": ["ids or filter"]})
    options = (args["reason"], args["version"], args["dry_run"])
    if args["ids"] is not None:
        outcomes = monitor_bulk.run(actor, args["action"], args["ids"], *options)
    else:
        query = monitor_search.InstanceQuery(**args["filter"])
        outcomes = monitor_bulk.run_matching(actor, args["action"], query, *options)
    done = sum(1 for o in outcomes if o.ok)
    return {"action": args["action"], "dry_run": args["dry_run"], "succeeded": done,
            "failed": len(outcomes) - done, "outcomes": [asdict(o) for o in outcomes]}
