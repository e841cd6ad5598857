"""Sign-in pages in a real Chromium: lock-out, reset and invitation links, tokens, SSO, import."""

import re
from datetime import timedelta

from browser_support import screenshot, sign_in
from oidc_provider import Provider
from support import ApiClient

from service import clock
from service.models import Notification, User, db


def last_link(app, address, kind):
    with app.app_context():
        mail = db.session.query(Notification).filter_by(address=address) \
            .order_by(Notification.id.desc()).first()
        db.session.remove()
    return re.search(rf"(http://\S+/org/{kind}/\S+)", mail.body).group(1)


def try_sign_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sign-in")


def test_five_failed_sign_ins_lock_the_account(live_server, page):
    for _ in range(5):
        try_sign_in(page, live_server, "sh.advisor", "wrong-password")
        assert page.locator(".alert-danger").is_visible()
    try_sign_in(page, live_server, "sh.advisor", "linkpass")
    assert "登录已暂停" in page.locator("#signin-paused").inner_text()
    screenshot(page, "org-locked")
    page.click("#reset-instead")
    page.wait_for_url(f"{live_server}/org/password/forgot")
    clock.advance(timedelta(minutes=16))
    sign_in(page, live_server, "sh.advisor")


def test_reset_link_sets_a_password_once_and_expires(app, live_server, page):
    page.goto(f"{live_server}/org/password/forgot")
    page.fill("#login", "sh.advisor2")
    page.click("#send-link")
    assert page.locator("#reset-sent").is_visible()
    link = last_link(app, "sh.advisor2@linkpass.example", "password/reset")
    page.goto(link)
    page.fill("#password", "short")
    page.click("#set-password")
    assert page.locator("[data-error-for=password]").is_visible()
    screenshot(page, "org-reset-weak")
    page.fill("#password", "Shanghai2026pw")
    page.click("#set-password")
    page.wait_for_url(f"{live_server}/login")
    sign_in(page, live_server, "sh.advisor2", "Shanghai2026pw")
    page.goto(link)
    assert page.locator("#link-invalid").is_visible()  # used once
    page.goto(f"{live_server}/org/password/forgot")
    page.fill("#login", "sh.advisor2@linkpass.example")
    page.click("#send-link")
    late = last_link(app, "sh.advisor2@linkpass.example", "password/reset")
    clock.advance(timedelta(minutes=61))
    page.goto(late)
    assert page.locator("#link-invalid").is_visible()
    screenshot(page, "org-reset-expired")


def test_a_password_reset_signs_the_user_out_everywhere(app, live_server, new_context):
    elsewhere = new_context().new_page()
    sign_in(elsewhere, live_server, "sh.advisor2")
    elsewhere.goto(f"{live_server}/inbox")
    assert "/login" not in elsewhere.url
    page = new_context().new_page()
    page.goto(f"{live_server}/org/password/forgot")
    page.fill("#login", "sh.advisor2")
    page.click("#send-link")
    page.goto(last_link(app, "sh.advisor2@linkpass.example", "password/reset"))
    page.fill("#password", "Shanghai2026pw")
    page.click("#set-password")
    page.wait_for_url(f"{live_server}/login")
    elsewhere.goto(f"{live_server}/inbox")
    assert "/login" in elsewhere.url  # the session opened with the old password has ended


def test_an_invited_user_chooses_a_password_and_signs_in(app, client, live_server, page):
    app.config["PUBLIC_BASE_URL"] = live_server  # links in mails point at the public address
    created = ApiClient(client, "sh.president").post("/api/v1/org/users", json={
        "username": "sh.zhou", "display_name": "周敏", "email": "zhou@linkpass.example",
        "center": "sh", "roles": ["advisor"]})
    assert created.status_code == 201
    page.goto(last_link(app, "zhou@linkpass.example", "invite"))
    assert "周敏" in page.locator("main").inner_text()
    screenshot(page, "org-invitation")
    page.fill("#password", "Welcome2026zm")
    page.click("#set-password")
    sign_in(page, live_server, "sh.zhou", "Welcome2026zm")


def test_a_token_revoked_on_the_page_is_refused_at_once(client, live_server, page):
    api = ApiClient(client, "sh.advisor")
    assert api.get("/api/v1/tasks").status_code == 200
    sign_in(page, live_server, "sh.advisor")
    page.goto(f"{live_server}/org/account")
    rows = page.locator("#token-table tr[data-token]")
    assert rows.count() == 1
    screenshot(page, "org-account")
    token_id = rows.first.get_attribute("data-token")
    page.click(f"#revoke-{token_id}")
    assert "已吊销" in page.locator(f"tr[data-token='{token_id}']").inner_text()
    assert api.get("/api/v1/tasks").status_code == 401


def test_single_sign_on_through_a_loopback_provider(app, live_server, page):
    users = {"li": {"sub": "idp-7", "preferred_username": "sh.li", "name": "李雷",
                    "email": "li@idp.example", "email_verified": True,
                    "groups": ["lp-sh-advisors"]}}
    with Provider("linkpass-web", "web-secret", users) as idp:
        app.config.update(OIDC_ISSUER=idp.issuer, OIDC_CLIENT_ID="linkpass-web",
                          OIDC_CLIENT_SECRET="web-secret",
                          OIDC_GROUP_MAP={"lp-sh-advisors": {"center": "sh",
                                                             "roles": ["advisor"]}})
        page.goto(f"{live_server}/org/sso/login")
        page.fill("#idp-user", "li")
        page.click("#idp-sign-in")
        page.wait_for_url(f"{live_server}/inbox**")
        assert page.locator("#user-menu").inner_text().strip() == "sh.li"
    with app.app_context():
        user = db.session.query(User).filter_by(username="sh.li").one()
        assert (user.center.code, user.roles) == ("sh", frozenset({"advisor"}))
        db.session.remove()


def csv_file(rows):
    body = "username,display_name,email,phone,center,roles\n" + "".join(rows)
    return {"name": "users.csv", "mimeType": "text/csv", "buffer": body.encode("utf-8")}


def test_csv_import_reports_bad_lines_then_imports_all(app, live_server, page):
    rows = [f"web.{i:03d},网页用户{i},web{i}@linkpass.example,,sh,advisor\n" for i in range(200)]
    bad = list(rows)
    bad[4] = "web.004,网页用户4,broken,,sh,advisor\n"  # line 6
    bad[50] = "web.050,网页用户50,web50@linkpass.example,,sh,emperor\n"  # line 52
    bad[199] = "web.000,重复,dup@linkpass.example,,sh,advisor\n"  # line 201
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/org/users/import")
    page.set_input_files("#file", csv_file(bad))
    page.click("#preview")
    lines = page.locator("#import-errors li").evaluate_all(
        "els => els.map(e => e.dataset.line)")
    assert lines == ["6", "52", "201"]
    assert page.locator("#confirm-import").count() == 0
    screenshot(page, "org-import-errors")
    page.set_input_files("#file", csv_file(rows))
    page.click("#preview")
    assert page.locator("#preview-table tr[data-line]").count() == 200
    page.click("#confirm-import")
    page.wait_for_url(f"{live_server}/org/users")
    assert "200" in page.locator(".alert-success").inner_text()
    with app.app_context():
        assert db.session.query(User).filter(User.username.like("web.%")).count() == 200
        db.session.remove()
    screenshot(page, "org-users")
