"""Tell whether a step's outcome can be saved: task data within its cap, the state all JSON."""

import json

from . import sandbox, script_data
from .errors import TaskFailed


def unstorable(run, saved: dict, data_bytes: int, max_bytes: int) -> TaskFailed | None:
    """Return why the run, as saved, must not be written (or None).

    Scripts are checked in their sandbox; this catches the rest: task data grown past the cap
    by submissions, decisions or multi-instance results, and values that are not JSON (a
    date, a Decimal, a set) left in data by an expression, e.g. a DMN output cell. The second
    check runs only after such a value was returned, so most steps pay nothing for it.
    """
    last = run.workflow.last_task
    if data_bytes > max_bytes:
        return _failed(last, f"the task data would be {data_bytes:,} bytes, over the "
                             f"{max_bytes:,} byte limit (TASK_DATA_MAX_BYTES)", "data")
    if not sandbox.took_impure():
        return None
    try:
        json.dumps(saved, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        pass
    else:
        return None
    for task in _tasks(run.workflow):
        for what, values in (("data", task.data), ("internal data", task.internal_data)):
            problem = script_data.problem_in(values)
            if problem and task.task_spec.bpmn_id:
                return _failed(task, f"{task.task_spec.bpmn_id} left {problem} in its {what}: "
                                     f"{script_data.NOT_JSON}", "json")
    return _failed(last, f"the instance's state holds a value that is not JSON: "
                         f"{script_data.NOT_JSON}", "json")


def _tasks(workflow):
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def _failed(task, message: str, limit: str) -> TaskFailed:
    return TaskFailed(message, element_id=task.task_spec.bpmn_id if task is not None else None,
                      task_id=str(task.id) if task is not None else None, limit=limit)
