"""API completions per second in steady state: many linear instances, one thread."""

from time import perf_counter

from .app import Client
from .flows import LINEAR9
from .measure import Samples

IN_FLIGHT = 50  # instances kept open; each batch completes one task of each


def _first_task(started: dict) -> str:
    return next(t["id"] for t in started["tasks"] if t["status"] in ("ready", "claimed"))


def run(app, completions: int = 1200, warmup: int = 150, budget_s: float = 45.0) -> dict:
    """Complete tasks of bench_linear9 instances; time only the POST .../complete call.

    Between batches (untimed) one GET /api/v1/tasks lists the next ready tasks and new
    instances are started to keep IN_FLIGHT open, so the finished ones are replaced.
    """
    Client(app, "owner").deploy(LINEAR9)
    advisor = Client(app, "sh.advisor")
    pending = [_first_task(advisor.start(LINEAR9.key)) for _ in range(IN_FLIGHT)]
    samples, errors, extra_requests = Samples(), 0, 0
    done, began = 0, perf_counter()
    while done < warmup + completions and perf_counter() - began < budget_s:
        for task_id in pending:
            response = samples.time(advisor.complete, task_id, LINEAR9.data,
                                    keep=done >= warmup)
            errors += response.status_code != 200
            done += 1
        pending = advisor.ready_tasks(LINEAR9.key)
        extra_requests += 1
        for _ in range(IN_FLIGHT - len(pending)):
            pending.append(_first_task(advisor.start(LINEAR9.key)))
            extra_requests += 1
    return {**samples.summary(), "errors": errors, "warmup": warmup,
            "untimed_requests": extra_requests, "wall_s": perf_counter() - began}
