"""Run one instance: start, complete tasks, deliver messages, fire timers, retry."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as _Msg
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import history
from .errors import HistoryTooDeep, InvalidOperation, TaskFailed
from .script_limits import ScriptLimit


@dataclass(frozen=True)
class ReadyTask:
    """A human task waiting for someone: what the inbox projection needs."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    due_in: str | None
    assignee: str | None
    process: str


@dataclass(frozen=True)
class Wait:
    """Something the instance waits for: a timer due at a time, or a message."""

    kind: str  # "timer" or "message"
    element_id: str
    due_at: datetime | None = None
    message: str | None = None
    correlation_key: str | None = None


def _failure(exc: Exception, fallback=None) -> TaskFailed:
    """Translate a SpiffWorkflow error into our TaskFailed."""
    task = getattr(exc, "task", None) or fallback
    cause = getattr(exc, "exception", None) or exc.__cause__
    message = str(exc.args[0]) if exc.args else exc.__class__.__name__
    limit = cause.limit if isinstance(cause, ScriptLimit) else None
    if limit is not None:
        message = str(cause)  # names the limit; spiff's wrapper would bury it
    notes = getattr(exc, "__notes__", None)
    if notes:
        message = f"{message} ({'; '.join(notes)})"
    return TaskFailed(
        message,
        element_id=task.task_spec.bpmn_id if task is not None else None,
        line=getattr(exc, "line_number", None) or getattr(cause, "script_line", None) or None,
        task_id=str(task.id) if task is not None else None,
        limit=limit,
    )


