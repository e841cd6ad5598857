"""Reminders of unclaimed work: the whole group hears, the president once, nobody twice."""

from datetime import timedelta

from sqlalchemy import select

from service import clock
from service.models import Notification, db


def who(app, kind) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(Notification.address).where(
            Notification.kind == kind)).all()
        db.session.remove()
    return sorted(address.split("@")[0] for address in rows)


def test_an_unclaimed_task_reminds_its_group_and_escalates_once(app, owner, advisor,
                                                                 run_worker):
    owner.deploy("inbox_flow.bpmn")  # the first task is due in two days, offered to advisors
    advisor.start("inbox_flow", business_key="明德")
    as_sz = ("sz.advisor", "sz.president")
    run_worker()
    assert who(app, "offered") == ["sh.advisor", "sh.advisor2"]
    clock.advance(timedelta(days=1, hours=1))
    run_worker()
    assert who(app, "due_soon") == ["sh.advisor", "sh.advisor2"]
    clock.advance(timedelta(days=1))
    run_worker()
    assert who(app, "overdue") == ["sh.advisor", "sh.advisor2"]
    assert who(app, "escalated") == ["sh.president"]
    clock.advance(timedelta(days=3))  # still late days later: no mail is sent twice
    run_worker()
    run_worker()
    assert who(app, "due_soon") == ["sh.advisor", "sh.advisor2"]
    assert who(app, "overdue") == ["sh.advisor", "sh.advisor2"]
    assert who(app, "escalated") == ["sh.president"]
    assert not set(as_sz) & set(who(app, "escalated") + who(app, "overdue"))
