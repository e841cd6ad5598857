"""Timers read the service clock; messages are delivered by name. Save/restore between steps."""

from datetime import UTC, datetime, timedelta

from service import clock
from service.engine import Wait, element_counts

SLACK = timedelta(seconds=30)  # the run starts a moment after we read the clock


def assert_due(wait: Wait, expected: datetime):
    assert wait.kind == "timer" and wait.due_at is not None
    assert expected <= wait.due_at <= expected + SLACK, (wait, expected)


def fire_after(run, delta: timedelta, save_restore):
    """Move the service clock, fire what is due, and save/restore."""
    clock.advance(delta)
    run.fire_timers()
    return save_restore(run)


# Boundary timers -------------------------------------------------------------------------------


def test_boundary_timers_are_listed_with_due_times(start):
    t0 = clock.now()
    run = start("boundary_timers.bpmn")
    waits = {w.element_id: w for w in run.waits()}
    assert set(waits) == {"timer_remind", "timer_deadline"}
    assert_due(waits["timer_remind"], t0 + timedelta(days=1))
    assert_due(waits["timer_deadline"], t0 + timedelta(days=7))
    assert all(w.message is None and w.correlation_key is None for w in waits.values())


def test_nothing_fires_before_it_is_due(start, ready, save_restore):
    run = start("boundary_timers.bpmn")
    before = run.waits()
    run = fire_after(run, timedelta(hours=23, minutes=59), save_restore)
    assert ready(run) == ["task_work"] and run.waits() == before


def test_reminder_does_not_interrupt_and_deadline_does(start, ready, complete, save_restore):
    t0 = clock.now()
    run = start("boundary_timers.bpmn")
    run = fire_after(run, timedelta(days=1, minutes=1), save_restore)
    assert ready(run) == ["task_remind", "task_work"]  # non-interrupting: work stays offered
    (deadline,) = run.waits()
    assert deadline.element_id == "timer_deadline"
    assert_due(deadline, t0 + timedelta(days=7))  # unchanged by the reminder
    assert {t.bpmn_id: t.lane for t in run.user_tasks()}["task_remind"] == "advisor"

    run = fire_after(run, timedelta(days=7), save_restore)
    assert ready(run) == ["task_escalated", "task_remind"]  # interrupting: work withdrawn
    assert run.waits() == []
    assert {t.bpmn_id: t.lane for t in run.user_tasks()}["task_escalated"] == "city_president"
    assert "task_work" not in element_counts(run)  # cancelled: neither done nor active

    run = complete(run, "task_remind")
    assert not run.completed
    run = complete(run, "task_escalated")
    assert run.completed


def test_finishing_the_work_cancels_both_timers(start, complete, save_restore, ready):
    run = start("boundary_timers.bpmn")
    run = complete(run, "task_work", {"done": True})
    assert run.completed and run.waits() == []
    run = fire_after(run, timedelta(days=30), save_restore)
    assert run.completed and ready(run) == []
    assert "task_escalated" not in element_counts(run)


# Intermediate timers ---------------------------------------------------------------------------


def test_duration_timer_waits_an_hour(start, ready, complete, save_restore):
    t0 = clock.now()
    run = start("timers.bpmn")
    (wait,) = run.waits()
    assert wait.element_id == "timer_wait"
    assert_due(wait, t0 + timedelta(hours=1))
    assert ready(run) == []
    run = fire_after(run, timedelta(minutes=59), save_restore)
    assert ready(run) == [] and len(run.waits()) == 1
    run = fire_after(run, timedelta(minutes=2), save_restore)
    assert ready(run) == ["task_after_wait"] and run.waits() == []
    run = complete(run, "task_after_wait")
    assert run.completed


def test_date_timer_waits_for_its_date(start, ready, save_restore):
    target = datetime(2030, 1, 1, tzinfo=UTC)
    run = start("timer_date.bpmn")
    (wait,) = run.waits()
    assert (wait.element_id, wait.due_at) == ("timer_date_wait", target)
    run = fire_after(run, target - clock.now() - timedelta(minutes=1), save_restore)
    assert ready(run) == [] and len(run.waits()) == 1
    run = fire_after(run, timedelta(minutes=2), save_restore)
    assert clock.now() > target
    assert ready(run) == ["task_after_wait"] and run.waits() == []


