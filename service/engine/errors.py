"""The engine's exceptions: nothing from SpiffWorkflow crosses the engine boundary."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One fault in a diagram, named by its element."""

    element_id: str | None
    message: str

    def as_dict(self) -> dict:
        return {"element_id": self.element_id, "message": self.message}


class EngineError(Exception):
    """Base of every engine failure."""


class DefinitionInvalid(EngineError):
    """A diagram, decision table or form that cannot be deployed."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(f"{f.element_id or '-'}: {f.message}" for f in findings))


class TaskFailed(EngineError):
    """A script, condition or decision failed while the instance ran.

    limit names the budget it went over, if any: wall, cpu, memory, result, data or json
    (task data that is not JSON). Such a failure would recur: it is not retried by itself.
    """

    def __init__(self, message: str, element_id: str | None = None, line: int | None = None,
                 task_id: str | None = None, limit: str | None = None):
        self.element_id = element_id
        self.limit = limit
        self.line = line
        self.task_id = task_id
        super().__init__(message)

    @property
    def timed_out(self) -> bool:
        return self.limit in ("wall", "cpu")


class InvalidOperation(EngineError):
    """The instance cannot do what was asked (unknown task, task not ready...)."""


class HistoryTooDeep(TaskFailed):
    """The task tree grew past what the engine walks; the instance would stall silently."""
