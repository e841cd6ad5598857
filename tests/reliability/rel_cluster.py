"""The cluster under test: a fresh PostgreSQL database, gunicorn web servers and timer workers."""

import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/linkpass_reliability"
DIAGRAMS = ("rel_task_loop.bpmn", "rel_timer_loop.bpmn")


def plain_url(url: str) -> str:
    """Return the URL for psycopg (no SQLAlchemy driver suffix)."""
    return re.sub(r"^postgresql\+\w+", "postgresql", url)


def recreate_database(url: str) -> None:
    """Drop and create the run's database (never anything else)."""
    name = url.rsplit("/", 1)[1]
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in ("postgres", "test"):
        raise SystemExit(f"refusing to recreate database {name!r}")
    admin = plain_url(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """Start, kill and restart the processes of the run; every one in its own process group."""

    def __init__(self, url: str, logs: Path, lock_seconds: float, interval: float):
        self.url, self.logs = url, logs
        self.interval = interval
        logs.mkdir(parents=True, exist_ok=True)
        instance = logs / "instance"
        instance.mkdir(exist_ok=True)
        self.env = {**os.environ, "FLASK_APP": "wsgi", "FLASK_DEBUG": "0", "DATABASE_URL": url,
                    "SECRET_KEY": secrets.token_hex(32), "INSTANCE_PATH": str(instance),
                    "JOB_LOCK_SECONDS": str(lock_seconds), "WORKER_INTERVAL": str(interval),
                    "PYTHONUNBUFFERED": "1"}
        self.ports = [free_port(), free_port()]
        self.env["PUBLIC_BASE_URL"] = self.base(0)  # the web servers refuse to start without
        self.servers: list[subprocess.Popen | None] = [None, None]
        self.workers: list[subprocess.Popen | None] = [None, None]

    # Setup: the real Alembic migrations and use cases, in this process (one app start-up)

    def prepare(self) -> None:
        """Migrate, seed the demo organisation, deploy the run's diagrams."""
        recreate_database(self.url)
        os.environ.update(self.env)  # the app reads its configuration from the environment
        from flask_migrate import upgrade

        from service import create_app
        from service.models import db
        from service.usecases import deployments, org
        from service.usecases.context import SYSTEM

        app = create_app()
        with app.app_context():
            logging.disable(logging.INFO)  # Alembic logs every migration it runs
            try:
                upgrade()
            finally:
                logging.disable(logging.NOTSET)
            org.seed_demo()
            for name in DIAGRAMS:
                deployments.deploy(SYSTEM, name, (HERE / name).read_bytes())
            db.session.remove()
            db.engine.dispose()

    # Processes

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115  (kept by the child)
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return proc

    def start_server(self, index: int) -> None:
        argv = [str(BIN / "gunicorn"), "--workers", "2", "--bind",
                f"127.0.0.1:{self.ports[index]}", "--timeout", "60", "--graceful-timeout", "5",
                "--log-level", "warning", "--preload", "wsgi:app"]
        self.servers[index] = self._spawn(f"server{index}", argv)

    def start_worker(self, index: int) -> None:
        argv = [str(BIN / "flask"), "worker", "--interval", str(self.interval)]
        self.workers[index] = self._spawn(f"worker{index}", argv)

    def worker_id(self, index: int) -> str:
        """The id the worker locks jobs with (cli.worker: host:pid)."""
        return f"{socket.gethostname()}:{self.workers[index].pid}"

    def base(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def wait_healthy(self, index: int, timeout: float = 60) -> float:
        """Wait until the server answers /healthz; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.servers[index].poll() is not None:
                raise SystemExit(f"server{index} exited: see {self.logs}/server{index}.log")
            try:
                if requests.get(self.base(index) + "/healthz", timeout=2).status_code in (200,
                                                                                         503):
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"server{index} did not become healthy in {timeout}s")

    @staticmethod
    def _signal(proc: subprocess.Popen | None, sig: int) -> None:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, sig)  # the process group we created: gunicorn and its workers
        if proc is not None:
            proc.wait(timeout=30)

    def kill_server(self, index: int) -> None:
        self._signal(self.servers[index], signal.SIGKILL)

    def kill_worker(self, index: int) -> None:
        self._signal(self.workers[index], signal.SIGKILL)

    def stop_workers(self) -> None:
        for proc in self.workers:
            self._signal(proc, signal.SIGTERM)

    def stop_all(self) -> None:
        for proc in self.workers + self.servers:
            try:
                self._signal(proc, signal.SIGTERM)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self._signal(proc, signal.SIGKILL)
