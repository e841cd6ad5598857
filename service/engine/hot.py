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
        self._task_keys: dict[str, int] = {}  # open task id -> instance id, of kept runs

    def __len__(self) -> int:
        return len(self._runs)

    def has(self, key: int) -> bool:
        return key in self._runs

    def tag_of(self, key: int) -> int | None:
        found = self._runs.get(key)
        return found.tag if found is not None else None

    def key_of_task(self, task_id: str) -> int | None:
        """Return the instance whose kept run has this open task, if one is kept."""
        key = self._task_keys.get(task_id)
        return key if key in self._runs else None

    def put(self, key: int, tag: int, run: Run, waits: list, task_ids=()) -> None:
        """Keep the run of instance `key` as saved at version `tag`, evicting the oldest.

        task_ids are the run's open tasks: key_of_task() finds the run by them.
        """
        if self.size <= 0:
            return
        with self._lock:
            if len(self._task_keys) > 8 * self.size:  # stale entries of runs gone: start over
                self._task_keys.clear()
            self._task_keys.update(dict.fromkeys(task_ids, key))
            self._runs[key] = HotRun(run, tag, waits)
            self._runs.move_to_end(key)
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)

    def take(self, key: int, tag: int) -> HotRun | None:
        """Remove and return the run of `key` if it was saved at `tag`; drop an older one."""
        with self._lock:
            found = self._runs.get(key)
            if found is None or found.tag > tag:  # newer than the caller's read: leave it
                return None
            del self._runs[key]
        return found if found.tag == tag else None

    def give_back(self, key: int, found: HotRun) -> None:
        """Put back a run taken but left untouched, unless another took its place meanwhile."""
        if self.size <= 0:
            return
        with self._lock:
            if key not in self._runs:
                self._runs[key] = found
                while len(self._runs) > self.size:
                    self._runs.popitem(last=False)

    def drop(self, key: int) -> None:
        with self._lock:
            self._runs.pop(key, None)


# What the serializer writes of every task from our own strings, numbers and ids: no need to
# walk it (the walk would cost most of what skipping the restore saves); about this many chars.
SPIFF_FIELDS = frozenset(
    {"id", "parent", "children", "last_state_change", "state", "task_spec", "triggered", "typename"}
)
SPIFF_FIELDS_SIZE = 250
NUMBERS = frozenset({int, float, bool})


def kept_size(state: dict) -> int | None:
    """Return about how many characters of JSON a saved state is, or None if JSON changes it.

    A run kept in memory must behave as one restored from the database would: a tuple in task
    data would come back a list and an integer key a string, so such a state is not kept.
    """
    size = 0
    for key, value in state.items():
        if key == "tasks":
            for task in value.values():
                size += SPIFF_FIELDS_SIZE
                for field, item in task.items():
                    if field not in SPIFF_FIELDS:
                        found = _size(item)
                        if found < 0:
                            return None
                        size += found
        elif key == "subprocesses":
            for sub in value.values():
                found = kept_size(sub)
                if found is None:
                    return None
                size += found
        else:
            found = _size(value)
            if found < 0:
                return None
            size += found
    return size


def _size(value) -> int:
    """Return about how many characters of JSON value is; -1 if it would not come back equal."""
    # Plain loops: every step walks the state, and generators cost about twice as much.
    kind = type(value)
    if kind is str:
        return len(value) + 2
    if kind is dict:
        size = 2
        for key, item in value.items():
            if type(key) is not str:
                return -1
            found = _size(item)
            if found < 0:
                return -1
            size += len(key) + found + 4
        return size
    if kind is list:
        size = 2
        for item in value:
            found = _size(item)
            if found < 0:
                return -1
            size += found + 1
        return size
    return 8 if kind in NUMBERS or value is None else -1
