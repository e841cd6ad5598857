"""Concurrent API clients: complete tasks on either server, retry 409s after re-reading."""

import random
import threading
import time
from collections import Counter, defaultdict

import requests

API = "/api/v1"
OPEN_TASK_INSTANCES = 30  # clients start a task loop when fewer tasks than this are offered
TASK_ROUNDS = 25
TIMEOUTS = (3, 4, 5, 30, 30, 30)  # seconds of the boundary timer: short ones race the clients
RETRY_LIMIT = 60  # 409s in a row before a client gives up (a failure)


class Down(Exception):
    """The request did not get an answer: the server died (or refused the connection)."""


class Stats:
    """Everything the clients saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acks: dict[str, list[tuple[int, str, int]]] = defaultdict(list)  # task -> acks
        self.in_doubt: set[str] = set()  # completions whose answer was lost with a server
        self.statuses: Counter = Counter()  # (kind, status)
        self.five_xx: list[str] = []
        self.unexpected: list[str] = []
        self.conn_errors: Counter = Counter()  # server index -> errors while it was down
        self.conn_errors_up: list[str] = []  # errors from a server that should be up
        self.conflicts = 0
        self.conflicts_retried = 0  # 409s followed, after a re-read, by a 200 of that client
        self.in_doubt_retried = 0  # lost answers followed, after a re-read, by a 200
        self.gave_up = 0
        self.started: list[int] = []
        self.starts_in_doubt = 0

    def note(self, kind: str, status: int, text: str) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            if status >= 500:
                self.five_xx.append(f"{kind} {status}: {text[:300]}")


class Servers:
    """The base URLs and which server the chaos thread has taken down."""

    def __init__(self, bases: list[str]):
        self.bases = bases
        self.down = [False] * len(bases)


class Client:
    """One user session that fails over to the other server when its server is gone."""

    def __init__(self, servers: Servers, stats: Stats, token: str, username: str, home: int):
        self.servers, self.stats, self.username = servers, stats, username
        self.home = self.index = home
        self.failed_at = 0.0
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, kind: str, body=None) -> requests.Response:
        """Send once to the current server; on a lost connection switch servers, raise Down."""
        if self.index != self.home and time.monotonic() - self.failed_at > 2:
            self.index = self.home  # try the home server again, as a load balancer would
        index = self.index
        try:
            response = self.session.request(method, self.servers.bases[index] + API + path,
                                            json=body, timeout=60)
        except requests.ConnectionError as exc:
            with self.stats.lock:
                if self.servers.down[index]:
                    self.stats.conn_errors[index] += 1
                else:
                    self.stats.conn_errors_up.append(f"{kind} on server{index}: {exc}")
            self.index = (index + 1) % len(self.servers.bases)
            self.failed_at = time.monotonic()
            raise Down(kind) from exc
        self.stats.note(kind, response.status_code, response.text)
        return response

    def read(self, path: str, kind: str) -> requests.Response | None:
        """GET, repeated on the other server when the first one is down."""
        for _ in range(4):
            try:
                return self.request("GET", path, kind)
            except Down:
                time.sleep(0.05)
        return None


def start_instance(client: Client, process: str, data: dict, key: str) -> int | None:
    """Start one instance; return its id, or None when the answer was lost."""
    try:
        response = client.request("POST", "/instances", "start",
                                  {"process": process, "data": data, "business_key": key})
    except Down:
        with client.stats.lock:
            client.stats.starts_in_doubt += 1
        return None
    if response.status_code != 201 and response.status_code != 200:
        with client.stats.lock:
            client.stats.unexpected.append(f"start {response.status_code}: {response.text[:200]}")
        return None
    instance_id = response.json()["id"]
    with client.stats.lock:
        client.stats.started.append(instance_id)
    return instance_id


def task_loop_data(rng: random.Random) -> dict:
    return {"rounds": TASK_ROUNDS, "timeout": rng.choice(TIMEOUTS)}


class Worker(threading.Thread):
    """One of the concurrent clients: list, pick, complete; retry 409s after re-reading."""

    def __init__(self, number: int, client: Client, deadline: float, hard_stop: float):
        super().__init__(name=f"client{number}", daemon=True)
        self.number, self.client = number, client
        self.deadline, self.hard_stop = deadline, hard_stop
        self.rng = random.Random(number)
        self.pending = 0  # 409s not yet followed by a 200
        self.lost = 0  # lost answers not yet followed by a 200
        self.target: int | None = None  # the instance of the last conflict
        self.starts = 0

    def run(self) -> None:
        while True:
            now = time.monotonic()
            if now >= self.hard_stop or (now >= self.deadline and not self.pending + self.lost):
                break
            self.step()
        if self.pending + self.lost:
            with self.client.stats.lock:
                self.client.stats.gave_up += self.pending + self.lost

    def step(self) -> None:
        stats = self.client.stats
        listing = self.client.read("/tasks?scope=candidate&status=ready&per_page=200", "list")
        if listing is None or listing.status_code != 200:
            return
        tasks = [t for t in listing.json()["items"] if t["process"] == "rel_task_loop"]
        if len(tasks) < OPEN_TASK_INSTANCES and self.rng.random() < 0.3:
            self.starts += 1
            start_instance(self.client, "rel_task_loop", task_loop_data(self.rng),
                           f"c{self.number}-{self.starts}")
        if not tasks:
            time.sleep(0.05)
            return
        task = self.pick(tasks)
        try:
            response = self.client.request("POST", f"/tasks/{task['id']}/complete", "complete",
                                           {"data": {"comment": f"client {self.number}"}})
        except Down:
            with stats.lock:
                stats.in_doubt.add(task["id"])
            self.lost += 1
            self.target = task["instance_id"]
            return
        if response.status_code == 200:
            with stats.lock:
                stats.acks[task["id"]].append((self.number, self.client.username,
                                               task["instance_id"]))
                stats.conflicts_retried += self.pending
                stats.in_doubt_retried += self.lost
            self.pending, self.lost, self.target = 0, 0, None
        elif response.status_code == 409:
            with stats.lock:
                stats.conflicts += 1
            self.pending += 1
            self.target = task["instance_id"]
            if self.pending > RETRY_LIMIT:
                with stats.lock:
                    stats.gave_up += self.pending
                    stats.unexpected.append(f"client {self.number}: {self.pending} 409s in a row")
                self.pending = 0
        else:
            with stats.lock:
                stats.unexpected.append(f"complete {response.status_code}: "
                                        f"{response.text[:200]}")

    def pick(self, tasks: list[dict]) -> dict:
        """After a conflict take the instance's current task; else often one of the oldest."""
        if self.target is not None:
            same = [t for t in tasks if t["instance_id"] == self.target]
            if same:
                return same[0]
        if self.rng.random() < 0.5:
            return self.rng.choice(tasks[:3])
        return self.rng.choice(tasks)
