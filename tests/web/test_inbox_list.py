"""The inbox list in Chromium: tabs, columns, filters, sorting, paging, claim, reassign; login
links, notification preferences, and the pages at a 375 px phone width."""

from datetime import timedelta

import pytest
from browser_support import screenshot, sign_in
from inbox_support import REPO
from playwright.sync_api import expect

from service import clock
from service.usecases import dates

pytestmark = pytest.mark.browser


@pytest.fixture
def tasks(app, owner, advisor, as_user):
    """Shanghai's group holds an overdue task, one due today, one due later and three without
    a due date; Shenzhen has one of its own."""
    owner.deploy("inbox_flow.bpmn", "two_lanes.bpmn")  # inbox_flow's first task: due in 2 days
    with app.app_context():  # keep "due in one minute" on the same local day as now
        while dates.local(clock.now() + timedelta(days=2, minutes=3)).hour == 0 and \
                dates.local(clock.now() + timedelta(days=2, minutes=3)).minute < 5:
            clock.advance(timedelta(minutes=10))
    advisor.start("inbox_flow", business_key="Charlie")
    clock.advance(timedelta(minutes=2))
    advisor.start("inbox_flow", business_key="Bravo")
    clock.advance(timedelta(days=2, minutes=-1))  # Charlie: 1 minute late; Bravo: due in 1
    advisor.start("inbox_flow", business_key="Alpha")  # due in two days
    for name in ("Delta", "Echo", "Foxtrot"):
        advisor.start("two_lanes", business_key=name)
    as_user("sz.advisor").start("two_lanes", business_key="Zulu")


def clients(page) -> list[str]:
    """Return the client column of the inbox table, top to bottom."""
    return [text.strip() for text in
            page.locator("#task-table tbody tr td:nth-child(3)").all_inner_texts()]


def wait_for_clients(page, expected: list[str]) -> None:
    expect(page.locator("#task-table tbody tr td:nth-child(3)")).to_have_text(expected)


def test_tabs_columns_filters_sorting_paging_and_claim(app, tasks, live_server, page):
    app.config["INBOX_PAGE_SIZE"] = 4
    sign_in(page, live_server, "sh.advisor")
    expect(page.locator("#nav-inbox-count")).to_have_text("6")
    assert page.locator("#count-mine").inner_text() == "0"
    assert page.locator("#inbox-empty").is_visible()
    page.click("#tab-group")
    expect(page.locator("#count-group")).to_have_text("6")
    headers = page.locator("#task-table thead th").all_inner_texts()
    assert [h.strip()[:2] for h in headers[:6]] == ["任务", "流程", "客户", "服务", "创建", "截止"]
    # sorted by due date: overdue first, then today, then later, then none
    assert clients(page)[:3] == ["Charlie", "Bravo", "Alpha"]
    overdue = page.locator("tr", has_text="Charlie")
    assert "lp-row-overdue" in overdue.get_attribute("class")
    assert "逾期" in overdue.locator(".lp-due").inner_text()
    assert "lp-row-today" in page.locator("tr", has_text="Bravo").get_attribute("class")
    assert "上海服务中心" in overdue.inner_text() and "Zulu" not in page.content()
    # paging: 6 tasks by 4
    expect(page.locator("#task-table tbody tr")).to_have_count(4)
    assert "第 1 / 2 页" in page.locator("#inbox-results").inner_text()
    page.locator("#inbox-pages a", has_text="2").click()
    expect(page.locator("#task-table tbody tr")).to_have_count(2)
    assert "page=2" in page.url
    # sorting by client, both ways
    page.click("#sort-client")
    wait_for_clients(page, ["Alpha", "Bravo", "Charlie", "Delta"])
    page.click("#sort-client")
    wait_for_clients(page, ["Foxtrot", "Echo", "Delta", "Charlie"])
    # filters: text, client, process, due (htmx keeps the sort)
    page.fill("#filter-q", "Echo")
    wait_for_clients(page, ["Echo"])
    page.fill("#filter-q", "")
    page.fill("#filter-client", "brav")
    wait_for_clients(page, ["Bravo"])
    page.fill("#filter-client", "")
    page.select_option("#filter-process", "two_lanes")
    wait_for_clients(page, ["Foxtrot", "Echo", "Delta"])
    page.select_option("#filter-process", "")
    page.select_option("#filter-due", "overdue")
    wait_for_clients(page, ["Charlie"])
    page.select_option("#filter-due", "today")  # due today, late already or not
    wait_for_clients(page, ["Charlie", "Bravo"])
    screenshot(page, "inbox-list-filtered")
    # claim from the list (htmx): the counts move in the tabs and the navigation
    page.locator("tr", has_text="Bravo").locator(".lp-claim").click()
    expect(page.locator("#count-mine")).to_have_text("1")
    expect(page.locator("#count-group")).to_have_text("5")
    expect(page.locator("#nav-inbox-count")).to_have_text("6")
    page.click("#tab-mine")
    wait_for_clients(page, ["Bravo"])
    screenshot(page, "inbox-list-mine")
    page.locator("tr", has_text="Bravo").locator(".lp-unclaim").click()
    expect(page.locator("#inbox-empty")).to_be_visible()
    expect(page.locator("#count-group")).to_have_text("6")


