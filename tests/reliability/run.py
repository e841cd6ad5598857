"""Reliability run (issue 7): 2 web servers and 2 timer workers on PostgreSQL under 20 clients.

`make test-reliability` runs `python tests/reliability/run.py`. The database is
RELIABILITY_DATABASE_URL (default: the local `linkpass_reliability`), dropped and created anew.
Midway one server and one worker are killed with SIGKILL, then restarted. Prints a summary and
exits non-zero when any check failed. Not a pytest module: the normal suites never run it.
"""

import argparse
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from rel_checks import check_all
from rel_clients import Client, Servers, Stats, Worker, start_instance, task_loop_data
from rel_cluster import DEFAULT_URL, ROOT, Cluster
from sqlalchemy import create_engine, text

TIMER_INSTANCES, TIMER_ROUNDS = 100, 10  # 1,000 timers
TASK_INSTANCES = 30
LOCK_SECONDS = 8.0  # a killed worker's claimed jobs run again this long after the claim
ORPHANS = text("SELECT j.instance_id, i.process_key, j.element_id, j.due_at FROM job j "
               "JOIN instance i ON i.id = j.instance_id WHERE j.locked_by = :worker")


def token(base: str, username: str) -> str:
    password = os.environ.get("DEMO_PASSWORD", "linkpass")
    response = requests.post(f"{base}/api/v1/auth/token", timeout=60,
                             json={"username": username, "password": password})
    response.raise_for_status()
    return response.json()["token"]


class Chaos(threading.Thread):
    """Kill server 0 and worker 0 with SIGKILL midway, then restart them."""

    def __init__(self, cluster: Cluster, servers: Servers, db, started: float, seconds: float):
        super().__init__(name="chaos", daemon=True)
        self.cluster, self.servers, self.db = cluster, servers, db
        self.started, self.seconds = started, seconds
        self.log: list[str] = []
        self.orphaned: list = []
        self.error: BaseException | None = None

    def at(self, fraction: float) -> None:
        time.sleep(max(0.0, self.started + fraction * self.seconds - time.monotonic()))

    def note(self, what: str) -> None:
        self.log.append(f"t={time.monotonic() - self.started:6.1f}s  {what}")

    def run(self) -> None:
        try:
            self.chaos()
        except BaseException as exc:  # reported as a failure by the main thread
            self.error = exc

    def chaos(self) -> None:
        self.at(0.4)
        self.servers.down[0] = True
        self.cluster.kill_server(0)
        self.note("kill -9 server0 (gunicorn master and its workers)")
        time.sleep(6)
        self.cluster.start_server(0)
        took = self.cluster.wait_healthy(0)
        self.servers.down[0] = False
        self.note(f"server0 restarted, healthy after {took:.1f}s")
        self.at(0.5)
        worker = self.cluster.worker_id(0)
        waited = time.monotonic()
        # Kill the worker while it holds claimed jobs, so that their locks must expire.
        with self.db.connect() as conn:
            while time.monotonic() - waited < 15:
                if conn.execute(ORPHANS, {"worker": worker}).first():
                    break
                conn.rollback()
                time.sleep(0.01)
        self.cluster.kill_worker(0)
        with self.db.connect() as conn:
            self.orphaned = [tuple(r) for r in conn.execute(ORPHANS, {"worker": worker})]
        self.note(f"kill -9 worker0 ({worker}) holding {len(self.orphaned)} claimed jobs")
        time.sleep(3)
        self.cluster.start_worker(0)
        self.note("worker0 restarted")


def start_instances(base: str, stats: Stats, advisor: str, rng: random.Random) -> list[int]:
    """Start the timer loops and the first task loops; return the timer loops' ids."""
    servers = Servers([base])

    def one(i: int) -> int | None:
        client = Client(servers, stats, advisor, "sh.advisor", 0)
        if i < TIMER_INSTANCES:
            data = {"rounds": TIMER_ROUNDS, "delay": 5 + i % 6}
            return start_instance(client, "rel_timer_loop", data, f"timers-{i}")
        return start_instance(client, "rel_task_loop", task_loop_data(rng), f"tasks-{i}")

    with ThreadPoolExecutor(6) as pool:
        ids = list(pool.map(one, range(TIMER_INSTANCES + TASK_INSTANCES)))
    if None in ids:
        raise SystemExit("could not start the instances")
    return ids[:TIMER_INSTANCES]


