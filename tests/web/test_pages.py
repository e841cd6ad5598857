"""Sign-in, language, CSRF and the inbox shell in a real Chromium."""

from browser_support import screenshot, sign_in
from support import ApiClient


def test_sign_in_shows_the_inbox_in_chinese_then_english(app, live_server, page, client):
    owner = ApiClient(client, "owner")
    owner.deploy("two_lanes.bpmn")
    ApiClient(client, "sh.advisor").start("two_lanes")
    page.goto(f"{live_server}/inbox")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "登录"
    sign_in(page, live_server, "sh.advisor")
    assert page.locator("h1").inner_text() == "待办"
    page.click("#tab-group")
    assert page.locator("#task-table tbody tr").count() == 1
    assert "Request" in page.locator("#task-table").inner_text()
    screenshot(page, "inbox-zh")
    page.click("#switch-language")
    assert page.locator("h1").inner_text() == "Inbox"
    page.click("#user-menu")
    page.click("#logout")
    assert "/login" in page.url
    page.goto(f"{live_server}/inbox")
    assert "/login" in page.url  # the session ended


def test_wrong_password_and_csrf_are_refused(live_server, page, new_context):
    page.goto(f"{live_server}/login")
    page.fill("#username", "sh.advisor")
    page.fill("#password", "nope")
    page.click("#sign-in")
    assert page.locator(".alert-danger").is_visible()
    # A form posted without its CSRF token gets a clear error page and no session.
    response = page.request.post(f"{live_server}/login",
                                 form={"username": "sh.advisor", "password": "linkpass"},
                                 headers={"Accept": "text/html"})
    assert response.status == 400
    assert "请求被拒绝" in response.text() or "refused" in response.text()
    page.goto(f"{live_server}/inbox")
    assert "/login" in page.url


def test_session_cookie_is_httponly_and_samesite(live_server, page):
    sign_in(page, live_server, "sh.advisor")
    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"


def test_phone_width_keeps_the_inbox_usable(live_server, new_context):
    page = new_context(width=375, height=800).new_page()
    sign_in(page, live_server, "sh.advisor")
    assert page.locator(".navbar-toggler").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(page, "inbox-phone")
