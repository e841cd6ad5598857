"""Failing scripts become TaskFailed with the element and line; retries; the sandbox at run time."""

import pytest

from service.engine import InvalidOperation, TaskFailed


def failed_division(start):
    run = start("failing_script.bpmn")
    (task,) = run.user_tasks()
    with pytest.raises(TaskFailed) as caught:
        run.complete(task.id, {"divisor": 0})
    return run, caught.value


def test_division_by_zero_names_the_script_and_line(start):
    run, failure = failed_division(start)
    assert failure.element_id == "script_divide"
    assert failure.line == 1
    assert "ZeroDivisionError" in str(failure) and "division by zero" in str(failure)
    assert failure.timed_out is False
    assert run.failed_tasks() == [failure.task_id]
    assert run.user_tasks() == [] and not run.completed


def test_failed_state_restores_and_retries_with_new_data(start, ready, complete, save_restore):
    run, failure = failed_division(start)
    run = save_restore(run)  # what production stores with the incident
    assert run.failed_tasks() == [failure.task_id]
    assert "ratio" not in run.data
    run.retry({"divisor": 4})
    run = save_restore(run)
    assert run.failed_tasks() == []
    assert run.data["ratio"] == 25.0 and run.data["divisor"] == 4
    assert ready(run) == ["task_after"]
    run = complete(run, "task_after")
    assert run.completed and run.data["ratio"] == 25.0


def test_retry_with_the_same_data_fails_again(start, save_restore):
    run, failure = failed_division(start)
    run = save_restore(run)
    with pytest.raises(TaskFailed) as again:
        run.retry()
    assert again.value.element_id == "script_divide"
    run = save_restore(run)
    assert run.failed_tasks() == [failure.task_id]


def test_retry_without_a_failure_is_refused(start):
    run = start("failing_script.bpmn")
    with pytest.raises(InvalidOperation, match="nothing failed"):
        run.retry({"divisor": 1})


def test_endless_script_times_out(engine, load, save_restore):
    run = engine.start(load("endless_script.bpmn"))
    with pytest.raises(TaskFailed) as caught:
        run.advance()
    assert caught.value.timed_out is True and caught.value.limit in ("cpu", "wall")
    assert caught.value.element_id == "script_forever"
    assert caught.value.line in (1, 2)
    assert "0.5 s CPU time limit" in str(caught.value) or "0.5 s time limit" in str(caught.value)
    run = save_restore(run)
    assert run.failed_tasks() == [caught.value.task_id] and not run.completed


def test_a_timed_out_run_leaves_no_limit_behind(engine, load, start, complete):
    """The next run on this thread is not cut short by the previous deadline."""
    with pytest.raises(TaskFailed):
        engine.start(load("endless_script.bpmn")).advance()
    run = start("script_task.bpmn")
    run = complete(run, "task_input", {"price": 3, "qty": 5})
    assert run.data["total"] == 15


# Deploy checks skipped: the sandbox still refuses at run time -------------------------------


@pytest.mark.parametrize(
    "name,element_id,cause",
    [
        (
            "hostile/script_import_os.bpmn",
            "script_evil",
            '"__import__" is an invalid variable name',
        ),
        (
            "hostile/script_subclasses.bpmn",
            "script_evil",
            '"__subclasses__" is an invalid attribute',
        ),
        ("hostile/script_open.bpmn", "script_evil", "open() is not available in scripts"),
    ],
)
def test_hostile_script_fails_at_run_time(engine, lenient, save_restore, name, element_id, cause):
    run = engine.start(lenient(name))
    with pytest.raises(TaskFailed) as caught:
        run.advance()
    assert caught.value.element_id == element_id
    assert cause in str(caught.value)
    assert caught.value.line == 1
    run = save_restore(run)
    assert len(run.failed_tasks()) == 1
    assert "x" not in run.data  # the script never produced anything


def test_hostile_condition_fails_at_run_time(engine, lenient, save_restore):
    run = engine.start(lenient("hostile/bad_condition.bpmn"))
    with pytest.raises(TaskFailed) as caught:
        run.advance()
    assert caught.value.element_id == "gateway_evil"  # the gateway evaluates its flows
    assert "__import__('os')" in str(caught.value)
    assert type(caught.value.__cause__.exception).__name__ == "ScriptRefused"
    run = save_restore(run)
    assert run.user_tasks() == [] and len(run.failed_tasks()) == 1


def test_bundle_does_not_run_the_deploy_checks(lenient):
    """The lenient path used above really skips them (otherwise the tests prove nothing)."""
    bundle = lenient("hostile/script_import_os.bpmn")
    assert bundle.key == "script_import_os"
    assert "script_evil" in bundle.spec.task_specs
