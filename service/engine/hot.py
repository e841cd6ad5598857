"""Keep the runs of recently saved instances in memory, so their next step needs no restore.

A run here is exactly the state saved at `tag` (the instance's row version): whoever takes it
owns it, so no two steps ever share one mutable run, and a step that fails never puts it back.
"""

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from .runtime import Run


@dataclass
class HotRun:
    """A run as saved at one version of its instance, with the waits saved beside it."""

    run: Run | None  # None once handed out
    tag: int
    waits: list


class HotRuns:
    """A bounded, thread-safe LRU of runs keyed by instance id; size 0 keeps nothing."""

    def __init__(self, size: int):
        self.size = size
        self._runs: OrderedDict[int, HotRun] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._runs)

    def has(self, key: int) -> bool:
        return key in self._runs

    def tag_of(self, key: int) -> int | None:
        found = self._runs.get(key)
        return found.tag if found is not None else None

    def put(self, key: int, tag: int, run: Run, waits: list) -> None:
        """Keep the run of instance `key` as saved at version `tag`, evicting the oldest."""
        if self.size <= 0:
            return
        with self._lock:
            self._runs[key] = HotRun(run, tag, waits)
            self._runs.move_to_end(key)
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)

    def take(self, key: int, tag: int) -> HotRun | None:
        """Remove and return the run of `key` if it was saved at `tag`; drop a stale one."""
        with self._lock:
            found = self._runs.pop(key, None)
        if found is None or found.tag != tag:
            return None
        return found

    def drop(self, key: int) -> None:
        with self._lock:
            self._runs.pop(key, None)


# What the serializer writes of every task from our own strings, numbers and ids: no need to
# walk it (the walk would cost most of what skipping the restore saves).
SPIFF_FIELDS = frozenset(
    {"id", "parent", "children", "last_state_change", "state", "task_spec", "triggered", "typename"}
)


def faithful(state: dict) -> bool:
    """Tell whether a saved state comes back equal from JSON: then its run may be kept.

    A run kept in memory must behave as one restored from the database would: a tuple in task
    data would come back a list and an integer key a string, so such a state is not kept.
    """
    for key, value in state.items():
        if key == "tasks":
            if not _tasks_faithful(value):
                return False
        elif key == "subprocesses":
            for sub in value.values():
                if not faithful(sub):
                    return False
        elif not _faithful(value):
            return False
    return True


def _tasks_faithful(tasks: dict) -> bool:
    for task in tasks.values():
        for key, value in task.items():
            if key not in SPIFF_FIELDS and not _faithful(value):
                return False
    return True


def _faithful(value) -> bool:
    # Plain loops: every step walks the state, and all() over a generator costs twice as much.
    kind = type(value)
    if kind is dict:
        for key, item in value.items():  # noqa: SIM110
            if type(key) is not str or not _faithful(item):
                return False
        return True
    if kind is list:
        for item in value:  # noqa: SIM110
            if not _faithful(item):
                return False
        return True
    return kind in SCALARS or value is None


SCALARS = frozenset({str, int, float, bool})