def test_presidents_reassign_within_their_center_only(app, tasks, live_server, page,
                                                      new_context, advisor):
    sign_in(page, live_server, "sh.president")
    page.click("#tab-center")
    expect(page.locator("#task-table tbody tr")).to_have_count(6)
    assert "Zulu" not in page.locator("#task-table").inner_text()
    row = page.locator("tr", has_text="Delta")
    delta = row.get_attribute("data-task")
    row.locator(".lp-reassign").click()
    menu = row.locator(".lp-assign-menu select")
    expect(menu).to_be_visible()
    choices = menu.locator("option").all_inner_texts()
    assert any("sh.advisor2" in c for c in choices) and not any("sz." in c for c in choices)
    screenshot(page, "inbox-reassign")
    menu.select_option("sh.advisor2")
    row.locator(".lp-assign-form button").click()
    expect(page.locator("tr", has_text="Delta").locator(".badge", has_text="sh.advisor2")
           ).to_be_visible()
    assert advisor.get(f"/api/v1/tasks/{delta}").json["assignee"] == "sh.advisor2"
    # an advisor has no such tab, and asking for it by URL is refused
    other = new_context().new_page()
    sign_in(other, live_server, "sh.advisor")
    assert other.locator("#tab-center").count() == 0
    response = other.goto(f"{live_server}/inbox?tab=center")
    assert response.status == 403 and other.locator("#error-page").is_visible()


def test_the_login_page_links_to_password_reset_and_sso_when_configured(app, live_server,
                                                                         page):
    page.goto(f"{live_server}/login")
    assert page.locator("#sso-sign-in").count() == 0
    page.click("#forgot-password")
    assert page.url.endswith("/org/password/forgot")
    app.config.update(OIDC_ISSUER="https://sso.example", OIDC_CLIENT_ID="linkpass")
    page.goto(f"{live_server}/login")
    assert page.locator("#sso-sign-in").get_attribute("href") == "/org/sso/login"
    screenshot(page, "login-sso")


def test_notification_preferences_and_the_outbox(app, owner, advisor, live_server, page,
                                                 run_worker):
    sign_in(page, live_server, "sh.advisor2")
    page.goto(f"{live_server}/profile")
    assert page.locator("#mode-immediate").is_checked()
    page.check("#mode-digest")
    page.select_option("#mail-language", "en")
    page.click("#save-preferences")
    expect(page.locator(".alert-success")).to_be_visible()
    assert page.locator("#mode-digest").is_checked()
    owner.deploy("two_lanes.bpmn")
    advisor.start("two_lanes", business_key="华信科技")
    run_worker()
    page.goto(f"{live_server}/outbox")
    assert page.locator("#dev-mode").is_visible()
    mail = page.locator(".lp-mail").first
    assert "New task: Request" in mail.inner_text() and "等待汇总" in mail.inner_text()
    screenshot(page, "outbox")


def test_phone_width_inbox_login_and_public_forms(app, tasks, live_server, new_context):
    page = new_context(width=375, height=800).new_page()

    def fits(name: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        screenshot(page, name)

    page.goto(f"{live_server}/login")
    fits("phone-login")
    app.config["FORMS_DIR"] = str(REPO / "forms")  # the public forms live there
    for kind in ("inquiry", "center-application"):
        page.goto(f"{live_server}/public/{kind}")
        assert page.locator("#submit-public").is_visible()
        fits(f"phone-public-{kind}")
    sign_in(page, live_server, "sh.advisor")
    page.goto(f"{live_server}/inbox?tab=group")
    expect(page.locator("#task-table tbody tr")).to_have_count(6)
    assert page.locator("tr", has_text="Charlie").locator(".lp-claim").is_visible()
    fits("phone-inbox")
