"""Links in mail never come from the request (issue 14, point 4): they start with
PUBLIC_BASE_URL, which the web server and the worker refuse to start without."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from service.models import Notification, db

ROOT = Path(__file__).resolve().parents[2]


def bodies(app, kind: str) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(Notification.body).where(
            Notification.kind == kind).order_by(Notification.id)))
        db.session.remove()
        return found


def test_a_forged_host_never_reaches_a_mailed_link(app, as_user):
    forged = app.test_client()
    assert forged.post("/api/v1/org/password/forgot", json={"login": "sh.advisor"},
                       base_url="http://evil.example").status_code == 202
    [reset] = bodies(app, "password_reset")
    assert "evil.example" not in reset
    assert "http://127.0.0.1:5000/org/password/reset/" in reset  # debug and tests only
    app.config["PUBLIC_BASE_URL"] = "https://flow.example.org/"
    president = as_user("sh.president")
    president.client.environ_base["HTTP_HOST"] = "evil.example"
    assert president.post("/api/v1/org/users", json={
        "username": "sh.new", "display_name": "新人", "email": "new@linkpass.example",
        "center": "sh", "roles": ["advisor"]}).status_code == 201
    [invitation] = bodies(app, "invitation")
    assert "https://flow.example.org/org/invite/" in invitation and "evil" not in invitation


def run(*argv: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PUBLIC_BASE_URL", "FLASK_DEBUG", "FLASK_RUN_FROM_CLI")}
    return subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**clean, "SECRET_KEY": "links-test", **env})


def test_the_web_server_and_the_worker_refuse_to_start_without_it(tmp_path):
    folder = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    serve = run("-c", "import wsgi", **folder)  # what gunicorn wsgi:app does
    assert serve.returncode != 0 and "PUBLIC_BASE_URL is not set" in serve.stderr
    worker = run("-m", "flask", "--app", "wsgi", "worker", "--once", **folder)
    assert worker.returncode != 0 and "PUBLIC_BASE_URL is not set" in worker.stderr
    assert "Traceback" not in worker.stderr  # a clear message, not a crash
    other = run("-m", "flask", "--app", "wsgi", "routes", **folder)
    assert other.returncode == 0, other.stderr  # other commands do not need it
    wrong = run("-c", "import wsgi", PUBLIC_BASE_URL="evil.example/x", **folder)
    assert wrong.returncode != 0 and "is not an http(s) address" in wrong.stderr
    fine = run("-c", "import wsgi", PUBLIC_BASE_URL="https://flow.example.org", **folder)
    assert fine.returncode == 0, fine.stderr
    debug = run("-c", "import wsgi", FLASK_DEBUG="1", **folder)
    assert debug.returncode == 0, debug.stderr