def test_cycle_timer_fires_twice_then_stops(start, ready, complete, save_restore):
    t0 = clock.now()
    run = start("timer_cycle.bpmn")
    (first,) = run.waits()
    assert first.element_id == "timer_cycle_remind"
    assert_due(first, t0 + timedelta(hours=1))
    assert "script_count" not in element_counts(run)

    run = fire_after(run, timedelta(hours=1, minutes=1), save_restore)
    assert element_counts(run)["script_count"].completed == 1
    (second,) = run.waits()
    assert second.due_at == first.due_at + timedelta(hours=1)

    run = fire_after(run, timedelta(hours=1), save_restore)
    assert element_counts(run)["script_count"].completed == 2
    assert run.waits() == []

    run = fire_after(run, timedelta(hours=5), save_restore)
    assert element_counts(run)["script_count"].completed == 2
    assert element_counts(run)["end_counted"].completed == 2
    assert ready(run) == ["task_work"]  # the cycle never interrupted the work
    run = complete(run, "task_work")
    assert run.completed


# Messages --------------------------------------------------------------------------------------


def submitted(start, complete, case_id="CASE-7"):
    run = start("message_catch.bpmn", {"case_id": case_id})
    return complete(run, "task_submit")


def test_message_catch_waits_with_its_correlation_key(start, ready, complete):
    run = start("message_catch.bpmn", {"case_id": "CASE-7"})
    assert run.waits() == [] and ready(run) == ["task_submit"]
    run = complete(run, "task_submit")
    assert ready(run) == []
    assert run.waits() == [
        Wait("message", "wait_result", message="certification_result", correlation_key="CASE-7")
    ]


def test_correlation_key_is_evaluated_as_text(start, complete):
    run = submitted(start, complete, case_id=42)
    assert run.waits()[0].correlation_key == "42"


def test_delivered_message_lands_in_its_variable(start, ready, complete, save_restore):
    run = submitted(start, complete)
    payload = {"passed": True, "score": 91, "notes": ["ok"]}
    assert run.deliver("certification_result", payload) is True
    run = save_restore(run)
    assert run.data["result"] == payload
    assert ready(run) == ["task_review"] and run.waits() == []
    run = complete(run, "task_review")
    assert run.completed and run.data["result"] == payload and run.data["case_id"] == "CASE-7"


def test_unknown_message_returns_false_and_changes_nothing(
    engine, start, complete, ready, save_restore
):
    run = submitted(start, complete)
    before = save_restore(run)
    saved = engine.dump(before)
    assert run.deliver("no_such_message", {"x": 1}) is False
    assert engine.dump(run) == saved
    run = save_restore(run)
    assert ready(run) == [] and [w.element_id for w in run.waits()] == ["wait_result"]
    assert "x" not in run.data and "result" not in run.data


def test_message_before_anyone_waits_is_not_kept(engine, start, complete, ready):
    """The subscription table, not the run, decides who may receive: nothing is queued."""
    run = start("message_catch.bpmn", {"case_id": "CASE-7"})
    saved = engine.dump(run)
    assert run.deliver("certification_result", {"early": True}) is False
    assert engine.dump(run) == saved
    run = complete(run, "task_submit")
    assert ready(run) == [] and len(run.waits()) == 1 and "result" not in run.data


def test_message_start_waits_then_starts(start, ready, complete, save_restore):
    run = start("message_start.bpmn")
    assert ready(run) == [] and not run.completed
    assert run.waits() == [Wait("message", "start_inquiry", message="client_inquiry")]
    assert run.deliver("client_inquiry", {"client": "ACME", "topic": "ISO"}) is True
    run = save_restore(run)
    assert run.data["inquiry"] == {"client": "ACME", "topic": "ISO"}
    assert ready(run) == ["task_assign"] and run.waits() == []
    assert run.user_tasks()[0].lane == "city_management"
    run = complete(run, "task_assign")
    assert run.completed
