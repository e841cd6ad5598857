"""The worker: due timers fire exactly once, however many workers run at once."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from service import clock
from service.models import Event, Job, db
from service.usecases import jobs


def test_two_workers_fire_each_timer_exactly_once(app, owner, advisor):
    owner.deploy("timers.bpmn")
    started = [advisor.start("timers")["id"] for _ in range(12)]
    clock.advance(timedelta(hours=2))
    barrier = threading.Barrier(2, timeout=10)
    ran = []

    def work(name):
        with app.app_context():
            barrier.wait()  # both poll at the same moment
            ran.append(jobs.run_until_idle(name))
            db.session.remove()

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(ran) == 12
    with app.app_context():
        fired = db.session.execute(
            select(Event.instance_id, func.count()).where(Event.action == "timer_fired")
            .group_by(Event.instance_id)).all()
        assert sorted(fired) == [(i, 1) for i in started]
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert all(advisor.instance(i)["status"] == "running" for i in started)


def test_worker_command_runs_what_is_due(app, owner, advisor):
    owner.deploy("timers.bpmn")
    started = advisor.start("timers")
    runner = app.test_cli_runner()
    assert "ran 0 jobs" in runner.invoke(args=["worker", "--once"]).output
    clock.advance(timedelta(hours=2))
    assert "ran 1 jobs" in runner.invoke(args=["worker", "--once"]).output
    assert advisor.instance(started["id"])["status"] == "running"


def test_a_crashed_worker_lock_expires_and_another_fires_the_job(app, owner, advisor):
    owner.deploy("timers.bpmn")
    started = advisor.start("timers")
    clock.advance(timedelta(hours=2))
    with app.app_context():
        claimed = jobs.claim_due("crashed-worker")  # claims, then dies before running it
        assert len(claimed) == 1
        assert jobs.run_until_idle("other") == 0  # still locked
        clock.advance(timedelta(seconds=app.config["JOB_LOCK_SECONDS"] + 1))
        assert jobs.run_until_idle("other") == 1
        db.session.remove()
    assert advisor.instance(started["id"])["status"] == "running"
