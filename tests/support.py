"""Test helpers importable from any test folder: `from support import ApiClient, PROCESSES`."""

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from service.models import db

HERE = Path(__file__).parent
PROCESSES = HERE / "processes"
FORMS = HERE / "forms"
PASSWORD = "linkpass"


@contextmanager
def before_writes(app, hook):
    """Call hook(statement) before each INSERT, UPDATE or DELETE the app sends meanwhile."""
    with app.app_context():
        engine = db.engine

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            hook(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listen)


class ApiClient:
    """A test client that authenticates as a demo user with a real bearer token."""

    def __init__(self, client, username: str | None):
        self.client = client
        self.username = username
        self.headers = {}
        if username:
            response = client.post("/api/v1/auth/token",
                                   json={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.json
            self.headers = {"Authorization": f"Bearer {response.json['token']}"}

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers=self.headers, **kwargs)

    def deploy(self, *names: str, expect: int | None = None):
        """Deploy fixture files from tests/processes in order; return the last response."""
        response = None
        for name in names:
            with open(PROCESSES / name, "rb") as handle:
                response = self.post("/api/v1/processes", data={"file": (handle, Path(name).name)},
                                     content_type="multipart/form-data")
            if expect is None:
                assert response.status_code in (200, 201), response.json
        if expect is not None:
            assert response.status_code == expect, response.json
        return response

    def start(self, process: str, data=None, business_key=None, expect=201):
        body = {"process": process, "data": data or {}}
        if business_key is not None:
            body["business_key"] = business_key
        response = self.post("/api/v1/instances", json=body)
        assert response.status_code == expect, response.json
        return response.json

    def tasks(self, scope="candidate", status=None):
        url = f"/api/v1/tasks?scope={scope}" + (f"&status={status}" if status else "")
        response = self.get(url)
        assert response.status_code == 200, response.json
        return response.json["items"]

    def task_named(self, bpmn_id: str, scope="candidate"):
        found = [t for t in self.tasks(scope) if t["bpmn_id"] == bpmn_id]
        assert found, f"{self.username} has no {bpmn_id} in {scope}: {self.tasks(scope)}"
        return found[0]

    def complete(self, task_id: str, data=None, expect=200):
        response = self.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data or {}})
        assert response.status_code == expect, response.json
        return response.json

    def instance(self, instance_id: int):
        response = self.get(f"/api/v1/instances/{instance_id}")
        assert response.status_code == 200, response.json
        return response.json
