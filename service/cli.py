"""Flask commands: seed-demo, deploy, worker."""

import os
import socket
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from service.config import require_public_base_url
from service.usecases import deployments, jobs, monitor_health, org, studio_export
from service.usecases.context import SYSTEM


def serving_web() -> bool:
    """Tell whether the app is loaded to serve web requests, not for another flask command."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        return True  # a WSGI server (gunicorn) imported it
    context = click.get_current_context(silent=True)
    return context is not None and context.info_name == "run"


def init_app(app) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(deploy)
    app.cli.add_command(worker)
    app.cli.add_command(processes)


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create the demo organisation (idempotent)."""
    centers, users = org.seed_demo()
    click.echo(f"demo organisation ready: {centers} centers and {users} users added")


@click.command("deploy")
@click.argument("path", required=False)
@with_appcontext
def deploy(path):
    """Deploy the changed files of processes/ (or of PATH, a folder or one file)."""
    target = Path(path or current_app.config["PROCESSES_DIR"])
    if target.is_file():
        version, created = deployments.deploy(SYSTEM, target.name, target.read_bytes())
        outcomes = [(target.name, f"v{version.version}" + ("" if created else " (unchanged)"))]
    else:
        outcomes = deployments.deploy_directory(SYSTEM, str(target))
    for name, outcome in outcomes:
        click.echo(f"{name}: {outcome}")
    if any(o.startswith("refused") for _, o in outcomes):
        raise SystemExit(1)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due now, then exit.")
@click.option("--interval", type=float, default=None, help="Seconds between polls.")
@with_appcontext
def worker(once, interval):
    """Fire due timers and retries until stopped."""
    try:
        require_public_base_url(current_app)  # the mails it sends link to the site
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    worker_id = f"{socket.gethostname()}:{os.getpid()}"
    interval = interval or current_app.config["WORKER_INTERVAL"]
    if once:
        ran = jobs.run_until_idle(worker_id)
        monitor_health.beat(worker_id, ran)
        click.echo(f"ran {ran} jobs")
        return
    click.echo(f"worker {worker_id} polling every {interval}s")
    while True:
        ran = jobs.tick(worker_id)
        monitor_health.beat(worker_id, ran)  # /healthz reports the heartbeat's age
        if not ran:
            time.sleep(interval)


@click.group("processes")
def processes():
    """Round trip with git: export the deployed processes and forms."""


@processes.command("export")
@click.argument("directory")
@with_appcontext
def export_processes(directory):
    """Write the latest deployed versions as DIRECTORY/processes/ and DIRECTORY/forms/ files."""
    for path in studio_export.export(directory):
        click.echo(path)
