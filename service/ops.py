"""Operations endpoints: /healthz and /metrics."""

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from sqlalchemy import text

from service.models import db
from service.usecases import monitor_health

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
def healthz():
    """Report whether the database answers, and how long ago a worker last polled."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means unhealthy, not a 500 page
        db.session.rollback()
        return jsonify({"status": "unhealthy", "database": str(exc.__class__.__name__)}), 503
    worker = monitor_health.worker_health()
    # A stale worker delays timers but the web node still serves: degraded, not down.
    status = "ok" if worker["status"] == "ok" else "degraded"
    return jsonify({"status": status, "database": "ok", "worker": worker})


class _Figures:
    """A collector over figures computed once per scrape."""

    def __init__(self, figures: dict):
        self.figures = figures

    def collect(self):
        f = self.figures
        started = CounterMetricFamily("linkpass_instances_started", "Instances started",
                                      labels=["process"])
        for key, count in sorted(f["started"].items()):
            started.add_metric([key], count)
        completed = CounterMetricFamily("linkpass_instances_completed", "Instances completed",
                                        labels=["process"])
        for key, count in sorted(f["completed"].items()):
            completed.add_metric([key], count)
        tasks_done = CounterMetricFamily("linkpass_task_completions", "Human tasks completed")
        tasks_done.add_metric([], f["task_completions"])
        latency = HistogramMetricFamily(
            "linkpass_step_latency_seconds", "Time from a task's offer to its completion",
            labels=["process"])
        for key, (buckets, total, count) in sorted(f["latency"].items()):
            latency.add_metric([key], [(str(float(b)), n) for b, n in buckets]
                               + [("+Inf", count)], total)
        yield from (started, completed, tasks_done, latency)


@bp.route("/metrics")
def metrics():
    """Expose Prometheus metrics computed from the database at scrape time."""
    figures = monitor_health.figures()
    registry = CollectorRegistry()
    instances = Gauge("linkpass_instances", "Instances by status", ["status"], registry=registry)
    for status, count in figures["instances_by_status"].items():
        instances.labels(status).set(count)
    tasks = Gauge("linkpass_tasks", "Tasks by status", ["status"], registry=registry)
    for status, count in figures["tasks_by_status"].items():
        tasks.labels(status).set(count)
    Gauge("linkpass_jobs_due", "Jobs due now", registry=registry).set(figures["jobs_due"])
    Gauge("linkpass_jobs_late", "Jobs due for longer than JOB_LATE_SECONDS",
          registry=registry).set(figures["jobs_late"])
    Gauge("linkpass_incidents_open", "Open incidents", registry=registry).set(
        figures["incidents_open"])
    age = figures["worker"]["heartbeat_age_seconds"]
    Gauge("linkpass_worker_heartbeat_age_seconds", "Seconds since a worker last polled "
          "(-1: no worker ever polled)", registry=registry).set(-1 if age is None else age)
    registry.register(_Figures(figures))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
