"""Bombs against a real server: `python -m bench.bombs`.

gunicorn runs with ONE worker process and four threads, so every other request shares the
process of the bomb (with two workers it could simply go to the other one), on PostgreSQL at
BENCH_DATABASE_URL (its schema is emptied), or on SQLite when that is unreachable. The budget
is the production default (SCRIPT_TIMEOUT 2 s, SCRIPT_CPU_SECONDS 1 s, SCRIPT_MEMORY_MB 128).
For each bomb, one client starts an instance that runs it while two others keep completing
tasks and listing their inbox (on SQLite only listing: its one writer at a time would make a
completion wait for the bomb's transaction, whatever ran the script). Reported: how the bomb
ended, the worst and median latency of the other clients' requests during it, and the growth
of the resident memory of the whole server (master, worker, sandbox processes) over its level
before the bomb, sampled every 5 ms.
"""

import json
import tempfile
import threading
import time
from pathlib import Path
from statistics import median
from xml.sax.saxutils import escape

from . import app as apps
from .flows import LINEAR9, Flow
from .gunicorn_pg import Http, _free_port, _rss_mb, _serve, _stop

BOMBS = [  # (name, where it runs, source): the four, its data bomb, and a bignum
    ("3 GB string", "script", "x = len('ab' * 15 * 10**8)"),
    ("1.7 GB list", "script", "x = len(list(range(4 * 10**7)))"),
    ("backtracking regex", "condition", "re.match('(a+)+$', 'a' * 26 + 'b')"),
    ("1 GB format", "script", "x = len(f'{1:>{10**9}}')"),
    ("100 MB left in data", "script", "x = 'a' * 10**8"),
    ("bignum power", "script", "x = 10 ** 10 ** 8 > 0"),
]
TARGET_LATENCY_S = 1.0
TARGET_GROWTH_MB = 256.0


def _diagram(key: str, where: str, source: str) -> str:
    if where == "script":
        body = (f'<bpmn:scriptTask id="bomb" scriptFormat="python"><bpmn:script>{escape(source)}'
                '</bpmn:script></bpmn:scriptTask>')
        arrows = ('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="bomb"/>'
                  '<bpmn:sequenceFlow id="f2" sourceRef="bomb" targetRef="end"/>')
    else:
        body = '<bpmn:exclusiveGateway id="bomb" default="f3"/><bpmn:endEvent id="end2"/>'
        arrows = ('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="bomb"/>'
                  '<bpmn:sequenceFlow id="f2" sourceRef="bomb" targetRef="end">'
                  '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                  f'{escape(source)}</bpmn:conditionExpression></bpmn:sequenceFlow>'
                  '<bpmn:sequenceFlow id="f3" sourceRef="bomb" targetRef="end2"/>')
    return ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'id="d_{key}" targetNamespace="http://bpmn.io/schema/bpmn">'
            f'<bpmn:process id="{key}" isExecutable="true"><bpmn:startEvent id="start"/>'
            f'{body}<bpmn:endEvent id="end"/>{arrows}</bpmn:process></bpmn:definitions>')


def _descendants(pid: int) -> list[int]:
    """Return the children of every thread of a process (a request thread starts sandboxes)."""
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def _tree_rss_mb(root: int) -> float:
    """Return the resident memory of a process and all its descendants, in MB."""
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += _rss_mb(pid)
        except OSError:
            continue
        stack.extend(_descendants(pid))
    return total


def _deploy(url: str, folder: Path) -> None:
    app = apps.build(url)
    try:
        owner = apps.Client(app, "owner")
        owner.deploy(LINEAR9)
        for number, (_, where, source) in enumerate(BOMBS):
            path = folder / f"bench_bomb_{number}.bpmn"
            path.write_text(_diagram(path.stem, where, source))
            owner.deploy(Flow(path, path.stem, {}))
        path = folder / "bench_harmless.bpmn"
        path.write_text(_diagram("bench_harmless", "script", "y = sum([1, 2])"))
        owner.deploy(Flow(path, path.stem, {}))
    finally:
        apps.dispose(app)


