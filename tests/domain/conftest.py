"""Domain fixtures: the app runs the repository's processes and forms, deployed by the owner."""

from pathlib import Path

import pytest
from sqlalchemy import select

from service import clock
from service.models import User, db
from service.usecases import deployments, org, public
from service.usecases.context import Actor

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(make_app, tmp_path):
    """An app on the real processes/ and forms/, with the demo organisation, all deployed."""
    app = make_app(PROCESSES_DIR=str(REPO / "processes"), FORMS_DIR=str(REPO / "forms"),
                   CRM_DOCUMENTS_DIR=str(tmp_path / "documents"))
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        org.seed_demo()
        owner = db.session.scalar(select(User).where(User.username == "owner"))
        outcomes = deployments.deploy_directory(Actor.of(owner), str(REPO / "processes"))
        assert all(outcome.startswith("v1") for _, outcome in outcomes), outcomes
        db.session.remove()
    clock.reset()
    public.limiter.reset()
    yield app
    clock.reset()
    public.limiter.reset()


@pytest.fixture
def read(app):
    """Run fn() in a fresh app context and return its (plain) result: for CRM assertions."""

    def run(fn):
        with app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()

    return run
