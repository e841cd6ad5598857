"""Refusals in Chromium, each with a clear page and nothing changed: posts without a CSRF token,
bad guest links, another center's task and client; sign-out; the public forms' limits."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from browser_support import screenshot, sign_in
from inbox_support import WebClient, credit_code, repository_app, start_with_needs, text
from playwright.sync_api import expect
from sqlalchemy import func, select

from service import clock
from service.models import (
    Comment,
    Customer,
    Document,
    Event,
    GuestLink,
    Instance,
    Task,
    TaskDraft,
    db,
)
from service.usecases import public

pytestmark = pytest.mark.browser
CODE_SH = credit_code("91310000MA1FL8XQ3")
CODE_HZ = credit_code("91330100MA2H3K7L1")


@pytest.fixture
def app(make_app, tmp_path):
    """The repository's processes and forms (CRM clients, public forms), demo organisation."""
    app = repository_app(make_app, tmp_path)
    yield app
    clock.reset()
    public.limiter.reset()


def snapshot(app) -> dict:
    """Return what a refused request must not change."""
    with app.app_context():
        def count(model):
            return db.session.scalar(select(func.count()).select_from(model))

        state = {model.__name__: count(model) for model in (
            Event, Instance, TaskDraft, Comment, Customer, Document)}
        state["tasks"] = sorted(db.session.execute(
            select(Task.id, Task.status, Task.assignee_id)).all())
        state["links"] = sorted(db.session.execute(select(GuestLink.id, GuestLink.used_at)).all())
        db.session.remove()
    return state


def refused(page, response, status: int, words: str) -> None:
    assert response.status == status
    expect(page.locator("#error-page")).to_be_visible()
    assert words in page.locator("#error-page").inner_text()


@pytest.fixture
def request_task(owner, advisor):
    """A Shanghai advisors' task of a two_lanes instance; return its id."""
    owner.deploy("two_lanes.bpmn")
    advisor.start("two_lanes", business_key="华信科技")
    return advisor.task_named("task_request")["id"]


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(app, request_task,
                                                                    live_server, page):
    sign_in(page, live_server, "sh.advisor")
    page.goto(f"{live_server}/inbox?tab=group")
    before = snapshot(app)
    # the claim button's form, posted as a plain form without its token (and without htmx)
    with page.expect_navigation() as navigation:
        page.evaluate("""(id) => {
            const form = document.querySelector(`tr[data-task="${id}"] form`);
            form.querySelector('[name=csrf_token]').remove();
            HTMLFormElement.prototype.submit.call(form);
        }""", request_task)
    refused(page, navigation.value, 400, "请求被拒绝")
    assert snapshot(app) == before
    # the task's completion form, filled in, then sent without its token
    page.goto(f"{live_server}/tasks/{request_task}")
    page.fill("[name=comment]", "不应保存")
    page.evaluate("document.querySelector('#task-form [name=csrf_token]').remove()")
    with page.expect_navigation() as navigation:
        page.click("#complete-task")
    refused(page, navigation.value, 400, "请求被拒绝")
    screenshot(page, "refused-csrf")
    assert snapshot(app) == before
    # with its token the same claim works: the refusal was the token's doing
    page.goto(f"{live_server}/inbox?tab=group")
    page.locator(f'tr[data-task="{request_task}"] .lp-claim').click()
    expect(page.locator("#count-mine")).to_have_text("1")


def make_link(app, task_id: str, days: str = "7") -> str:
    """Create a guest link as the Shanghai president; return its path."""
    staff = WebClient(app, "sh.president")
    response = staff.post(f"/tasks/{task_id}/guest-links",
                          {"party": "王女士", "email": "wang@client.example", "days": days})
    assert response.status_code == 200, text(response)[:300]
    url = re.search(r'id="guest-link-url" value="([^"]+)"', response.get_data(as_text=True))
    return urlsplit(url.group(1)).path