class _Others:
    """Two clients completing tasks and listing their inbox until stopped; latencies kept."""

    def __init__(self, port: int, token: str, writes: bool):
        self.port, self.token, self.writes = port, token, writes
        self.latencies: list[tuple[float, float]] = []  # (started, seconds)
        self.stop = threading.Event()

    def _loop(self) -> None:
        http = Http(self.port, self.token)
        while not self.stop.is_set():
            began = time.perf_counter()
            _, page = http.call("GET", "/api/v1/tasks?scope=candidate&status=ready&per_page=20")
            self.latencies.append((began, time.perf_counter() - began))
            items = page.get("items", []) if self.writes else []
            if items:
                began = time.perf_counter()
                http.call("POST", f"/api/v1/tasks/{items[0]['id']}/complete",
                          {"data": LINEAR9.data})
                self.latencies.append((began, time.perf_counter() - began))

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(2)]
        for thread in threads:
            thread.start()
        return threads


def _bomb(port: int, token: str, server_pid: int, number: int, writes: bool) -> dict:
    others = _Others(port, token, writes)
    threads = others.run()
    time.sleep(0.5)  # the others are under way
    before = _tree_rss_mb(server_pid)
    peak, done = [before], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(_tree_rss_mb(server_pid))
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    status, body = Http(port, token).call("POST", "/api/v1/instances",
                                          {"process": f"bench_bomb_{number}"})
    ended = time.perf_counter()
    done.set()
    others.stop.set()
    for thread in (*threads, sampler):
        thread.join(timeout=30)
    during = [took for start, took in others.latencies if began <= start + took and start <= ended]
    incident = (body.get("incidents") or [{}])[0]
    return {"bomb_s": ended - began, "status": status, "instance": body.get("status"),
            "incident": incident.get("message"), "requests": len(during),
            "worst_s": max(during, default=None), "median_s": median(during) if during else None,
            "growth_mb": max(peak) - before}


def run() -> dict:
    """Return the figures of every bomb."""
    url = apps.postgres_url()
    writes = url is not None
    with tempfile.TemporaryDirectory(prefix="linkpass-bombs-") as folder:
        url = url or apps.sqlite_url(Path(folder))
        _deploy(url, Path(folder))
        port = _free_port()
        server = _serve(url, port, folder, workers=1, threads=4)
        try:
            _, body = Http(port).call("POST", "/api/v1/auth/token",
                                      {"username": "sh.advisor", "password": apps.PASSWORD})
            token, http = body["token"], Http(port, body["token"])
            for _ in range(40):  # tasks for the other clients to complete
                http.call("POST", "/api/v1/instances", {"process": LINEAR9.key, "data": {}})
            http.call("POST", "/api/v1/instances", {"process": "bench_harmless"})  # warm-up
            results = {name: _bomb(port, token, server.pid, number, writes)
                       for number, (name, _, _) in enumerate(BOMBS)}
        finally:
            _stop(server)
    return {"database": "postgresql" if writes else "sqlite", "bombs": results}


def rows(raw: dict) -> list[dict]:
    """Return the section's rows for `make bench`."""
    result = run()
    raw["bombs"] = result
    rows_ = [{"section": "issue 15: bombs against gunicorn (1 worker x 4 threads, "
                         f"{result['database']}), default budget; other clients keep working"}]
    for name, found in result["bombs"].items():
        worst, growth = found["worst_s"], found["growth_mb"]
        ok = worst is not None and worst < TARGET_LATENCY_S and growth < TARGET_GROWTH_MB
        rows_.append({
            "figure": f"{name}: worst other request", "value": worst, "unit": "s",
            "note": f"median {found['median_s'] or 0:.3f} s of {found['requests']} requests; "
                    f"memory +{growth:.0f} MB; bomb answered {found['status']} after "
                    f"{found['bomb_s']:.2f} s, instance {found['instance']}: "
                    f"{(found['incident'] or '-')[:70]}; goals < {TARGET_LATENCY_S:g} s and "
                    f"< {TARGET_GROWTH_MB:.0f} MB: {'met' if ok else 'NOT met'}"})
    return rows_


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=str))
