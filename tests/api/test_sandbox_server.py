"""A bomb in one request does not stall its server: a real gunicorn with one worker process.

With one worker, the other client's request can only be served by another thread of the same
process, the one running the bomb. Were the script run in the server (a backtracking regex
holds the GIL inside C), that thread would wait until the bomb ended; the sandbox process runs
it instead, so the other request completes first. The order is asserted, not the durations
(those are measured by `make bench`).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sandbox_corpus import deploy, script_then_task

ROOT = Path(__file__).resolve().parents[2]
BOMB = "x = bool(re.match('(a+)+$', 'a' * 40 + 'b'))"  # hours of backtracking in one C call


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(port: int, method: str, path: str, body=None, token=None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


@pytest.fixture
def server(app, database_url, tmp_path):
    """gunicorn on the test database: one worker, four threads, a 2 s CPU budget."""
    port = _port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
           "INSTANCE_PATH": str(tmp_path), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "SCRIPT_TIMEOUT": "4", "SCRIPT_CPU_SECONDS": "2"}
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread",
         "--threads", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call(port, "GET", "/healthz")[0] in (200, 503):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def test_a_bomb_does_not_hold_up_another_clients_request(app, owner, server):
    deploy(owner, "bomb.bpmn", script_then_task("bomb", BOMB))
    deploy(owner, "harmless.bpmn", script_then_task("harmless", "y = 1 + 1"))
    status, body = _call(server, "POST", "/api/v1/auth/token",
                         {"username": "sh.advisor", "password": "linkpass"})
    assert status == 200, body
    token = body["token"]
    # warm up: the worker's first script starts its sandbox process
    assert _call(server, "POST", "/api/v1/instances", {"process": "harmless"}, token)[0] == 201
    finished: list[str] = []
    results = {}

    def bomb() -> None:
        results["bomb"] = _call(server, "POST", "/api/v1/instances", {"process": "bomb"}, token)
        finished.append("bomb")

    status, body = _call(server, "POST", "/api/v1/auth/token",
                         {"username": "sh.advisor2", "password": "linkpass"})
    other_token = body["token"]
    thread = threading.Thread(target=bomb)
    thread.start()
    time.sleep(1.0)  # the bomb is running in its sandbox by now (its budget is 2 s of CPU)
    # Another client's read: on SQLite a write would queue behind the bomb's transaction
    # (one writer at a time), whatever runs the script.
    results["other"] = _call(server, "GET", "/api/v1/tasks?scope=candidate", token=other_token)
    finished.append("other")
    thread.join(timeout=60)
    assert finished == ["other", "bomb"]
    status, other = results["other"]
    assert status == 200 and "items" in other, other
    status, bombed = results["bomb"]
    assert status == 201, bombed
    assert bombed["status"] == "error"
    (incident,) = bombed["incidents"]
    assert incident["element_id"] == "place"
    assert "CPU time limit (SCRIPT_CPU_SECONDS)" in incident["message"] \
        or "time limit (SCRIPT_TIMEOUT)" in incident["message"]
