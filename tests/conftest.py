"""Fixtures: a migrated database (SQLite or TEST_DATABASE_URL), apps, clients, users per role."""

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from support import FORMS, PASSWORD, PROCESSES, ApiClient  # noqa: F401  (re-exported)

from service import clock, create_app
from service.models import db
from service.usecases import org


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgres(url: str) -> None:
    from service.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Create the schema once per session through the real Alembic migrations."""
    url = _database_url(tmp_path_factory)
    if url.startswith("postgres"):
        _reset_postgres(url)
    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "PROCESSES_DIR": str(PROCESSES),
        "FORMS_DIR": str(FORMS),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; scrypt by default
        "DEMO_PASSWORD": PASSWORD,
        "SCRIPT_TIMEOUT": 1.0,
        "TOKEN_TTL_HOURS": 24 * 365 * 10,  # tests move the clock by years; expiry is tested apart
    }


@pytest.fixture
def make_app(database_url):
    """Return a factory of apps on the test database: a second call is a restart."""
    apps = []

    def factory(**overrides):
        app = create_app({**_config(database_url), **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def seeded_app(make_app):
    """Return a factory of apps (config overrides as keywords) on an emptied, seeded database."""

    def build(**overrides):
        app = make_app(**overrides)
        with app.app_context():
            _empty_tables()
            org.seed_demo()
            db.session.remove()
        clock.reset()
        return app

    yield build
    clock.reset()


@pytest.fixture
def app(seeded_app):
    return seeded_app()


def _empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def as_user(client):
    """Return an authenticated API client for a demo username."""
    cache = {}

    def login(username: str) -> ApiClient:
        if username not in cache:
            cache[username] = ApiClient(client, username)
        return cache[username]

    return login


@pytest.fixture
def owner(as_user):
    return as_user("owner")


@pytest.fixture
def advisor(as_user):
    return as_user("sh.advisor")


@pytest.fixture
def admin(as_user):
    return as_user("admin")


@pytest.fixture
def run_worker(app):
    """Run the worker's due jobs in-process, as `flask worker --once` does."""
    from service.usecases import jobs

    def run() -> int:
        with app.app_context():
            try:
                return jobs.run_until_idle("test-worker")
            finally:
                db.session.remove()

    return run
