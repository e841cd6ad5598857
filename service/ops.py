"""Operations endpoints: /healthz (details for admins) and /metrics (a token or an address)."""

import hmac
import ipaddress
from functools import lru_cache

from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from sqlalchemy import text

from service.auth import session_actor, user_for_token
from service.errors import Unauthorized
from service.models import db
from service.usecases import monitor_health

bp = Blueprint("ops", __name__)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _admin_asks() -> bool:
    """Tell whether an admin asks (bearer token or signed-in session)."""
    token = _bearer()
    if token is not None:
        user = user_for_token(token)
        return user is not None and "admin" in user.roles
    actor = session_actor()
    return actor is not None and actor.is_admin


@bp.route("/healthz")
def healthz():
    """Report whether the database answers and a worker polls: status and reason codes for
    anyone (a load balancer), the details for admins."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means unhealthy, not a 500 page
        db.session.rollback()
        body = {"status": "unhealthy", "reasons": ["database_unavailable"]}
        if _admin_asks():
            body["database"] = exc.__class__.__name__
        return jsonify(body), 503
    worker = monitor_health.worker_health()
    # A stale worker delays timers but the web node still serves: degraded, not down.
    status = "ok" if worker["status"] == "ok" else "degraded"
    body = {"status": status, "reasons": [] if status == "ok" else [f"worker_{worker['status']}"]}
    if _admin_asks():
        body.update(database="ok", worker=worker)
    return jsonify(body)


@lru_cache(maxsize=8)
def _networks(allowed: str) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False)
                 for item in allowed.split(",") if item.strip())


@bp.record_once
def _check_allow_list(state) -> None:
    _networks(state.app.config["METRICS_ALLOW"] or "")  # a bad entry fails at start-up


def _may_scrape() -> bool:
    """A scraper shows METRICS_TOKEN as its bearer token, or calls from METRICS_ALLOW."""
    config = current_app.config
    token = _bearer()
    if config["METRICS_TOKEN"] and token is not None:
        return hmac.compare_digest(token.encode(), config["METRICS_TOKEN"].encode())
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _networks(config["METRICS_ALLOW"] or ""))


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
    """Expose Prometheus metrics computed from the database at scrape time (to scrapers)."""
    if not _may_scrape():
        raise Unauthorized("metrics need the METRICS_TOKEN bearer token or an address in "
                           "METRICS_ALLOW")
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
