"""Profile API completions with cProfile: `python -m bench.profile [count]`."""

import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

from . import app as apps
from .app import Client
from .flows import LINEAR9


def main(count: int = 200, top: int = 45) -> None:
    """Complete `count` linear9 tasks on SQLite under cProfile; print the top cumulative costs."""
    with tempfile.TemporaryDirectory(prefix="linkpass-profile-") as folder:
        app = apps.build(apps.sqlite_url(Path(folder)))
        Client(app, "owner").deploy(LINEAR9)
        advisor = Client(app, "sh.advisor")
        for _ in range(count // 9 + 20):
            advisor.start(LINEAR9.key)
        pending = advisor.ready_tasks(LINEAR9.key)
        for task_id in pending[:20]:  # warm-up: caches, first queries
            advisor.complete(task_id, LINEAR9.data)
        pending = pending[20:]
        # CPU time, not wall time: other work on this machine must not show up as our cost.
        profiler = cProfile.Profile(time.process_time)
        done = 0
        while done < count and pending:
            for task_id in pending[: count - done]:
                profiler.enable()
                advisor.complete(task_id, LINEAR9.data)
                profiler.disable()
                done += 1
            pending = advisor.ready_tasks(LINEAR9.key)
        apps.dispose(app)
    print(f"{done} completions profiled")
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    stats.sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
