"""The monitor's actions: each posts a form, runs one use case and goes back to the page."""

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.errors import ServiceError
from service.usecases import instances, monitor_bulk, monitor_migrate, monitor_ops

from .common import login_required, page_actor
from .monitor import bp, query_from

MESSAGES = {
    "suspend": lambda: _("Instance suspended."),
    "resume": lambda: _("Instance resumed."),
    "terminate": lambda: _("Instance terminated."),
    "retry": lambda: _("The failed step ran again."),
}


def _back(instance_id: int):
    return redirect(url_for("monitor.view_instance", instance_id=instance_id))


def _attempt(instance_id: int, done: str, use_case, *args):
    """Run a use case; say what happened, or why it was refused, on the instance page."""
    try:
        use_case(page_actor(), *args)
    except ServiceError as exc:
        if exc.status in (401, 403, 404):
            raise
        details = exc.details if isinstance(exc.details, dict) else {}
        reasons = [str(r) for v in details.values() for r in (v if isinstance(v, list) else [v])]
        flash(" ".join([exc.message + (":" if reasons else ""), *reasons]), "error")
        return _back(instance_id)
    flash(done, "success")
    return _back(instance_id)


@bp.route("/instances/<int:instance_id>/<any(suspend, resume, retry):action>",
          methods=["POST"])
@login_required
def operate_instance(instance_id, action):
    """Suspend, resume or retry an instance."""
    return _attempt(instance_id, MESSAGES[action](), getattr(instances, action), instance_id)


@bp.route("/instances/<int:instance_id>/terminate", methods=["POST"])
@login_required
def terminate_instance(instance_id):
    """Terminate an instance, with the reason kept in its log."""
    reason = request.form.get("reason", "").strip()[:500] or None
    return _attempt(instance_id, MESSAGES["terminate"](), instances.terminate, instance_id,
                    reason)


@bp.route("/instances/<int:instance_id>/data", methods=["POST"])
@login_required
def edit_data(instance_id):
    """Save the fields changed in the data editor (the log keeps old and new values)."""
    try:
        edited = json.loads(request.form.get("data") or "")
    except ValueError:
        edited = None
    if not isinstance(edited, dict):
        flash(_("The data must be a JSON object."), "error")
        return _back(instance_id)
    current = monitor_ops.view(page_actor(), instance_id).instance.data or {}
    changes = {k: v for k, v in edited.items() if k not in current or current[k] != v}
    return _attempt(instance_id, _("Data saved; the change is in the event log."),
                    monitor_ops.edit_data, instance_id, changes)


@bp.route("/instances/<int:instance_id>/skip", methods=["POST"])
@login_required
def skip_task(instance_id):
    """Mark the failed task done without running it again."""
    return _attempt(instance_id, _("The failed task was skipped."), monitor_ops.skip,
                    instance_id, request.form.get("task_id") or None)


@bp.route("/instances/<int:instance_id>/reset", methods=["POST"])
@login_required
def reset_instance(instance_id):
    """Go back to an earlier task, which is offered again."""
    return _attempt(instance_id, _("The instance went back; the task is offered again."),
                    monitor_ops.reset, instance_id, request.form.get("task_id", ""))


@bp.route("/instances/<int:instance_id>/migrate", methods=["POST"])
@login_required
def migrate_instance(instance_id):
    """Move the instance to the checked version."""
    version = request.form.get("version", type=int)
    return _attempt(instance_id, _("The instance moved to version %(v)s.", v=version),
                    monitor_migrate.migrate, instance_id, version)


@bp.route("/instances/<int:instance_id>/tasks/<task_id>/reassign", methods=["POST"])
@login_required
def reassign_task(instance_id, task_id):
    """Give an open task to another user."""
    username = request.form.get("username", "").strip()
    return _attempt(instance_id, _("Task assigned to %(user)s.", user=username),
                    monitor_ops.reassign, task_id, username)


@bp.route("/instances/bulk", methods=["POST"])
@login_required
def bulk_instances():
    """Apply one action to the selected instances and show each outcome."""

    actor = page_actor()
    action = request.form.get("action", "")
    dry_run = request.form.get("dry_run") == "1"
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    version = request.form.get("version", type=int)
    reason = request.form.get("reason", "").strip()[:500] or None
    query, _errors = query_from(request.form)
    try:
        outcomes = monitor_bulk.run(actor, action, ids, reason, version, dry_run)
    except ServiceError as exc:
        if exc.status in (401, 403, 404):
            raise
        flash(exc.message, "error")
        return redirect(url_for("monitor.list_instances", **query.active_filters()))
    return render_template("monitor/bulk_result.html", action=action, dry_run=dry_run,
                           outcomes=outcomes, version=version, reason=reason,
                           filters=query.active_filters())
