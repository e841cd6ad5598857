"""Long histories: compaction keeps loops shallow; without it the stall is detected, not silent."""

import json

import pytest

import service.engine.history
from service.engine import HistoryTooDeep, element_counts, history_depth

ROUNDS = 1_200  # past SpiffWorkflow's silent stall at about 500 rounds of a two-element loop


def size(engine, run) -> int:
    return len(json.dumps(engine.dump(run)))


def test_loop_of_1200_rounds_stays_shallow_and_completes(engine, start, complete, ready):
    run = start("loop.bpmn")
    sizes, deepest = {}, 0
    for n in range(1, ROUNDS + 1):
        # every round is saved and restored; the round trip is compared every 50 rounds
        run = complete(run, "task_review", {"again": True, "round": n}, check=n % 50 == 0)
        assert ready(run) == ["task_review"], n
        deepest = max(deepest, history_depth(run.workflow))
        if n in (100, ROUNDS):
            sizes[n] = size(engine, run)
    assert history_depth(run.workflow) < 100
    assert deepest < 100
    assert sizes[ROUNDS] < 2 * sizes[100]
    assert run.data["round"] == ROUNDS
    run = complete(run, "task_review", {"again": False, "round": ROUNDS + 1})
    assert run.completed and ready(run) == []
    assert run.data == {"again": False, "round": ROUNDS + 1}


def test_compaction_keeps_a_window_of_recent_history(start, complete):
    run = start("loop.bpmn")
    for n in range(1, 121):
        run = complete(run, "task_review", {"again": True, "round": n}, check=n % 10 == 0)
    kept = element_counts(run)["task_review"]
    assert kept.active == 1
    assert 5 <= kept.completed < 60  # older rounds were dropped, the last ones kept


def test_without_compaction_the_stall_is_detected(start, save_restore, monkeypatch):
    """SpiffWorkflow's iterator stops at depth 1,000: the gateway after the task stays READY
    but unreachable. advance() must raise HistoryTooDeep rather than wait forever."""
    monkeypatch.setattr(service.engine.history, "compact", lambda workflow: None)
    run = start("loop.bpmn")
    rounds = 0
    with pytest.raises(HistoryTooDeep) as caught:
        for rounds in range(1, 700):
            (task,) = run.user_tasks()
            assert task.bpmn_id == "task_review"
            run.complete(task.id, {"again": True})
            if rounds % 25 == 0:  # the deep state is slow to dump: save/restore every 25th
                run = save_restore(run)
    assert 450 <= rounds <= 550, rounds
    assert history_depth(run.workflow) >= 1_000
    assert "deeper than the engine can walk" in str(caught.value)
    assert run.user_tasks() == []  # nothing left to offer: this would have been a silent stall
    assert service.engine.history.stalled(run.workflow)
    run = save_restore(run)  # the stuck state can still be stored with the incident
    with pytest.raises(HistoryTooDeep):
        run.advance()


def test_stalled_is_false_for_healthy_runs(start, complete):
    run = start("loop.bpmn")
    assert not service.engine.history.stalled(run.workflow)
    run = complete(run, "task_review", {"again": False})
    assert run.completed and not service.engine.history.stalled(run.workflow)
