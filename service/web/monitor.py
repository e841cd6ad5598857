"""The admin monitor's pages: dashboard with heatmap, instance list, instance page.

monitor_actions.py adds the routes that operate instances to this module's blueprint.
"""

from datetime import date

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from service.errors import InvalidData
from service.security import served_content, untrusted
from service.usecases import monitor, monitor_migrate, monitor_ops, monitor_search

from .common import login_required, page_actor

bp = Blueprint("monitor", __name__, url_prefix="/monitor", template_folder="templates")
TEXT_FILTERS = ("process", "status", "center", "client", "business_key", "field", "value")
DATE_FILTERS = ("started_from", "started_to", "ended_from", "ended_to")


def query_from(args) -> tuple[monitor_search.InstanceQuery, dict]:
    """Read the list's filters from the query string; return the query and field errors."""
    values, errors = {}, {}
    for name in TEXT_FILTERS:
        text = (args.get(name) or "").strip()
        if text:
            values[name] = text[:300]
    for name in DATE_FILTERS:
        text = (args.get(name) or "").strip()
        if text:
            try:
                values[name] = date.fromisoformat(text)
            except ValueError:
                errors[name] = _("Not a date (YYYY-MM-DD).")
    page_size = current_app.config["MONITOR_PAGE_SIZE"]
    for name, default in (("version", None), ("page", 1), ("per_page", page_size)):
        text = (args.get(name) or "").strip()
        if text:
            try:
                values[name] = int(text)
            except ValueError:
                errors[name] = _("Not a number.")
        elif default is not None:
            values[name] = default
    incident = args.get("has_incident")
    if incident in ("yes", "no"):
        values["has_incident"] = incident == "yes"
    values["sort"] = args.get("sort") or "id"
    values["order"] = args.get("order") or "desc"
    return monitor_search.InstanceQuery(**values), errors


def _durations() -> dict:
    return {"s": _("s"), "min": _("min"), "h": _("h"), "d": _("d")}


@bp.route("/")
@login_required
def dashboard():
    """Show what runs, what is stuck and where time goes."""
    actor = page_actor()
    board = monitor.dashboard(actor)
    processes = monitor.processes(actor)
    busiest = max(board.by_process, key=lambda row: row["count"], default=None)
    chosen = request.args.get("process") or (busiest["key"] if busiest else None)
    heat = monitor.heatmap(actor, chosen) if chosen else None
    return render_template("monitor/dashboard.html", board=board, processes=processes,
                           chosen=chosen, heat=heat, units=_durations())


@bp.route("/instances")
@login_required
def list_instances():
    """List instances with filters, sorting and paging; admins operate on a selection."""
    actor = page_actor()
    monitor.require_monitor(actor)
    query, errors = query_from(request.args)
    rows, total, status = [], 0, 200
    if not errors:
        try:
            rows, total = monitor_search.search(actor, query)
        except InvalidData as exc:
            errors = {k: "; ".join(v) if isinstance(v, list) else str(v)
                      for k, v in exc.details.items()}
    if errors:
        status = 422
    counts = monitor_search.open_incident_counts([r.id for r in rows])
    return render_template("monitor/instances.html", rows=rows, total=total, query=query,
                           errors=errors, counts=counts, filters=query.active_filters(),
                           processes=monitor.processes(actor),
                           can_operate=monitor.can_operate(actor)), status


@bp.route("/instances/<int:instance_id>")
@login_required
def view_instance(instance_id):
    """Show one instance: diagram with what happened where, tasks, data, log, actions."""
    actor = page_actor()
    seen = monitor_ops.view(actor, instance_id)
    check = None
    if request.args.get("check") and monitor.can_operate(actor):
        check = monitor_migrate.check(actor, instance_id, request.args.get("check", type=int))
    return render_template("monitor/instance.html", v=seen, i=seen.instance, check=check,
                           can_operate=monitor.can_operate(actor))


@bp.route("/processes/<key>/<int:version>.bpmn")
@served_content
@login_required
def diagram_xml(key, version):
    """Return a version's diagram for the viewer (with a layout drawn when it has none)."""
    return untrusted(monitor.diagram_xml(page_actor(), key, version), f"{key}-v{version}.bpmn",
                     inline=True)


from . import monitor_actions  # noqa: E402, F401  (its routes join bp)
