"""Saved state: specs left out, and restorable whatever order a JSON column gives back."""

import json


def reversed_tasks(saved: dict) -> dict:
    """Reverse the order of every task map, as a store that sorts or hashes keys might."""
    saved = json.loads(json.dumps(saved))
    saved["tasks"] = dict(reversed(saved["tasks"].items()))
    for sub in saved["subprocesses"].values():
        sub["tasks"] = dict(reversed(sub["tasks"].items()))
    return saved


def test_state_leaves_the_specs_out(engine, start):
    saved = engine.dump(start("call_activity.bpmn"))
    assert "spec" not in saved and "subprocess_specs" not in saved
    assert saved["version"].endswith("/lp-1")
    assert json.loads(json.dumps(saved)) == saved


def test_restore_does_not_depend_on_task_order(engine, start, complete, ready):
    run = start("script_task.bpmn", {"case_id": "C-3"})
    run = complete(run, "task_input", {"price": 4, "qty": 5})
    saved = json.loads(json.dumps(engine.dump(run)))
    restored = engine.restore(run.bundle, reversed_tasks(saved))
    assert engine.dump(restored) == saved
    assert restored.data == {"case_id": "C-3", "price": 4, "qty": 5, "total": 20}
    (task,) = restored.user_tasks()
    assert restored.task_data(task.id)["total"] == 20
    restored.complete(task.id, {"checked": True})
    assert restored.completed and restored.data["checked"] is True


def test_subprocess_restore_does_not_depend_on_task_order(engine, start, complete):
    run = start("call_activity.bpmn")
    run = complete(run, "task_parent", {"from_parent": 1})
    saved = json.loads(json.dumps(engine.dump(run)))
    restored = engine.restore(run.bundle, reversed_tasks(saved))
    assert engine.dump(restored) == saved
    (child,) = restored.user_tasks()
    assert restored.task_data(child.id)["from_parent"] == 1
    restored.complete(child.id, {"from_child": 2})
    (after,) = restored.user_tasks()
    assert after.bpmn_id == "task_parent_after"
    assert restored.data["from_parent"] == 1 and restored.data["from_child"] == 2
