"""Organisation pages in a real Chromium: people, reach, hand-over, suspension, phone width."""

from browser_support import screenshot, sign_in
from support import ApiClient

from service.models import User, db


def users_named(app, username):
    with app.app_context():
        found = db.session.query(User).filter_by(username=username).count()
        db.session.remove()
    return found


def test_city_president_adds_an_advisor_but_not_elsewhere_nor_admin(app, live_server, page):
    sign_in(page, live_server, "sh.president")
    page.click("a[href='/org/']")
    page.wait_for_url(f"{live_server}/org/centers/sh")  # a city president lands on their center
    assert "sh.president" in page.locator("#user-table").inner_text()
    screenshot(page, "org-center-zh")
    page.click("#add-user")
    # Only the roles within reach are offered.
    offered = page.locator("#role-choices input").evaluate_all("els => els.map(e => e.value)")
    assert sorted(offered) == ["advisor", "city_management"]
    assert page.locator("#center option").all_inner_texts() == ["上海服务中心 (sh)"]
    page.fill("#username", "sh.advisor3")
    page.fill("#display_name", "上海服务顾问三")
    page.fill("#email", "sh.advisor3@linkpass.example")
    page.check("#role-advisor")
    screenshot(page, "org-user-new")
    page.click("#save-user")
    page.wait_for_url(f"{live_server}/org/users/sh.advisor3")
    assert page.locator("#user-title").inner_text() == "上海服务顾问三"
    assert "邀请" in page.locator(".alert-success").inner_text()
    # A forged form: another center, then a role above reach. Both refused, nothing added.
    page.goto(f"{live_server}/org/users/new")
    page.fill("#username", "sz.intruder")
    page.fill("#display_name", "x")
    page.fill("#email", "x@linkpass.example")
    page.check("#role-advisor")
    page.evaluate("document.querySelector('#center').add(new Option('sz', 'sz', true, true))")
    page.click("#save-user")
    assert page.locator("#form-errors").is_visible()
    page.evaluate("document.querySelector('#center').value = 'sh'")
    page.evaluate("""() => { const box = document.querySelector('#role-advisor').cloneNode();
        box.id = 'role-admin'; box.value = 'admin'; box.checked = true;
        document.querySelector('#role-choices').append(box); }""")
    page.click("#save-user")
    assert "admin" in page.locator("[data-error-for=roles]").inner_text()
    screenshot(page, "org-user-refused")
    assert users_named(app, "sz.intruder") == 0


def test_deactivating_hands_the_work_over_and_the_log_shows_it(app, client, live_server, page):
    ApiClient(client, "owner").deploy("two_lanes.bpmn")
    advisor = ApiClient(client, "sh.advisor")
    advisor.start("two_lanes")
    task = advisor.task_named("task_request")
    advisor.post(f"/api/v1/tasks/{task['id']}/claim")
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/org/users/sh.advisor")
    assert page.locator("#open-task-count").inner_text() == "1"
    page.select_option("#tasks_to", "sh.advisor2")
    screenshot(page, "org-user-deactivate")
    page.click("#deactivate")
    page.wait_for_url(f"{live_server}/org/changes/**")
    assert page.locator("#moved-to-colleague").inner_text() == "1"
    assert "sh.advisor2" in page.locator("#moved-list").inner_text()
    screenshot(page, "org-handover-summary")
    page.click("#org-nav a[href='/org/events']")
    assert page.locator("#event-table tr[data-action=user_deactivated]").count() == 1
    assert [t["id"] for t in ApiClient(client, "sh.advisor2").tasks("mine")] == [task["id"]]
    page.click("#switch-language")
    assert "User deactivated" in page.locator("#event-table").inner_text()
    screenshot(page, "org-events-en")


def test_a_suspended_center_keeps_its_tasks_visible_to_the_national_center(
        app, client, live_server, page, new_context):
    ApiClient(client, "owner").deploy("two_lanes.bpmn")
    ApiClient(client, "sh.advisor").start("two_lanes")
    sign_in(page, live_server, "nat.management")
    page.click("a[href='/org/']")
    assert page.locator("#center-table tr[data-center]").count() == 3
    screenshot(page, "org-index")
    page.click("#center-table a[href='/org/centers/sh']")
    page.select_option("#status", "suspended")
    page.click("#change-status")
    page.wait_for_url(f"{live_server}/org/changes/**")
    page.click("text=打开服务中心")
    assert page.locator("#center-title [data-status]").get_attribute("data-status") == "suspended"
    assert page.locator("#open-tasks tr[data-task]").count() == 1
    screenshot(page, "org-center-suspended")
    other = new_context().new_page()
    other.goto(f"{live_server}/login")
    other.fill("#username", "sh.advisor2")
    other.fill("#password", "linkpass")
    other.click("#sign-in")
    assert other.locator(".alert-danger").is_visible()
    assert "/login" in other.url


def test_organisation_pages_fit_a_phone(live_server, new_context):
    page = new_context(width=375, height=800).new_page()
    sign_in(page, live_server, "admin")
    for path, name in (("/org/", "org-index-phone"), ("/org/centers/sh", "org-center-phone"),
                       ("/org/users/sh.advisor", "org-user-phone"),
                       ("/org/users/import", "org-import-phone"),
                       ("/org/account", "org-account-phone")):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        screenshot(page, name)