def approve_task(advisor) -> str:
    """Start two_lanes and pass its first step: the president's task waits; return its id."""
    instance = advisor.start("two_lanes", business_key="华信科技")["id"]
    advisor.complete(next(t["id"] for t in advisor.tasks()
                          if t["instance_id"] == instance))
    return next(t["id"] for t in advisor.instance(instance)["tasks"]
                if t["bpmn_id"] == "task_approve")


def test_tampered_reused_and_expired_guest_links_show_a_clear_page(app, owner, advisor, as_user,
                                                                   live_server, new_context):
    president = as_user("sh.president")
    owner.deploy("two_lanes.bpmn")
    task = approve_task(advisor)
    path = make_link(app, task)
    guest = new_context()  # the outside party: no account, no cookies of ours
    first, second = guest.new_page(), guest.new_page()
    before = snapshot(app)
    token = path.rsplit("/", 1)[1]
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    refused(first, first.goto(f"{live_server}/guest/{forged}"), 404, "不存在")
    assert snapshot(app) == before
    # two tabs open on the same link: the first answer wins, the second is refused
    first.goto(f"{live_server}{path}")
    second.goto(f"{live_server}{path}")
    first.fill("[name=comment]", "方案很好")
    first.click("#submit-guest-form")
    first.wait_for_url("**/guest/thanks")
    assert president.get(f"/api/v1/tasks/{task}").json["status"] == "completed"
    after_use = snapshot(app)
    second.fill("[name=comment]", "第二次")
    with second.expect_navigation() as navigation:
        second.click("#submit-guest-form")
    refused(second, navigation.value, 410, "此链接已被使用")
    refused(second, second.goto(f"{live_server}{path}"), 410, "此链接已被使用")
    screenshot(second, "refused-guest-link-used")
    assert snapshot(app) == after_use
    # a link of one day, opened a day and a minute later
    late_task = approve_task(advisor)
    late = make_link(app, late_task, days="1")
    clock.advance(timedelta(days=1, minutes=1))
    before = snapshot(app)
    page = guest.new_page()
    refused(page, page.goto(f"{live_server}{late}"), 410, "过期")
    assert snapshot(app) == before
    assert president.get(f"/api/v1/tasks/{late_task}").json["status"] == "ready"


def test_another_centers_task_and_client_are_not_found_by_url(app, request_task, as_user,
                                                              live_server, page):
    start_with_needs(as_user("sh.advisor"), "上海联通精密制造有限公司", CODE_SH)
    with app.app_context():
        customer = db.session.scalar(select(Customer.id).where(Customer.credit_code == CODE_SH))
        db.session.remove()
    sign_in(page, live_server, "sz.advisor")
    before = snapshot(app)
    refused(page, page.goto(f"{live_server}/tasks/{request_task}"), 404, "不存在")
    assert "华信科技" not in page.content()
    refused(page, page.goto(f"{live_server}/clients/{customer}"), 404, "不存在")
    assert "上海联通" not in page.content()
    screenshot(page, "refused-other-center")
    # a well-formed claim (with a valid token) on that task is refused the same way
    token = page.locator("[name=csrf_token]").first.get_attribute("value")
    claim = page.request.post(f"{live_server}/tasks/{request_task}/claim",
                              form={"csrf_token": token}, headers={"Accept": "text/html"})
    assert claim.status == 404 and "华信科技" not in claim.text()
    assert snapshot(app) == before
    assert "华信科技" not in page.goto(f"{live_server}/inbox?tab=group").text()


def test_sign_out_ends_the_session_even_for_a_copied_cookie(live_server, page, new_context):
    sign_in(page, live_server, "sh.advisor")
    copied = page.context.cookies()
    assert any(c["name"] == "session" for c in copied)
    elsewhere = new_context().new_page()  # the same cookie replayed works while signed in
    elsewhere.context.add_cookies(copied)
    elsewhere.goto(f"{live_server}/inbox")
    assert elsewhere.url.endswith("/inbox")
    page.click("#user-menu")
    page.click("#logout")
    page.wait_for_url("**/login")
    for replay in (elsewhere, new_context().new_page()):
        replay.context.add_cookies(copied)
        replay.goto(f"{live_server}/inbox")
        assert "/login" in replay.url  # the old cookie no longer signs anyone in


