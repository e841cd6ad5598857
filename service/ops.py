"""Operations endpoints: /healthz and /metrics."""

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select, text

from service import clock
from service.models import Incident, Instance, Job, Task, db

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    """Report whether the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify({"status": "ok", "database": "ok"})
    except Exception as exc:  # any database failure means unhealthy, not a 500 page
        db.session.rollback()
        return jsonify({"status": "unhealthy", "database": str(exc.__class__.__name__)}), 503


@bp.route("/metrics")
def metrics():
    """Expose Prometheus metrics computed from the database at scrape time."""
    registry = CollectorRegistry()
    instances = Gauge("linkpass_instances", "Instances by status", ["status"], registry=registry)
    for status, count in db.session.execute(
            select(Instance.status, func.count()).group_by(Instance.status)):
        instances.labels(status).set(count)
    tasks = Gauge("linkpass_tasks", "Tasks by status", ["status"], registry=registry)
    for status, count in db.session.execute(select(Task.status, func.count())
                                            .group_by(Task.status)):
        tasks.labels(status).set(count)
    Gauge("linkpass_jobs_due", "Jobs due now", registry=registry).set(db.session.scalar(
        select(func.count()).select_from(Job).where(Job.due_at <= clock.now())) or 0)
    Gauge("linkpass_incidents_open", "Open incidents", registry=registry).set(
        db.session.scalar(select(func.count()).select_from(Incident)
                          .where(Incident.resolved_at.is_(None))) or 0)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
