"""Admin operations on one run: element states, skip a failed task, reset, migrate.

Resetting works within the history the run still holds: history.py keeps a window of the last
25 finished levels above the oldest open branch, so an older task can no longer be reset to.
"""

from dataclasses import dataclass, field
from uuid import uuid4

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .engine import Bundle
from .errors import InvalidOperation
from .runtime import Run
from .state import REGISTRY

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# A task in one of these states has happened or is happening: its element must exist after a
# migration. Predicted tasks (FUTURE, LIKELY, MAYBE) are predicted again from the new version.
DEFINITE = TaskState.COMPLETED | TaskState.ERROR | ACTIVE


@dataclass(frozen=True)
class ElementCount:
    """How many times an element completed, is active, or failed in a run."""

    completed: int = 0
    active: int = 0
    failed: int = 0


@dataclass(frozen=True)
class ResetPoint:
    """A finished human task the run can go back to."""

    task_id: str
    bpmn_id: str
    name: str


@dataclass
class MigrationPlan:
    """The differences between two versions, computed once for many runs."""

    target: Bundle
    top: SpecDiff
    subprocesses: dict = field(default_factory=dict)  # spec name -> SpecDiff or None


def _all_tasks(run: Run):
    workflow = run.workflow
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def element_counts(run: Run) -> dict[str, ElementCount]:
    """Return, per BPMN element id, how often it completed, is active now, or failed."""
    counts: dict[str, list[int]] = {}
    for task in _all_tasks(run):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        slot = counts.setdefault(bpmn_id, [0, 0, 0])
        if task.state == TaskState.COMPLETED:
            slot[0] += 1
        elif task.has_state(ACTIVE):
            slot[1] += 1
        elif task.state == TaskState.ERROR:
            slot[2] += 1
    return {k: ElementCount(*v) for k, v in counts.items() if any(v)}


def edit_data(run: Run, changes: dict) -> None:
    """Merge an admin's changes into the open tasks and into the latest finished one, so that
    the next step and the instance's data snapshot both see them."""
    run.update_data(changes)
    last = run.workflow.last_task
    if last is not None and last.state == TaskState.COMPLETED:
        last.data.update(changes)


def reset_points(run: Run) -> list[ResetPoint]:
    """Return the finished human tasks of the run, oldest first, that a reset can go back to."""
    found = [t for t in _all_tasks(run)
             if t.state == TaskState.COMPLETED and t.task_spec.manual and t.parent is not None]
    found.sort(key=lambda t: t.last_state_change)
    return [ResetPoint(str(t.id), t.task_spec.bpmn_id,
                       t.task_spec.bpmn_name or t.task_spec.bpmn_id) for t in found]


def _rekey(task) -> None:
    """Give a task a new id, so the offer after a reset is a new task, not the finished one."""
    workflow, old = task.workflow, task.id
    new = uuid4()
    workflow.tasks[new] = workflow.tasks.pop(old)
    task.id = new
    parent = task.parent
    if parent is not None:
        parent._children = [new if c == old else c for c in parent._children]
    for child in task.children:
        child._parent = new


def reset(run: Run, task_id: str) -> ResetPoint:
    """Go back to a finished human task: what followed it is dropped and it is offered again."""
    point = next((p for p in reset_points(run) if p.task_id == task_id), None)
    if point is None:
        raise InvalidOperation("the task is not a finished human task this instance can "
                               "go back to")
    task = run._task(task_id)
    _rekey(task)
    run.workflow.reset_from_task_id(task.id)
    run.advance()
    return point


def skip(run: Run, task_id: str | None = None) -> list[str]:
    """Mark failed tasks complete without running them again, then advance; return their ids."""
    failed = run._tasks(TaskState.ERROR)
    if task_id is not None:
        failed = [t for t in failed if str(t.id) == task_id]
    if not failed:
        raise InvalidOperation("no such failed task in this instance")
    skipped = []
    for task in failed:
        task._set_state(TaskState.READY)  # complete() expects a task that could have run
        task.complete()
        skipped.append(task.task_spec.bpmn_id)
    run.advance()
    return skipped


def plan_migration(source: Bundle, target: Bundle) -> MigrationPlan:
    """Compare two versions once; the plan then checks and moves any number of runs."""
    subprocesses = {}
    for name, spec in source.subprocess_specs.items():
        new = target.subprocess_specs.get(name)
        subprocesses[name] = SpecDiff(REGISTRY, spec, new) if new is not None else None
    return MigrationPlan(target, SpecDiff(REGISTRY, source.spec, target.spec), subprocesses)


def _label(task) -> str:
    spec = task.task_spec
    return spec.bpmn_id or spec.name


def _predicted_again(task) -> bool:
    """Return whether a predicted task hangs below a task the migration re-predicts."""
    parent = task.parent
    while parent is not None:
        if parent.has_state(TaskState.READY | TaskState.WAITING):
            return True
        if parent.has_state(DEFINITE):
            return False
        parent = parent.parent
    return False


def _blockers_in(workflow, target_spec, where: str) -> list[str]:
    """Check by BPMN id, not by SpiffWorkflow's structural alignment: a task replaced by
    another in the same place is still a different task for the people doing it."""
    reasons = []
    for task in workflow.tasks.values():
        if task.task_spec.name in target_spec.task_specs:
            continue
        if task.has_state(DEFINITE):
            state = TaskState.get_name(task.state).lower()
            reasons.append(f"{_label(task)}{where} is {state} here but absent from the target "
                           "version")
        elif not _predicted_again(task):
            reasons.append(f"{_label(task)}{where} is expected next but absent from the target "
                           "version")
    return reasons


def migration_blockers(plan: MigrationPlan, run: Run) -> list[str]:
    """Return why the run cannot move to the plan's target version (empty: it can)."""
    workflow = run.workflow
    reasons = _blockers_in(workflow, plan.target.spec, "")
    for sub in workflow.subprocesses.values():
        target_spec = plan.target.subprocess_specs.get(sub.spec.name)
        if target_spec is None:
            reasons.append(f"the subprocess {sub.spec.name} is absent from the target version")
            continue
        reasons.extend(_blockers_in(sub, target_spec, f" ({sub.spec.name})"))
    return sorted(set(reasons))


def migrate(plan: MigrationPlan, run: Run) -> Run:
    """Move a run to the plan's target version; refuse when a blocker exists."""
    reasons = migration_blockers(plan, run)
    if reasons:
        raise InvalidOperation("; ".join(reasons))
    workflow = run.workflow
    # migrate_workflow re-predicts by resetting ready and waiting tasks, which would drop their
    # data (an admin's edits) and restart their timers: keep both.
    kept = {t.id: (t.data, t.internal_data) for t in _all_tasks(run)
            if t.has_state(TaskState.READY | TaskState.WAITING)}
    last = workflow.last_task
    migrate_workflow(WorkflowDiff(workflow, plan.top), workflow, plan.target.spec)
    # migrate_workflow looks for the last task among the task ids, never finds it and drops it:
    # put it back when it survived (the instance's data is read from it).
    if last is not None and last.id in workflow.tasks:
        workflow.last_task = last
    workflow.subprocess_specs = plan.target.subprocess_specs
    for sub in workflow.subprocesses.values():
        sub_diff = plan.subprocesses.get(sub.spec.name)
        if sub_diff is not None:
            migrate_workflow(WorkflowDiff(sub, sub_diff), sub,
                             plan.target.subprocess_specs[sub.spec.name])
    for task in _all_tasks(run):
        if task.id in kept:
            task.data, task.internal_data = kept[task.id]
    moved = Run(plan.target, workflow)
    moved.advance()
    return moved
