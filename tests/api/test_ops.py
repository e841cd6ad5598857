"""Operations endpoints and the served OpenAPI document."""

import re

import pytest

# The REST table of ARCHITECTURE.md, as OpenAPI paths and methods.
CONTRACT = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/processes": {"get", "post"},
    "/api/v1/processes/{key}": {"get"},
    "/api/v1/processes/{key}/versions/{number}/bpmn": {"get"},
    "/api/v1/instances": {"get", "post"},
    "/api/v1/instances/{instance_id}": {"get"},
    "/api/v1/instances/{instance_id}/events": {"get"},
    "/api/v1/instances/{instance_id}/suspend": {"post"},
    "/api/v1/instances/{instance_id}/resume": {"post"},
    "/api/v1/instances/{instance_id}/terminate": {"post"},
    "/api/v1/instances/{instance_id}/retry": {"post"},
    "/api/v1/instances/{instance_id}/migrate": {"post"},
    "/api/v1/tasks": {"get"},
    "/api/v1/tasks/{task_id}": {"get"},
    "/api/v1/tasks/{task_id}/claim": {"post"},
    "/api/v1/tasks/{task_id}/unclaim": {"post"},
    "/api/v1/tasks/{task_id}/assign": {"post"},
    "/api/v1/tasks/{task_id}/complete": {"post"},
    "/api/v1/messages": {"post"},
}
PUBLIC = {("/api/v1/auth/token", "post")}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


def test_healthz_answers_while_the_database_does(admin):
    response = admin.get("/healthz")  # an admin sees the details (issue 14)
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["status"] != "unhealthy"


def test_healthz_is_ok_once_a_worker_polled(app, client):
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "reasons": []}


def test_metrics_count_instances_by_status(app, client, owner, advisor):
    owner.deploy("simple_task.bpmn")
    advisor.start("simple_task")
    app.config["METRICS_ALLOW"] = "127.0.0.1"  # the test client's address (issue 14)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "# TYPE linkpass_instances gauge" in text
    assert re.search(r'^linkpass_instances\{status="running"\} 1\.0$', text, re.M), text
    assert re.search(r'^linkpass_tasks\{status="ready"\} 1\.0$', text, re.M), text


def test_openapi_is_version_3_and_lists_the_contract(spec):
    assert spec["openapi"].startswith("3."), spec["openapi"]
    assert spec["info"]["title"] and spec["info"]["version"]
    missing = [path for path in CONTRACT if path not in spec["paths"]]
    assert not missing, (missing, sorted(spec["paths"]))
    for path, methods in CONTRACT.items():
        declared = set(spec["paths"][path]) & HTTP_METHODS
        assert methods <= declared, (path, methods, declared)


def test_openapi_declares_bearer_security(spec):
    schemes = spec["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items()
              if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer"]
    assert bearer, schemes
    for path, methods in CONTRACT.items():
        for method in methods:
            operation = spec["paths"][path][method]
            security = operation.get("security", spec.get("security", []))
            names = {name for requirement in security for name in requirement}
            if (path, method) in PUBLIC:
                assert not names & set(bearer), (path, method, security)
            else:
                assert names & set(bearer), (path, method, security)


def test_openapi_documents_the_request_bodies(spec):
    token = spec["paths"]["/api/v1/auth/token"]["post"]
    assert "requestBody" in token
    start = spec["paths"]["/api/v1/instances"]["post"]
    assert "requestBody" in start
    deploy = spec["paths"]["/api/v1/processes"]["post"]
    assert "multipart/form-data" in deploy["requestBody"]["content"]
