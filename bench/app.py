"""Build an app on a fresh database (SQLite file or our own PostgreSQL database), log in."""

import logging
import os
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from psycopg import sql
from sqlalchemy import create_engine, make_url, text

from service import create_app
from service.config import normalise_database_url
from service.models import db
from service.usecases import org

from .flows import FORMS, PROCESSES, Flow

PASSWORD = "linkpass"
# The benchmarks' own database (its schema is dropped on every run): never the tests' `test`.
PG_BENCH = os.environ.get("BENCH_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/bench")


def config(url: str) -> dict:
    return {
        "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
        "PROCESSES_DIR": str(PROCESSES), "FORMS_DIR": str(FORMS),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "TOKEN_TTL_HOURS": 1000,
    }


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'bench.db'}"


def reset_postgres(url: str) -> bool:
    """Create the database of url if needed and empty its schema; False if unreachable."""
    url = make_url(normalise_database_url(url))
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 (url.database,)).fetchone()
            if not found:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
    except psycopg.Error:
        return False
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return True


def postgres_url() -> str | None:
    """Create the BENCH_DATABASE_URL database if needed, empty its schema; None if unreachable."""
    if not reset_postgres(PG_BENCH):
        return None
    return make_url(normalise_database_url(PG_BENCH)).render_as_string(hide_password=False)


def build(url: str):
    """Return an app on url with the schema migrated and the demo users seeded."""
    app = create_app(config(url))
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic logs every migration it runs
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        org.seed_demo()
        db.session.remove()
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Client:
    """The Flask test client, authenticated with a bearer token of a demo user."""

    def __init__(self, app, username: str):
        self.app = app
        self.http = app.test_client()
        response = self.http.post("/api/v1/auth/token",
                                  json={"username": username, "password": PASSWORD})
        if response.status_code != 200:
            raise RuntimeError(f"login of {username} failed: {response.get_json()}")
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def get(self, url: str):
        return self.http.get(url, headers=self.headers)

    def post(self, url: str, **kwargs):
        return self.http.post(url, headers=self.headers, **kwargs)

    def deploy(self, flow: Flow) -> None:
        with open(flow.path, "rb") as handle:
            response = self.post("/api/v1/processes", data={"file": (handle, flow.path.name)},
                                 content_type="multipart/form-data")
        if response.status_code not in (200, 201):
            raise RuntimeError(f"deploying {flow.path.name} failed: {response.get_json()}")

    def start(self, key: str) -> dict:
        response = self.post("/api/v1/instances", json={"process": key, "data": {}})
        if response.status_code != 201:
            raise RuntimeError(f"starting {key} failed: {response.get_json()}")
        return response.get_json()

    def complete(self, task_id: str, data: dict):
        """POST /api/v1/tasks/{id}/complete: the one request a completion is."""
        return self.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})

    def ready_tasks(self, key: str) -> list[str]:
        response = self.get("/api/v1/tasks?scope=candidate&status=ready&per_page=200")
        return [t["id"] for t in response.get_json()["items"] if t["process"] == key]