def drain(db, timer_ids: list[int], limit: float = 90) -> float:
    """Wait until every timer loop ended and no job is overdue; return the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        with db.connect() as conn:
            running = conn.execute(text("SELECT count(*) FROM instance WHERE id = ANY(:ids) "
                                        "AND status != 'completed'"), {"ids": timer_ids}).scalar()
            overdue = conn.execute(text("SELECT count(*) FROM job WHERE due_at < "
                                        "now() - interval '3 seconds'")).scalar()
        if not running and not overdue:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def summary(stats: Stats, figures, chaos: Chaos, times: dict, failures: list[str]) -> None:
    completions = sum(len(a) for a in stats.acks.values())
    print("\n==================== reliability summary ====================")
    print(f"clients 20, load {times['load']:.0f}s, 2 gunicorn servers x 2 workers, 2 timer workers")
    print(f"completions acknowledged (200): {completions} "
          f"({completions / times['load']:.0f}/s)")
    print(f"409 conflicts: {stats.conflicts}, retried to a 200 after re-reading: "
          f"{stats.conflicts_retried}, given up: {stats.gave_up}")
    print(f"connection errors while a server was down: {dict(stats.conn_errors)}; "
          f"answers lost in flight (re-read, then retried): {len(stats.in_doubt)} "
          f"(retried to a 200: {stats.in_doubt_retried}); starts lost: {stats.starts_in_doubt}")
    print(f"connection errors from a server that was up: {len(stats.conn_errors_up)}")
    print(f"5xx: {len(stats.five_xx)}; unexpected answers: {len(stats.unexpected)}")
    print("responses: " + ", ".join(f"{k} {s}: {n}" for (k, s), n in
                                     sorted(stats.statuses.items())))
    for key in sorted(figures):
        print(f"{key}: {figures[key]}")
    for line in chaos.log:
        print(f"chaos {line}")
    print("durations: " + ", ".join(f"{k} {v:.1f}s" for k, v in times.items()))
    for line in (stats.five_xx + stats.unexpected + stats.conn_errors_up)[:20]:
        print(f"  ! {line}")
    print(f"failed checks: {len(failures)}")
    for line in failures[:40]:
        print(f"  FAIL {line}")
    print("RELIABILITY " + ("FAILED" if failures else "PASSED"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("RELIABILITY_DATABASE_URL", DEFAULT_URL)
    times, begun = {}, time.monotonic()
    cluster = Cluster(url, ROOT / "test-artifacts" / "reliability", LOCK_SECONDS, 0.2)
    db = create_engine(url)
    try:
        cluster.prepare()
        for i in (0, 1):
            cluster.start_server(i)
            cluster.start_worker(i)
        for i in (0, 1):
            cluster.wait_healthy(i)
        bases = [cluster.base(0), cluster.base(1)]
        tokens = [token(bases[0], "sh.advisor"), token(bases[1], "sh.advisor2")]
        admin = token(bases[0], "admin")
        stats = Stats()
        timer_ids = start_instances(bases[1], stats, tokens[0], random.Random(7))
        times["setup"] = time.monotonic() - begun

        servers = Servers(bases)
        started = time.monotonic()
        deadline = started + args.seconds
        clients = [Worker(n, Client(servers, stats, tokens[n % 2], ("sh.advisor",
                                                                    "sh.advisor2")[n % 2],
                                    n % 2), deadline, deadline + 30)
                   for n in range(args.clients)]
        chaos = Chaos(cluster, servers, db, started, args.seconds)
        chaos.start()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        chaos.join()
        times["load"] = time.monotonic() - started
        times["drain"] = drain(db, timer_ids)
        cluster.stop_workers()
        checked = time.monotonic()
        failures, figures = check_all(bases[1], admin, url, stats, chaos.orphaned)
        times["checks"] = time.monotonic() - checked
    finally:
        cluster.stop_all()
        db.dispose()
    if chaos.error is not None:
        failures.append(f"chaos: {chaos.error!r}")
    if len(chaos.log) != 4:
        failures.append("the kills and restarts did not all happen")
    if figures["loop timers fired"] != TIMER_INSTANCES * TIMER_ROUNDS:
        failures.append(f"{figures['loop timers fired']} loop timers fired, expected "
                        f"{TIMER_INSTANCES * TIMER_ROUNDS}")
    for kind, found in (("5xx", stats.five_xx), ("unexpected answer", stats.unexpected),
                        ("connection error from a live server", stats.conn_errors_up)):
        failures += [f"{kind}: {line}" for line in found]
    if stats.gave_up or stats.conflicts_retried != stats.conflicts:
        failures.append(f"{stats.conflicts} 409s but {stats.conflicts_retried} retried")
    times["total"] = time.monotonic() - begun
    summary(stats, figures, chaos, times, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