class Run:
    """One instance in memory, between a restore and the next save."""

    def __init__(self, bundle, workflow: BpmnWorkflow):
        self.bundle = bundle
        self.workflow = workflow

    # Reading

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def data(self) -> dict:
        """Return the instance's data: the workflow data merged over the latest task data."""
        if self.completed:
            return dict(self.workflow.data)
        merged = {}
        last = self.workflow.last_task
        if last is not None:
            merged.update(last.data)
        merged.update(self.workflow.data)
        return merged

    def _tasks(self, state):
        tasks = [t for t in self.workflow.tasks.values() if t.state == state]
        for sub in self.workflow.subprocesses.values():
            tasks.extend(t for t in sub.tasks.values() if t.state == state)
        return tasks

    def open_tasks(self) -> dict[str, str]:
        """Return {id: name} of the ready human tasks, evaluating nothing (cheap)."""
        return {str(t.id): t.task_spec.bpmn_name or t.task_spec.bpmn_id
                for t in self._tasks(TaskState.READY) if t.task_spec.manual}

    def user_tasks(self) -> list[ReadyTask]:
        """Return the human tasks that are ready now (raise the failure ready_tasks finds)."""
        ready, failure = self.ready_tasks()
        if failure is not None:
            raise failure
        return ready

    def ready_tasks(self) -> tuple[list[ReadyTask], TaskFailed | None]:
        """Return the ready human tasks, and the failure of the first one whose assignee
        expression failed: such a task goes to error (a retry evaluates it again)."""
        ready, failure = [], None
        for task in self._tasks(TaskState.READY):
            spec = task.task_spec
            if not spec.manual:
                continue
            props = getattr(spec, "extensions", {}).get("properties", {})
            assignee = None
            if props.get("assignee"):
                try:
                    value = self._evaluate(task, props["assignee"])
                    assignee = str(value) if value else None
                except TaskFailed as exc:
                    task._set_state(TaskState.ERROR)
                    failure = failure or exc
                    continue
            ready.append(ReadyTask(
                id=str(task.id), bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
                lane=spec.lane, form=props.get("formJsonSchemaFilename"),
                due_in=props.get("dueIn"), assignee=assignee,
                process=task.workflow.spec.name,
            ))
        return ready, failure

    def task_data(self, task_id: str) -> dict:
        return dict(self._task(task_id).data)

    def failed_tasks(self) -> list[str]:
        return [str(t.id) for t in self._tasks(TaskState.ERROR)]

    def waits(self) -> list[Wait]:
        """Return the timers and messages the instance waits for."""
        waits = []
        for task in list(self.workflow.event_manager.tasks.values()):
            definition = task.task_spec.event_definition
            if isinstance(definition, TimerEventDefinition):
                value = definition.details(task).value
                if value is None and isinstance(definition, CycleTimerEventDefinition):
                    continue
                if value is None:
                    definition.has_fired(task)
                    value = definition.details(task).value
                waits.append(Wait("timer", task.task_spec.bpmn_id,
                                  due_at=TimerEventDefinition.get_datetime(value)))
            elif isinstance(definition, _Msg):
                props = getattr(task.task_spec, "extensions", {}).get("properties", {})
                key = None
                if props.get("correlationKey"):
                    key = self._evaluate(task, props["correlationKey"])
                waits.append(Wait("message", task.task_spec.bpmn_id, message=definition.name,
                                  correlation_key=None if key is None else str(key)))
        return waits

    # Acting

    def advance(self) -> None:
        """Run engine steps until only people, timers or messages can move the instance."""
        try:
            self.workflow.do_engine_steps()
        except SpiffWorkflowException as exc:
            raise _failure(exc) from exc
        except ScriptLimit as exc:  # spiff evaluates some expressions outside any task
            last = self.workflow.last_task
            raise TaskFailed(str(exc), element_id=last.task_spec.bpmn_id if last else None,
                             limit=exc.limit) from exc
        except Exception as exc:  # a bug in a helper must not escape as a 500
            raise TaskFailed(f"{exc.__class__.__name__}: {exc}") from exc
        history.compact(self.workflow)
        if history.stalled(self.workflow):
            raise HistoryTooDeep("the instance's history is deeper than the engine can walk")

    def complete(self, task_id: str, data: dict) -> None:
        """Complete one ready human task with the submitted data, then advance."""
        task = self._task(task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise InvalidOperation("the task is not ready")
        task.data.update(data)
        parent_spec = task.parent.task_spec if task.parent is not None else None
        output = getattr(parent_spec, "output_item", None)
        if output is not None and not output.exists(task):
            # A multi-instance child's result is what the person submitted, unless a form
            # field already named the output item.
            task.data[output.bpmn_id] = dict(data)
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise _failure(exc, task) from exc
        self.advance()

    def deliver(self, message: str, payload) -> bool:
        """Deliver a message; return whether anything in the instance caught it."""
        before = len(self.workflow.event_manager.tasks)
        # internal=False: a message nothing catches must not be kept in bpmn_events (the
        # list of events this run threw), where it would be saved with the state forever.
        self.workflow.event_manager.catch(BpmnEvent(MessageEventDefinition(message), payload),
                                          internal=False)
        caught = len(self.workflow.event_manager.tasks) != before or self._any_ready()
        self.workflow.refresh_timers()
        self.advance()
        return caught

    def fire_timers(self) -> None:
        """Fire every timer whose due time has passed (by the service clock)."""
        try:
            self.workflow.refresh_timers()
        except SpiffWorkflowException as exc:
            raise _failure(exc) from exc
        self.advance()

    def retry(self, data: dict | None = None) -> None:
        """Put every failed task back to ready (with corrected data) and advance."""
        failed = self._tasks(TaskState.ERROR)
        if not failed:
            raise InvalidOperation("nothing failed in this instance")
        for task in failed:
            if data:
                task.data.update(data)
            task._set_state(TaskState.READY)
        self.advance()

    def cancel(self) -> None:
        self.workflow.cancel()

    def update_data(self, data: dict) -> None:
        """Merge data into every ready, waiting or failed task (an admin's edit)."""
        for state in (TaskState.READY, TaskState.WAITING, TaskState.ERROR, TaskState.STARTED):
            for task in self._tasks(state):
                task.data.update(data)

    # Internals

    def _any_ready(self) -> bool:
        return any(not t.task_spec.manual for t in self._tasks(TaskState.READY))

    def _task(self, task_id: str):
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TypeError, KeyError, SpiffWorkflowException):  # TaskNotFoundException
            task = None
        if task is None:
            raise InvalidOperation("no such task in this instance")
        return task

    def _evaluate(self, task, expression: str):
        try:
            return self.workflow.script_engine.evaluate(task, expression)
        except SpiffWorkflowException as exc:
            raise _failure(exc, task) from exc
        except Exception as exc:  # whatever an expression raises is the task's failure
            raise TaskFailed(f"{exc.__class__.__name__}: {exc}",
                             element_id=task.task_spec.bpmn_id, task_id=str(task.id)) from exc
