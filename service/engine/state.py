"""Save and restore an instance's state without its specs (they are kept once per version)."""

from uuid import UUID

from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
STATE_VERSION = f"spiff-{VERSION}/lp-1"


def dump(workflow: BpmnWorkflow) -> dict:
    """Return the instance state as JSON-ready data, specs left out."""
    convert = REGISTRY.convert
    return {
        "version": STATE_VERSION,
        "data": convert(REGISTRY.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(workflow.last_task.id) if workflow.last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "tasks": {str(k): convert(v) for k, v in workflow.tasks.items()},
        "root": str(workflow.task_tree.id),
        "subprocesses": {str(k): convert(v) for k, v in workflow.subprocesses.items()},
        "bpmn_events": convert(workflow.bpmn_events),
    }


def restore(state: dict, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """Rebuild a workflow from saved state and the version's cached specs."""
    restore_ = REGISTRY.restore
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine,
                            deserializing=True)
    workflow.tasks = {}
    # Tasks register themselves in workflow.tasks as they are built, parents first.
    for value in _parents_first(state["tasks"], state["root"]):
        restore_(value, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(state["root"]))
    workflow.success = state["success"]
    workflow.completed = state.get("completed", False)
    workflow.correlations = state.get("correlations", {})
    if state.get("last_task"):
        workflow.last_task = workflow.tasks.get(UUID(state["last_task"]))
    workflow.data = restore_(state.get("data", {}))
    _restore_subprocesses(dict(state.get("subprocesses", {})), workflow, workflow)
    workflow.bpmn_events = restore_(state.get("bpmn_events", []))
    return workflow


def _restore_subprocesses(pending: dict, workflow, top) -> None:
    for task in list(workflow.tasks.values()):
        if isinstance(task.task_spec, SubWorkflowTask) and str(task.id) in pending:
            saved = pending.pop(str(task.id))
            saved = {**saved, "tasks": {v["id"]: v for v in _parents_first(saved["tasks"],
                                                                            saved["root"])}}
            sub = REGISTRY.restore(saved, task=task, top_workflow=top)
            top.subprocesses[task.id] = sub
            sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            _restore_subprocesses(pending, sub, top)


def _parents_first(tasks: dict, root: str) -> list[dict]:
    """Return the saved tasks with every parent before its children.

    A task's data is saved as a delta over its parent's, so a child restored before its parent
    silently loses its data. PostgreSQL's JSONB does not keep the order of object keys: there
    the saved order is lost, so walk the tree from the root instead (SQLite keeps the order).
    """
    seen = set()
    for key, value in tasks.items():
        if value.get("parent") is not None and value["parent"] not in seen:
            break
        seen.add(key)
    else:
        return list(tasks.values())
    ordered, stack, reached = [], [root], set()
    while stack:
        key = stack.pop()
        if key in reached or key not in tasks:
            continue
        reached.add(key)
        ordered.append(tasks[key])
        stack.extend(reversed(tasks[key].get("children", [])))
    ordered += [value for key, value in tasks.items() if key not in reached]
    return ordered
