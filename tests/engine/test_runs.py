"""Running processes step by step, saving and restoring the state between every step."""

from pathlib import Path

import pytest

from service.engine import InvalidOperation

PROCESSES = Path(__file__).resolve().parent.parent / "processes"


def test_simple_task_runs_to_the_end(start, ready, complete):
    run = start("simple_task.bpmn", {"case_id": "C-1"})
    (task,) = run.user_tasks()
    assert (
        task.bpmn_id,
        task.name,
        task.lane,
        task.form,
        task.due_in,
        task.assignee,
        task.process,
    ) == (
        "task_fill",
        "Fill in the form",
        "advisor",
        "simple_form.json",
        "P2D",
        None,
        "simple_task",
    )
    assert not run.completed and run.data == {"case_id": "C-1"}
    run = complete(run, "task_fill", {"title": "Hello", "amount": 3})
    assert run.completed and ready(run) == []
    assert run.data == {"case_id": "C-1", "title": "Hello", "amount": 3}


def test_task_data_and_bad_task_ids(start):
    run = start("simple_task.bpmn", {"case_id": "C-1"})
    (task,) = run.user_tasks()
    assert run.task_data(task.id) == {"case_id": "C-1"}
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(InvalidOperation):
            run.complete(bad, {})


def test_a_completed_task_cannot_be_completed_again(start, save_restore):
    run = start("two_lanes.bpmn")
    (task,) = run.user_tasks()
    run.complete(task.id, {})
    run = save_restore(run)
    with pytest.raises(InvalidOperation, match="not ready"):
        run.complete(task.id, {})
    assert [t.bpmn_id for t in run.user_tasks()] == ["task_approve"]


@pytest.mark.parametrize(
    "amount,route,lane",
    [
        (500, "task_big", "city_president"),
        (100, "task_small", "advisor"),
        (0, "task_small", "advisor"),
    ],
)
def test_exclusive_gateway_routes_by_amount(start, ready, complete, amount, route, lane):
    run = start("exclusive_gateway.bpmn")
    run = complete(run, "task_amount", {"title": "t", "amount": amount})
    assert ready(run) == [route]
    assert run.user_tasks()[0].lane == lane
    run = complete(run, route)
    assert run.completed and run.data["amount"] == amount


def test_parallel_gateway_offers_both_then_joins(start, ready, complete):
    run = start("parallel_gateway.bpmn")
    assert ready(run) == ["task_a", "task_b"]
    assert {t.bpmn_id: t.lane for t in run.user_tasks()} == {
        "task_a": "advisor",
        "task_b": "city_management",
    }
    run = complete(run, "task_b", {"b": 2})
    assert ready(run) == ["task_a"]  # the join waits for the other branch
    run = complete(run, "task_a", {"a": 1})
    assert ready(run) == ["task_after"]
    run = complete(run, "task_after")
    assert run.completed
    assert {k: run.data[k] for k in ("a", "b")} == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    "want_a,want_b,expected",
    [
        (True, True, ["task_a", "task_b"]),
        (True, False, ["task_a"]),
        (False, True, ["task_b"]),
        (False, False, ["task_none"]),
    ],
)
def test_inclusive_gateway_takes_every_true_branch(
    start, ready, complete, want_a, want_b, expected
):
    run = start("inclusive_gateway.bpmn")
    run = complete(run, "task_choose", {"want_a": want_a, "want_b": want_b})
    assert ready(run) == expected
    for bpmn_id in expected:
        assert not run.completed
        run = complete(run, bpmn_id)
    assert run.completed and ready(run) == []


@pytest.mark.parametrize("price,qty,total", [(2.5, 4, 10.0), (7, 3, 21), (1, 0, 0)])
def test_script_task_computes_total(start, ready, complete, price, qty, total):
    run = start("script_task.bpmn")
    run = complete(run, "task_input", {"price": price, "qty": qty})
    assert ready(run) == ["task_check"]
    assert run.data["total"] == total and type(run.data["total"]) is type(total)
    run = complete(run, "task_check")
    assert run.completed and run.data["total"] == total


@pytest.mark.parametrize(
    "amount,risk", [(10, "low"), (999, "low"), (1000, "high"), (25_000, "high")]
)
def test_business_rule_sets_risk(start, ready, complete, amount, risk):
    run = start("business_rule.bpmn")
    run = complete(run, "task_amount", {"title": "t", "amount": amount})
    assert ready(run) == ["task_after"]
    assert run.data["risk"] == risk
    run = complete(run, "task_after")
    assert run.completed and run.data["risk"] == risk


