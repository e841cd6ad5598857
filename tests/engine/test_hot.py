"""HotRuns: a bounded LRU of runs, each valid only at the version it was saved at."""

import json

import pytest

from service.engine import HotRuns, TaskFailed, kept_size


def test_a_run_is_taken_once_and_only_at_its_tag():
    cache = HotRuns(4)
    cache.put(1, 7, "run", ["waits"])
    found = cache.take(1, 7)
    assert (found.run, found.tag, found.waits) == ("run", 7, ["waits"])
    assert cache.take(1, 7) is None  # whoever took it owns it


def test_a_stale_run_is_dropped():
    cache = HotRuns(4)
    cache.put(1, 7, "run", [])
    assert cache.take(1, 8) is None
    assert not cache.has(1)


def test_a_run_newer_than_the_callers_read_stays():
    cache = HotRuns(4)
    cache.put(1, 8, "run", [])
    assert cache.take(1, 7) is None
    assert cache.take(1, 8).run == "run"


def test_a_run_given_back_does_not_replace_a_newer_one():
    cache = HotRuns(4)
    cache.put(1, 7, "old", [])
    old = cache.take(1, 7)
    cache.put(1, 8, "new", [])
    cache.give_back(1, old)
    assert cache.tag_of(1) == 8
    cache.take(1, 8)
    cache.give_back(1, old)
    assert cache.tag_of(1) == 7


def test_the_least_recently_kept_run_goes_first():
    cache = HotRuns(2)
    cache.put(1, 1, "a", [])
    cache.put(2, 1, "b", [])
    cache.put(1, 2, "a2", [])  # 1 is now the newest
    cache.put(3, 1, "c", [])
    assert len(cache) == 2 and not cache.has(2) and cache.has(1) and cache.has(3)


def test_size_zero_keeps_nothing():
    cache = HotRuns(0)
    cache.put(1, 1, "run", [])
    assert len(cache) == 0 and cache.take(1, 1) is None


def test_a_saved_state_may_be_kept_and_its_size_is_about_its_json(engine, start):
    run = start("script_task.bpmn", {"case_id": "C-3"})
    run.complete(run.user_tasks()[0].id, {"price": 4, "qty": 5, "note": "x" * 10_000})
    saved = engine.dump(run)
    size = kept_size(saved)
    assert size is not None
    assert 0.5 < size / len(json.dumps(saved)) < 2


@pytest.mark.parametrize("value", [(1, 2), {1: "one"}, [{"a": (1,)}], {"a": {2: 3}}])
def test_a_state_json_would_change_is_not_kept(engine, start, value):
    run = start("script_task.bpmn", {"case_id": "C-3"})
    run.complete(run.user_tasks()[0].id, {"price": 4, "qty": 5, "odd": value})
    assert kept_size(engine.dump(run)) is None


def test_a_state_holding_what_json_cannot_write_is_not_kept(engine, start):
    """Such data cannot even reach a script's sandbox process: the script fails, named."""
    run = start("script_task.bpmn", {"case_id": "C-3"})
    with pytest.raises(TaskFailed, match="holds an object in 'odd'"):
        run.complete(run.user_tasks()[0].id, {"price": 4, "qty": 5, "odd": object()})
    assert kept_size(engine.dump(run)) is None


def test_a_kept_run_is_found_by_its_open_tasks_while_it_is_kept():
    cache = HotRuns(1)
    cache.put(1, 7, "run", [], ["task-a", "task-b"])
    assert cache.key_of_task("task-b") == 1 and cache.key_of_task("task-c") is None
    cache.put(2, 3, "other", [], ["task-c"])  # evicts instance 1 (size 1)
    assert cache.key_of_task("task-a") is None and cache.key_of_task("task-c") == 2
    assert cache.take(2, 3).run == "other" and cache.key_of_task("task-c") is None
