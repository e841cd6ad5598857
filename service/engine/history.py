"""Keep an instance's task tree shallow, whatever its history.

SpiffWorkflow keeps every finished task in one tree, so a loop deepens the tree each round:
the state to save grows with history and, past about 1,000 levels, the library's task iterator
stops finding ready tasks without raising. Once every unfinished task hangs below one finished
task, the finished chain above it (minus a window kept for resets) can no longer influence the
run: we drop it and hang the rest under the root. The event log keeps the full history.
"""

from SpiffWorkflow.util.task import TaskState

WINDOW = 25  # finished levels kept above the oldest unfinished branch
SLACK = 25  # compact only when this many extra levels have accumulated, to batch the work
MAX_DEPTH = 900  # below SpiffWorkflow's TaskIterator limit of 1000


def _ancestors(task) -> list:
    chain = []
    while task is not None:
        chain.append(task)
        task = task.parent
    return chain[::-1]  # root first


def _common_prefix(chains: list[list]) -> list:
    prefix = []
    for level in zip(*chains, strict=False):
        if all(node is level[0] for node in level):
            prefix.append(level[0])
        else:
            break
    return prefix


def _compact_tree(workflow, top) -> None:
    open_tasks = [t for t in workflow.tasks.values()
                  if not t.has_state(TaskState.COMPLETED | TaskState.CANCELLED)]
    if not open_tasks:
        return
    # The common prefix is no longer than any one chain: most steps end here, walking one.
    if len(_ancestors(open_tasks[0])) <= WINDOW + SLACK:
        return
    common = _common_prefix([_ancestors(t) for t in open_tasks])
    if len(common) <= WINDOW + SLACK:
        return
    root, keep = common[0], common[-WINDOW]
    if keep.parent is root:
        return
    kept = {t.id for t in keep}  # iterating a task walks its subtree
    kept.add(root.id)
    for task_id in [tid for tid in workflow.tasks if tid not in kept]:
        del workflow.tasks[task_id]
        subprocess = top.subprocesses.pop(task_id, None)
        if subprocess is not None:
            _drop_subprocess(top, subprocess)
    root._children = [keep.id]
    keep._parent = root.id
    if workflow.last_task is not None and workflow.last_task.id not in kept:
        workflow.last_task = keep


def _drop_subprocess(top, subprocess) -> None:
    for task_id in list(subprocess.tasks):
        nested = top.subprocesses.pop(task_id, None)
        if nested is not None:
            _drop_subprocess(top, nested)


def compact(workflow) -> None:
    """Drop finished history that can no longer affect the run, in every (sub)process."""
    _compact_tree(workflow, workflow)
    for subprocess in list(workflow.subprocesses.values()):
        if not subprocess.completed:
            _compact_tree(subprocess, workflow)


def stalled(workflow) -> bool:
    """Return whether engine work is ready that the library can no longer reach."""
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.tasks.values():
            if task.state == TaskState.READY and not task.task_spec.manual:
                return True
    return False


def depth(workflow) -> int:
    """Return the depth of the deepest task (for benchmarks and diagnostics)."""
    deepest = 0
    for task in workflow.tasks.values():
        deepest = max(deepest, task.depth)
    return deepest