def test_call_activity_runs_the_child_and_returns(start, ready, complete):
    run = start("call_activity.bpmn", {"case_id": "C-9"})
    assert ready(run) == ["task_parent"]
    run = complete(run, "task_parent", {"from_parent": 1})
    (child,) = run.user_tasks()
    assert (child.bpmn_id, child.lane, child.process) == (
        "task_child",
        "city_management",
        "child_process",
    )
    assert run.task_data(child.id)["from_parent"] == 1
    run = complete(run, "task_child", {"from_child": 2})
    assert [(t.bpmn_id, t.process) for t in run.user_tasks()] == [
        ("task_parent_after", "call_activity")
    ]
    assert run.data["from_child"] == 2 and run.data["from_parent"] == 1
    run = complete(run, "task_parent_after")
    assert run.completed and run.data["case_id"] == "C-9"


ITEMS = [{"name": "brochure", "owner": "alice"}, {"name": "banner", "owner": "bob"}]


def test_multi_instance_offers_one_task_per_item(start, save_restore):
    run = start("multi_instance.bpmn")
    (plan,) = run.user_tasks()
    run.complete(plan.id, {"items": ITEMS})
    run = save_restore(run)
    tasks = run.user_tasks()
    assert [(t.bpmn_id, t.assignee) for t in tasks] == [
        ("task_deliver", "alice"),
        ("task_deliver", "bob"),
    ]
    assert [run.task_data(t.id)["item"] for t in tasks] == ITEMS
    for task in tasks:
        assert not run.completed
        run.complete(task.id, {"delivered_by": task.assignee})  # no explicit `result`
        run = save_restore(run)
        assert task.id not in [t.id for t in run.user_tasks()]
    assert run.completed
    assert run.data["results"] == [{"delivered_by": "alice"}, {"delivered_by": "bob"}]
    assert run.data["items"] == ITEMS


def test_multi_instance_results_follow_completion_order(start, save_restore):
    """SpiffWorkflow appends to a separate output list as instances finish (not by index)."""
    run = start("multi_instance.bpmn")
    run.complete(run.user_tasks()[0].id, {"items": ITEMS})
    run = save_restore(run)
    for task in reversed(run.user_tasks()):
        run.complete(task.id, {"delivered_by": task.assignee})
        run = save_restore(run)
    assert run.data["results"] == [{"delivered_by": "bob"}, {"delivered_by": "alice"}]


def test_multi_instance_keeps_an_explicit_result(start, save_restore):
    run = start("multi_instance.bpmn")
    run.complete(run.user_tasks()[0].id, {"items": ITEMS})
    run = save_restore(run)
    for n, task in enumerate(run.user_tasks()):
        run.complete(task.id, {"result": n * 10, "ignored": True})
        run = save_restore(run)
    assert run.completed and run.data["results"] == [0, 10]


def test_missing_specs_compares_a_state_with_another_version(engine, start, load):
    run = start("simple_task.bpmn")
    saved = engine.dump(run)
    assert engine.missing_specs(saved, run.bundle) == []
    assert engine.missing_specs(saved, load("simple_task.bpmn")) == []
    # Another process key: its internal join spec is named after the key, so it shows up too.
    assert engine.missing_specs(saved, load("two_lanes.bpmn")) == [
        "simple_task.EndJoin",
        "task_fill",
    ]


def test_missing_specs_names_a_renamed_task_of_the_next_version(engine, start, lenient):
    run = start("simple_task.bpmn")
    content = (PROCESSES / "simple_task.bpmn").read_bytes().replace(b"task_fill", b"task_form")
    v2 = lenient(("simple_task.bpmn", content))
    assert engine.missing_specs(engine.dump(run), v2) == ["task_fill"]


def test_missing_specs_looks_into_subprocesses(engine, start, complete, lenient):
    run = start("call_activity.bpmn")
    run = complete(run, "task_parent")
    saved = engine.dump(run)
    assert saved["subprocesses"]
    assert engine.missing_specs(saved, run.bundle) == []
    content = (PROCESSES / "child_process.bpmn").read_bytes().replace(b"task_child", b"task_kid")
    v2 = lenient("call_activity.bpmn", ("child_process.bpmn", content))
    assert engine.missing_specs(saved, v2) == ["task_child"]


def test_cancel_ends_the_run(start, save_restore, ready):
    run = start("parallel_gateway.bpmn")
    run.cancel()
    run = save_restore(run)
    assert ready(run) == [] and run.waits() == []
