"""API completions per second in steady state: many linear instances, one thread."""

import math
from time import perf_counter

from .app import Client
from .flows import LINEAR9, Flow
from .measure import Samples

IN_FLIGHT = 50  # instances kept open; each batch completes one task of each


def _first_task(started: dict) -> str:
    return next(t["id"] for t in started["tasks"] if t["status"] in ("ready", "claimed"))


def drive(advisor: Client, flow: Flow, start, samples: Samples, completions: int, warmup: int,
          in_flight: int = IN_FLIGHT, budget_s: float = math.inf,
          on_warm=None) -> tuple[int, int]:
    """Complete tasks of `in_flight` open instances of flow in batches; time each POST
    .../complete once `warmup` are done (on_warm() is called then); return (errors, untimed
    requests).

    start() starts one instance and returns its first task. Between batches (untimed) one
    GET /api/v1/tasks lists the next ready tasks and new instances replace the finished ones.
    """
    pending = [start() for _ in range(in_flight)]
    errors = extra_requests = done = 0
    began, warm = perf_counter(), False
    while done < warmup + completions and perf_counter() - began < budget_s:
        if not warm and done >= warmup:
            warm = True
            if on_warm is not None:
                on_warm()
        for task_id in pending:
            response = samples.time(advisor.complete, task_id, flow.data, keep=done >= warmup)
            errors += response.status_code != 200
            done += 1
        pending = advisor.ready_tasks(flow.key)
        extra_requests += 1
        for _ in range(in_flight - len(pending)):
            pending.append(start())
            extra_requests += 1
    return errors, extra_requests


def run(app, completions: int = 1200, warmup: int = 150, budget_s: float = 45.0) -> dict:
    """Complete tasks of bench_linear9 instances; time only the POST .../complete call."""
    Client(app, "owner").deploy(LINEAR9)
    advisor = Client(app, "sh.advisor")
    samples, began = Samples(), perf_counter()
    errors, extra_requests = drive(advisor, LINEAR9, lambda: _first_task(
        advisor.start(LINEAR9.key)), samples, completions, warmup, budget_s=budget_s)
    return {**samples.summary(), "errors": errors, "warmup": warmup,
            "untimed_requests": extra_requests, "wall_s": perf_counter() - began}
