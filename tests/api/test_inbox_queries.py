"""The inbox through HTTP: tabs, counts, filters, sorting, paging; claim, release, reassign."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from inbox_support import WebClient, text
from sqlalchemy import select

from service import clock
from service.models import User, db
from service.usecases.context import Actor
from service.usecases.inbox import InboxQuery, inbox

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def tasks(owner, advisor, as_user):
    """Five Shanghai tasks with different clients and due dates, one Shenzhen task."""
    owner.deploy("inbox_flow.bpmn")  # the first task is due in two days
    owner.deploy("two_lanes.bpmn")  # no due date
    for name in ("Alpha", "Bravo"):
        advisor.start("inbox_flow", business_key=name)
    clock.advance(timedelta(days=1, hours=20))  # Alpha and Bravo are now due within hours
    advisor.start("inbox_flow", business_key="Charlie")
    advisor.start("two_lanes", business_key="Delta")
    advisor.start("two_lanes", business_key="Echo_100%")
    as_user("sz.advisor").start("two_lanes", business_key="Zulu")


def rows(response) -> list[str]:
    """Return the client column of the inbox table, top to bottom."""
    return re.findall(r'<td class="d-none d-lg-table-cell">([^<]*)</td>', response.text)


def test_tabs_and_counts_show_only_my_centers_tasks(app, tasks):
    web = WebClient(app, "sh.advisor", "en")
    group = web.get("/inbox?tab=group")
    assert sorted(rows(group)) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo_100%"]
    assert 'id="count-group">5<' in group.text and 'id="count-mine">0<' in group.text
    assert re.search(r'id="nav-inbox-count"[^>]*>5<', group.text)
    assert "Zulu" not in group.text
    assert 'id="inbox-empty"' in web.get("/inbox").text  # nothing claimed yet
    assert "Zulu" in WebClient(app, "sz.advisor").get("/inbox?tab=group").text


def test_filters_by_process_client_due_and_text(app, tasks):
    web = WebClient(app, "sh.advisor", "en")
    assert sorted(rows(web.get("/inbox?tab=group&process=two_lanes"))) == ["Delta", "Echo_100%"]
    assert rows(web.get("/inbox?tab=group&client=char")) == ["Charlie"]
    now = clock.now().astimezone(SHANGHAI)
    due_today = (now + timedelta(hours=4)).date() == now.date()  # Alpha and Bravo: in 4 hours
    assert sorted(rows(web.get("/inbox?tab=group&due=today"))) == (
        ["Alpha", "Bravo"] if due_today else [])
    assert rows(web.get("/inbox?tab=group&due=overdue")) == []
    assert sorted(rows(web.get("/inbox?tab=group&due=none"))) == ["Delta", "Echo_100%"]
    assert sorted(rows(web.get("/inbox?tab=group&due=week"))) == ["Alpha", "Bravo", "Charlie"]
    assert rows(web.get("/inbox?tab=group&q=100%25")) == ["Echo_100%"]  # % is not a wildcard
    assert rows(web.get("/inbox?tab=group&q=o_1")) == ["Echo_100%"]
    assert rows(web.get("/inbox?tab=group&q=r_v")) == []  # _ is no wildcard either (Bravo)
    assert sorted(rows(web.get("/inbox?tab=group&q=Request"))) == ["Delta", "Echo_100%"]
    clock.advance(timedelta(hours=5))
    overdue = web.get("/inbox?tab=group&due=overdue")
    assert sorted(rows(overdue)) == ["Alpha", "Bravo"] and "lp-row-overdue" in overdue.text


def test_sorting_and_paging(app, tasks):
    web = WebClient(app, "sh.advisor", "en")
    by_due = rows(web.get("/inbox?tab=group"))
    assert by_due[:3] == ["Alpha", "Bravo", "Charlie"] and set(by_due[3:]) == {"Delta",
                                                                              "Echo_100%"}
    assert rows(web.get("/inbox?tab=group&sort=client&order=desc")) == [
        "Echo_100%", "Delta", "Charlie", "Bravo", "Alpha"]
    app.config["INBOX_PAGE_SIZE"] = 2
    first = web.get("/inbox?tab=group&sort=client")
    third = web.get("/inbox?tab=group&sort=client&page=3")
    assert rows(first) == ["Alpha", "Bravo"] and rows(third) == ["Echo_100%"]
    assert "Page 3 of 3" in text(third)


@pytest.mark.parametrize("query", ["tab=everything", "sort=colour", "order=up", "due=soon",
                                   "page=0", "q=" + "x" * 201])
def test_a_bad_inbox_query_is_a_clear_error(app, tasks, query):
    response = WebClient(app, "sh.advisor", "en").get(f"/inbox?{query}")
    assert response.status_code == 422 and "not valid" in text(response)


def test_claim_and_release_move_the_task_between_tabs(app, tasks, advisor):
    web = WebClient(app, "sh.advisor", "en")
    task = advisor.tasks()[0]
    claimed = web.post(f"/tasks/{task['id']}/claim", {"next": "/inbox?tab=group"})
    assert claimed.status_code == 302 and claimed.headers["Location"] == "/inbox?tab=group"
    mine = web.get("/inbox?tab=mine")
    assert len(rows(mine)) == 1 and "You took" in text(mine)
    assert len(rows(WebClient(app, "sh.advisor2").get("/inbox?tab=group"))) == 4
    # htmx asks for the list fragment: it comes with the tab counts swapped out of band
    fragment = web.post(f"/tasks/{task['id']}/unclaim", {"next": "/inbox?tab=mine"},
                        headers={"HX-Request": "true", "HX-Target": "inbox-results"})
    assert fragment.status_code == 302
    listing = web.get(fragment.headers["Location"],
                      headers={"HX-Request": "true", "HX-Target": "inbox-results"})
    assert listing.text.lstrip().startswith('<div id="inbox-results">')
    assert 'id="inbox-tabs" hx-swap-oob="true"' in listing.text
    assert 'id="count-group">5<' in listing.text and "<nav" not in listing.text


def test_presidents_reassign_within_their_center_advisors_may_not(app, tasks, advisor):
    task = advisor.tasks()[0]
    president = WebClient(app, "sh.president", "en")
    menu = president.get(f"/tasks/{task['id']}/assignees")
    assert menu.status_code == 200
    assert "sh.advisor2" in menu.text and "sz.advisor" not in menu.text
    done = president.post(f"/tasks/{task['id']}/assign", {"username": "sh.advisor2"})
    assert done.status_code == 302
    assert advisor.get(f"/api/v1/tasks/{task['id']}").json["assignee"] == "sh.advisor2"
    refused = president.post(f"/tasks/{task['id']}/assign", {"username": "sz.advisor"})
    assert refused.status_code == 422
    assert advisor.get(f"/api/v1/tasks/{task['id']}").json["assignee"] == "sh.advisor2"
    assert WebClient(app, "sh.advisor").get(
        f"/tasks/{task['id']}/assignees").status_code == 403
    assert WebClient(app, "sz.president").get(
        f"/tasks/{task['id']}/assignees").status_code == 404


def test_the_done_tab_lists_what_i_completed(app, tasks, advisor):
    web = WebClient(app, "sh.advisor", "en")
    delta = next(t for t in advisor.tasks() if t["process"] == "two_lanes")
    web.post(f"/tasks/{delta['id']}", {"comment": "called", "done": "true",
                                        "_action": "complete"})
    done = web.get("/inbox?tab=done")
    assert len(rows(done)) == 1 and "Completed" in text(done)



@pytest.mark.parametrize("query, total", [({}, 5), ({"process": "two_lanes"}, 2),
                                          ({"page": 9}, 5), ({"text": "nothing like it"}, 0)])
def test_the_group_tab_counts_and_names_its_processes_on_any_page(app, tasks, query, total):
    with app.app_context():
        advisor = Actor.of(db.session.scalar(select(User).where(User.username == "sh.advisor")))
        page = inbox(advisor, InboxQuery(tab="group", per_page=2, **query))
        assert page.total == total
        assert sorted(key for key, _ in page.processes) == ["inbox_flow", "two_lanes"]
        assert len(page.rows) == (0 if "page" in query else min(total, 2))
