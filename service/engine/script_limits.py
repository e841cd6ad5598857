"""The budget of one script or expression, and the errors a sandbox run ends with."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

MB = 1024 * 1024
# Nesting deeper than this is refused in task data: the state's converters, the pages and
# PostgreSQL's JSON functions all walk values recursively.
MAX_DATA_DEPTH = 64
# Longer sources are refused at deploy: RestrictedPython compiles in the server process.
MAX_SOURCE_CHARS = 65_536


@dataclass(frozen=True)
class Limits:
    """What one evaluation may use: seconds of wall and CPU time, memory and output bytes."""

    wall: float = 2.0  # SCRIPT_TIMEOUT
    cpu: float = 1.0  # SCRIPT_CPU_SECONDS
    memory: int = 128 * MB  # SCRIPT_MEMORY_MB, beyond what the sandbox process held before
    result: int = 1 * MB  # SCRIPT_RESULT_BYTES: an expression's value, a script's changes
    data: int = 1 * MB  # TASK_DATA_MAX_BYTES: the whole task data a script leaves

    @property
    def grace(self) -> float:
        """Seconds past the wall limit before the process is killed (the script's own alarm
        comes first when Python code runs, with the line it stopped at)."""
        return max(0.25, self.wall / 2)

    def as_dict(self) -> dict:
        return asdict(self)


class ScriptRefused(Exception):
    """Source the restricted compiler will not accept."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        match = re.match(r"Line (\d+)", reason)
        self.lineno = int(match.group(1)) if match else None


class ScriptLimit(Exception):
    """A script or expression went over its budget; `limit` names which one."""

    limit = "limit"

    def __init__(self, message: str, limit: str | None = None, lineno: int | None = None):
        super().__init__(message)
        if limit is not None:
            self.limit = limit
        self.lineno = lineno


class ScriptTimeout(ScriptLimit):
    """A script or expression ran past its wall-clock or CPU time limit."""

    limit = "wall"


class ScriptError(Exception):
    """An error raised by a script whose type the server does not rebuild (named instead)."""

    def __init__(self, type_name: str, message: str):
        super().__init__(message)
        self.type_name = type_name


def breach(limit: str, what: str, limits: Limits, amount: int | None = None) -> ScriptLimit:
    """Return the error for a breach of one limit by a script or expression."""
    if limit == "wall":
        return ScriptTimeout(f"{what} exceeded the {limits.wall:g} s time limit "
                             "(SCRIPT_TIMEOUT)", "wall")
    if limit == "cpu":
        return ScriptTimeout(f"{what} exceeded the {limits.cpu:g} s CPU time limit "
                             "(SCRIPT_CPU_SECONDS)", "cpu")
    if limit == "memory":
        return ScriptLimit(f"{what} exceeded the {limits.memory / MB:g} MB memory limit "
                           "(SCRIPT_MEMORY_MB)", "memory")
    if limit == "result":
        size = f"{amount:,} bytes" if amount else "more"
        return ScriptLimit(f"{what} produced {size} of JSON, over the {limits.result:,} byte "
                           "result limit (SCRIPT_RESULT_BYTES)", "result")
    if limit == "data":
        return ScriptLimit(f"{what} would leave {amount:,} bytes of task data, over the "
                           f"{limits.data:,} byte limit (TASK_DATA_MAX_BYTES)", "data")
    raise ValueError(f"unknown limit {limit!r}")
