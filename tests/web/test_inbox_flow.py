"""The ten-step enterprise service flow in Chromium: staff pages, a guest link, another city."""


import pytest
from inbox_flow_kit import (
    BAD_CODE,
    CLIENT,
    CODE,
    Outsider,
    complete,
    expect_task,
    fill_confirmation,
    fill_delivery,
    fill_evaluation,
    fill_needs,
    fill_plan,
    guest_opens,
    guest_submits,
    open_from_inbox,
    send_guest_link,
    shot,
    staff,
)
from inbox_support import repository_app
from playwright.sync_api import expect

from service import clock

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app, tmp_path):
    """An app on the repository's processes and forms, all deployed, demo users seeded."""
    yield repository_app(make_app, tmp_path)
    clock.reset()


def test_ten_steps_in_the_browser_stay_inside_shanghai(live_server, new_context):
    base = live_server
    sz = Outsider(staff(new_context, base, "sz.advisor"), base)
    advisor = staff(new_context, base, "sh.advisor")

    # Start the flow from the start page: the first step opens at once.
    advisor.goto(f"{base}/start")
    advisor.fill("#bk-enterprise_service", CLIENT)
    advisor.click("#start-enterprise_service")
    needs_id = expect_task(advisor, "1 客户需求收集")
    sz.task_ids.append(needs_id)
    sz.sees_nothing("started")

    # A wrong check character in the credit code: refused beside that field, nothing moves.
    fill_needs(advisor, BAD_CODE)
    advisor.click("#complete-task")
    error = advisor.locator("#f-credit_code-error")
    expect(error, "the credit code error beside its field").to_contain_text("统一社会信用代码")
    expect(advisor.locator("#f-credit_code")).to_have_attribute("aria-invalid", "true")
    expect(advisor.locator("#f-company_name"), "what was typed is kept").to_have_value(CLIENT)
    expect(advisor.locator(".invalid-feedback.d-block"), "only the code is wrong").to_have_count(1)
    assert expect_task(advisor, "1 客户需求收集") == needs_id
    shot(advisor, "flow-needs-error")
    advisor.goto(f"{base}/clients")
    expect(advisor.locator("main"), "no client file from a refused form").not_to_contain_text(
        CLIENT)
    advisor.goto(f"{base}/tasks/{needs_id}")
    expect(advisor.locator("#task-status"), "the needs task is still open").to_be_visible()
    fill_needs(advisor, CODE)
    complete(advisor)

    # Steps 3 and 4: the client asks for changes through a guest link (the adjustment loop).
    plan_id = expect_task(advisor, "3 个性化方案制定")
    sz.customer_id = int(advisor.get_attribute("#open-client", "href").rsplit("/", 1)[1])
    sz.task_ids.append(plan_id)
    fill_plan(advisor, "质量管理体系咨询")
    complete(advisor)
    expect_task(advisor, "4 方案确认与调整")
    url = send_guest_link(advisor, "王立")
    client = guest_opens(new_context, url, "4 方案确认与调整")
    expect(client.locator("#guest-plan"), "the client reads the plan").to_contain_text(
        "质量管理体系咨询")
    fill_confirmation(client, "adjust", "预算过高，请压缩培训天数")
    shot(client, "flow-guest-plan")
    guest_submits(client, url)
    open_from_inbox(advisor, base, "3 个性化方案制定")
    expect(advisor.locator("#f-content"), "the last version to adjust").to_have_value(
        "质量管理体系咨询")
    expect(advisor.locator("#client-panel"), "the client asked for changes").to_contain_text(
        "预算过高")
    sz.sees_nothing("adjusting")
    fill_plan(advisor, "质量管理体系咨询（精简版）")
    complete(advisor)
    sz.task_ids.append(expect_task(advisor, "4 方案确认与调整"))
    fill_confirmation(advisor, "confirm", "同意")
    complete(advisor)

    # Step 5: three rows added, one removed, two owners.
    sz.task_ids.append(expect_task(advisor, "5 执行计划制定"))
    rows = advisor.locator('[data-rows="items"]')
    for _ in range(3):
        rows.locator("[data-add-row]").click()
    expect(rows.locator("[data-row]"), "three rows added").to_have_count(3)
    rows.locator("[data-row]").nth(1).locator("[data-remove-row]").click()
    expect(rows.locator("[data-row]"), "one row removed").to_have_count(2)
    expect(rows.locator("[data-row-count]")).to_have_text("2")
    for row, (item, kind, owner) in enumerate((("体系文件编写辅导", "consulting", "sh.advisor"),
                                               ("内审员培训", "training", "sh.advisor2"))):
        cells = rows.locator("[data-row]").nth(row)
        cells.locator('input[name$=".item"]').fill(item)
        cells.locator('select[name$=".type"]').select_option(kind)
        cells.locator('input[name$=".owner"]').fill(owner)
        cells.locator('input[name$=".due_date"]').fill("2026-07-31")
    shot(advisor, "flow-execution-plan")
    complete(advisor)
    sz.sees_nothing("execution plan")

    # The inbox in both languages, through the language switch.
    advisor.goto(f"{base}/inbox")
    expect(advisor.locator("h1")).to_have_text("待办")
    expect(advisor.locator("#task-table"), "my row to deliver").to_contain_text("6 服务实施")
    shot(advisor, "flow-inbox-zh")
    advisor.click("#switch-language")
    expect(advisor.locator("h1")).to_have_text("Inbox")
    expect(advisor.locator("#tab-mine")).to_contain_text("My tasks")
    expect(advisor.locator("#task-table")).to_contain_text(CLIENT)
    expect(advisor.locator("#inbox-total")).to_have_text("1 task")
    shot(advisor, "flow-inbox-en")
    advisor.click("#switch-language")
    expect(advisor.locator("h1")).to_have_text("待办")

    # Step 6: each row owner signs in (one on a phone) and delivers their row from the inbox.
    delivered = {}
    phone = staff(new_context, base, "sh.advisor2", width=375)
    for page, who, row, summary in (
            (phone, "sh.advisor2", "内审员培训", "完成内审员培训"),
            (advisor, "sh.advisor", "体系文件编写辅导", "完成体系文件辅导")):
        delivered[who] = open_from_inbox(page, base, "6 服务实施")
        expect(page.locator("#work-item"), f"{who} sees which row is theirs").to_contain_text(row)
        fill_delivery(page, summary)
        if page is phone:
            shot(phone, "flow-task-phone")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "no side scroll"
        complete(page)
    assert delivered["sh.advisor"] != delivered["sh.advisor2"], "one task per row"
    sz.task_ids.extend(delivered.values())
    sz.sees_nothing("delivery")

    # Step 9: the client evaluates through a guest link, in a browser that never signed in.
    sz.task_ids.append(open_from_inbox(advisor, base, "9 服务质量评估"))
    url = send_guest_link(advisor, "王立")
    client = guest_opens(new_context, url, "9 服务质量评估")
    fill_evaluation(client)
    shot(client, "flow-guest-form")
    guest_submits(client, url)
    sz.sees_nothing("evaluation")

    # Step 10: archive; the client page shows the closed engagement.
    open_from_inbox(advisor, base, "10 客户档案归档")
    advisor.fill("#f-archive_summary", "服务完成，资料齐全")
    advisor.check("#f-confirmed")
    complete(advisor)
    advisor.goto(f"{base}/clients/{sz.customer_id}")
    expect(advisor.locator("#client-name")).to_have_text(CLIENT)
    expect(advisor.locator("#archived-badge"), "the engagement is archived").to_be_visible()
    expect(advisor.locator("main"), "the evaluation is on file").to_contain_text("服务周到")
    expect(advisor.locator("main"), "scores 5, 5, 4, 5 average 4.75").to_contain_text("4.8")
    expect(advisor.locator("main"), "both rows delivered").to_contain_text("完成内审员培训")
    shot(advisor, "flow-client-page")
    sz.sees_nothing("archived")
