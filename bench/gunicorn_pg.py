"""API completions/s on PostgreSQL through gunicorn: real HTTP, the client on this machine.

`python -m bench.gunicorn_pg [seconds]` runs it alone. The database is BENCH_DATABASE_URL
(its schema is emptied). The server is `gunicorn wsgi:app` with WORKERS workers; CLIENTS
client threads keep connections open and each POSTs one completion at a time, fed from
GET /api/v1/tasks (those list requests are served in the same window and counted apart).
"""

import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
from sqlalchemy import make_url

from . import app as apps
from . import machine
from .flows import LINEAR9
from .measure import summary

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
THREADS = 2  # gthread: keep-alive connections, so no TCP handshake per request
CLIENTS = 6
INSTANCES = 700  # linear9 instances started (untimed) before the timed window
TARGET = 300.0  # completions/s (issue 7)
TICKS = os.sysconf("SC_CLK_TCK")


class Http:
    """One keep-alive HTTP/1.1 connection speaking JSON."""

    def __init__(self, port: int, token: str | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self.conn.request(method, path, payload, self.headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the server closed an idle connection: open a new one
            self.conn.request(method, path, payload, self.headers)
            response = self.conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(url: str, port: int, folder: str, workers: int = WORKERS, threads: int = THREADS,
           env: dict | None = None) -> subprocess.Popen:
    """Start gunicorn on url and wait until /healthz answers."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **(env or {})}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Http(port).call("GET", "/healthz")[0] in (200, 503):
                return server
        except OSError:
            time.sleep(0.2)
    _stop(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _cpu_seconds(pids) -> float:
    """Return the user+system CPU seconds of these processes (0 for any already gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def _rss_mb(pid: int) -> float:
    """Return a process's resident set size in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _backends(url: str) -> list[int]:
    """Return the PostgreSQL server processes serving the bench database."""
    target = make_url(url)
    plain = target.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                            "pg_backend_pid()", (target.database,)).fetchall()
    return [r[0] for r in rows]


def _prepare(port: int) -> str:
    """Log in over HTTP and start INSTANCES instances; return the advisor's token."""
    status, body = Http(port).call("POST", "/api/v1/auth/token",
                                   {"username": "sh.advisor", "password": apps.PASSWORD})
    if status != 200:
        raise RuntimeError(f"login failed: {status} {body}")
    token = body["token"]

    def start(count: int) -> None:
        client = Http(port, token)
        for _ in range(count):
            code, answer = client.call("POST", "/api/v1/instances",
                                       {"process": LINEAR9.key, "data": {}})
            if code != 201:
                raise RuntimeError(f"start failed: {code} {answer}")

    threads = [threading.Thread(target=start, args=(INSTANCES // CLIENTS,))
               for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return token


class _Counters:
    """What the client threads counted, and CPU readings of every process taking part."""

    def __init__(self, server_pid: int, backends: list[int]):
        self.lock = threading.Lock()
        self.done = self.errors = self.lists = 0
        self.latencies: list[float] = []
        self.server_pid, self.backends = server_pid, backends

    def snapshot(self) -> dict:
        with self.lock:
            taken = {"done": self.done, "errors": self.errors, "lists": self.lists,
                     "lat": len(self.latencies), "wall": time.perf_counter(),
                     "cpu": time.process_time()}
        taken["server"] = _cpu_seconds(_children(self.server_pid))
        taken["pg"] = _cpu_seconds(self.backends)
        return taken


def _drive(port: int, token: str, counters: _Counters, seconds: float, warmup: int) -> dict:
    """Complete ready tasks from CLIENTS threads for `seconds` after `warmup` completions."""
    work: queue.Queue = queue.Queue()
    seen: set[str] = set()
    lister = Http(port, token)
    stop = threading.Event()

    def refill() -> int:
        _, page = lister.call("GET", "/api/v1/tasks?scope=candidate&status=ready&per_page=200")
        counters.lists += 1
        fresh = [t["id"] for t in page.get("items", []) if t["id"] not in seen]
        seen.update(fresh)
        for task_id in fresh:
            work.put(task_id)
        return len(fresh)

    def client() -> None:
        http = Http(port, token)
        while not stop.is_set():
            try:
                task_id = work.get(timeout=0.2)
            except queue.Empty:
                continue
            began = time.perf_counter()
            code, _ = http.call("POST", f"/api/v1/tasks/{task_id}/complete",
                                {"data": LINEAR9.data})
            took = time.perf_counter() - began
            with counters.lock:
                counters.done += 1
                counters.errors += code != 200
                counters.latencies.append(took)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    first = None
    deadline = time.monotonic() + seconds + 120
    while time.monotonic() < deadline:
        if work.qsize() < 2 * CLIENTS and refill() == 0 and work.empty() and first:
            break  # every instance ran to its end
        if first is None and counters.done >= warmup:
            first = counters.snapshot()
        if first is not None and time.perf_counter() - first["wall"] >= seconds:
            break
        time.sleep(0.02)
    last = counters.snapshot()
    stop.set()
    for thread in threads:
        thread.join(timeout=70)
    if first is None:
        raise RuntimeError(f"only {counters.done} completions: fewer than the warm-up")
    count, wall = last["done"] - first["done"], last["wall"] - first["wall"]
    per = 1000 / max(count, 1)
    return {**summary(counters.latencies[first["lat"]:last["lat"]]), "completions": count,
            "wall_s": wall, "per_s": count / wall, "errors": last["errors"] - first["errors"],
            "list_requests": last["lists"] - first["lists"],
            "server_cpu_ms": (last["server"] - first["server"]) * per,
            "pg_cpu_ms": (last["pg"] - first["pg"]) * per,
            "client_cpu_ms": (last["cpu"] - first["cpu"]) * per}


def run(seconds: float = 20.0, warmup: int = 200) -> dict | None:
    """Return the figures of one run, or None when PostgreSQL is unreachable."""
    url = apps.postgres_url()
    if url is None:
        return None
    app = apps.build(url)
    try:
        apps.Client(app, "owner").deploy(LINEAR9)
    finally:
        apps.dispose(app)
    with tempfile.TemporaryDirectory(prefix="linkpass-gunicorn-") as folder:
        port = _free_port()
        server = _serve(url, port, folder)
        try:
            began = time.perf_counter()
            token = _prepare(port)
            starts = INSTANCES // CLIENTS * CLIENTS / (time.perf_counter() - began)
            counters = _Counters(server.pid, _backends(url))
            load = machine.load()
            result = _drive(port, token, counters, seconds, warmup)
            result["worker_rss_mb"] = [_rss_mb(pid) for pid in _children(server.pid)]
        finally:
            _stop(server)
    return {**result, "starts_per_s": starts, "load_before": load, "load_after": machine.load(),
            "workers": WORKERS, "threads": THREADS, "clients": CLIENTS}


def rows(raw: dict) -> list[dict]:
    """Return the section's rows for `make bench`."""
    rows_ = [{"section": f"5. API on PostgreSQL through gunicorn ({WORKERS} workers x {THREADS} "
                        f"threads, gthread), real HTTP, {CLIENTS} client threads on this "
                        "machine"}]
    result = run()
    if result is None:
        return rows_ + [{"figure": "completions/s", "value": "skipped", "unit": "",
                         "note": "skipped (PostgreSQL unreachable)"}]
    raw["gunicorn_pg"] = result
    verdict = "met" if result["per_s"] >= TARGET else "NOT met"
    return rows_ + [
        {"figure": "completions/s (linear9, POST .../complete)", "value": result["per_s"],
         "unit": "compl/s",
         "note": f"target >= {TARGET:.0f}/s: {verdict}; n={result['completions']} in "
                 f"{result['wall_s']:.1f} s, median {result['median_ms']:.1f} ms, p90 "
                 f"{result['p90_ms']:.1f} ms, errors {result['errors']}, "
                 f"{result['list_requests']} list requests in the window; load "
                 f"{result['load_before']} -> {result['load_after']}"},
        {"figure": "  CPU ms per completion: gunicorn workers", "value": result["server_cpu_ms"],
         "unit": "ms", "note": f"PostgreSQL backends {result['pg_cpu_ms']:.2f} ms, client "
                               f"{result['client_cpu_ms']:.2f} ms (2 cores: 2000 ms/s in all)"},
        {"figure": "  largest gunicorn worker RSS after the window", "unit": "MB",
         "value": max(result["worker_rss_mb"], default=None),
         "note": "each worker: " + ", ".join(f"{m:.1f} MB" for m in result["worker_rss_mb"])
                 + f" after serving about {result['completions'] // WORKERS:,} completions"},
        {"figure": "  instance starts/s (before the window)", "value": result["starts_per_s"],
         "unit": "starts/s", "note": f"{INSTANCES} POST /api/v1/instances"},
    ]


if __name__ == "__main__":
    figures = run(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
    print(json.dumps(figures, indent=2, default=str) if figures else "PostgreSQL unreachable")