def fill_inquiry(page, company: str) -> None:
    page.select_option("[name=center]", "sh")
    page.fill("[name=company_name]", company)
    page.fill("[name=credit_code]", CODE_SH)
    page.select_option("[name=industry]", "technology")
    page.select_option("[name=size]", "small")
    page.fill("[name=contact_name]", "王立")
    page.fill("[name=contact_phone]", "13800138000")
    page.check("[name=needs][value=consulting]")


def instances(app) -> int:
    return snapshot(app)["Instance"]


def test_public_forms_start_their_processes(app, as_user, live_server, page):
    page.goto(f"{live_server}/public/inquiry")
    fill_inquiry(page, "上海华信科技有限公司")
    page.click("#submit-public")
    page.wait_for_url("**/public/thanks**")
    assert page.locator("#public-reference").inner_text().startswith("inquiry-")
    assert [t["bpmn_id"] for t in as_user("sh.management").tasks()] == ["task_assign_advisor"]
    page.goto(f"{live_server}/public/center-application")
    fields = {"company_name": "杭州联达企业服务有限公司", "credit_code": CODE_HZ,
              "legal_representative": "陈杰", "registered_address": "杭州市西湖区文三路1号",
              "service_years": "5", "local_clients": "40", "local_market": "熟悉杭州制造业",
              "major_complaints": "0", "professional_staff": "12",
              "team_description": "12名持证顾问", "center_code": "hz",
              "center_name_zh": "杭州服务中心", "center_name_en": "Hangzhou Service Center",
              "region": "浙江省杭州市", "contact_name": "陈杰", "contact_phone": "0571-88880000",
              "contact_email": "chen.jie@example.cn", "president_username": "hz.president",
              "president_name": "陈杰", "president_email": "hz.president@example.cn"}
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.check("[name=legal_person]")
    page.set_input_files("#documents", files=[{"name": "营业执照.pdf", "mimeType":
                                               "application/pdf",
                                               "buffer": b"%PDF-1.4 license"}])
    page.click("#submit-public")
    page.wait_for_url("**/public/thanks**")
    assert page.locator("#public-reference").inner_text().startswith("application-")
    assert [t["bpmn_id"] for t in as_user("nat.management").tasks()] == ["task_review"]
    assert instances(app) == 2


def test_public_forms_are_rate_limited_and_robots_start_nothing(app, live_server, page):
    app.config["PUBLIC_FORM_LIMIT"] = 2
    # a robot fills the hidden field too: it sees the usual thanks, nothing starts
    page.goto(f"{live_server}/public/inquiry")
    fill_inquiry(page, "机器人公司")
    page.evaluate("document.querySelector('[name=website]').value = 'http://spam.example'")
    page.click("#submit-public")
    page.wait_for_url("**/public/thanks**")
    expect(page.locator("#public-thanks")).to_be_visible()
    assert instances(app) == 0
    page.goto(f"{live_server}/public/inquiry")
    fill_inquiry(page, "上海华信科技有限公司")
    page.click("#submit-public")
    page.wait_for_url("**/public/thanks**")
    assert instances(app) == 1
    # the third from this address within the window: a clear 429 page, nothing started
    page.goto(f"{live_server}/public/inquiry")
    fill_inquiry(page, "上海第三家公司")
    with page.expect_navigation() as navigation:
        page.click("#submit-public")
    assert navigation.value.status == 429
    expect(page.locator("#public-limit")).to_be_visible()
    screenshot(page, "refused-public-limit")
    assert instances(app) == 1
    # the other form has its own count
    page.goto(f"{live_server}/public/center-application")
    page.click("#submit-public")
    assert page.locator("#public-limit").count() == 0 and instances(app) == 1
