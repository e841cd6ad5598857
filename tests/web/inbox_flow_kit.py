"""Drive the ten-step flow's task forms in Chromium: `from inbox_flow_kit import ...`."""

import re

from browser_support import screenshot, sign_in
from playwright.sync_api import expect

from service.usecases.credit_code import check_character

TIMEOUT_MS = 5_000  # a page of this app answers in well under a second; fail fast otherwise
CLIENT = "上海联通精密制造有限公司"
CODE = "91310000MA1FL8XQ3" + check_character("91310000MA1FL8XQ3")
BAD_CODE = CODE[:17] + ("0" if CODE[17] != "0" else "1")  # a wrong check character
TASK_URL = re.compile(r"/tasks/([0-9a-f-]+)$")


def staff(new_context, base_url: str, username: str, width: int = 1280):
    """Return a page of a fresh browser context signed in as a demo user."""
    context = new_context(width=width)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, base_url, username)
    return page


def task_id_of(page) -> str:
    match = TASK_URL.search(page.url.split("?")[0].split("#")[0])
    assert match, f"expected a task page, got {page.url}"
    return match.group(1)


def expect_task(page, name: str) -> str:
    """Check the page shows the open task `name`; return its id."""
    expect(page.locator("#task-title"), f"the task page of “{name}”").to_have_text(name)
    expect(page.locator("#task-form"), f"the form of “{name}” is editable").to_be_visible()
    return task_id_of(page)


def complete(page) -> None:
    """Press "complete" and wait for the next page."""
    with page.expect_navigation():
        page.click("#complete-task")
    expect(page.locator("#form-errors"), "the form was accepted").to_have_count(0)


def shot(page, name: str) -> None:
    """Save a screenshot of the page as a reader first sees it: at the top, nothing focused."""
    page.evaluate("document.activeElement && document.activeElement.blur(); scrollTo(0, 0)")
    screenshot(page, name)


def set_rows(page, path: str, values: list[str]) -> None:
    """Make the scalar rows of the array at path exactly values (remove rows, then add)."""
    rows = page.locator(f'[data-rows="{path}"]')
    while rows.locator("[data-row]").count():
        rows.locator("[data-row] [data-remove-row]").first.click()
    for value in values:
        index = int(rows.get_attribute("data-next-index"))
        rows.locator("[data-add-row]").click()
        page.fill(f"#f-{path}-{index}", value)


def fill_needs(page, credit_code: str) -> None:
    page.fill("#f-company_name", CLIENT)
    page.fill("#f-credit_code", credit_code)
    page.select_option("#f-industry", "manufacturing")
    page.select_option("#f-size", "small")
    page.fill("#f-contact_name", "王立")
    page.fill("#f-contact_phone", "13800138000")
    page.fill("#f-contact_email", "wang.li@example.cn")
    page.fill("#f-contact_title", "总经理")
    for need in ("consulting", "training"):  # no certification: steps 7 and 8 are skipped
        page.check(f'#f-needs input[value="{need}"]')
    page.fill("#f-expectations", "建立质量管理体系，提升内审能力")
    page.select_option("#f-channel", "phone")
    page.fill("#f-contacted_at", "2026-05-06T10:00")
    page.fill("#f-place", "电话")
    page.fill("#f-summary", "客户希望建立质量管理体系并培训内审员")


def fill_plan(page, content: str) -> None:
    page.fill("#f-content", content)
    for service in ("consulting", "training"):
        page.check(f'#f-services input[value="{service}"]')
    rows = page.locator('[data-rows="timetable"]')
    if rows.locator("[data-row]").count() == 0:
        rows.locator("[data-add-row]").click()
    page.fill("#f-timetable-0-milestone", "体系文件完成")
    page.fill("#f-timetable-0-date", "2026-06-30")
    page.fill("#f-expected_results", "体系运行，内审员上岗")


def fill_confirmation(page, decision: str, feedback: str) -> None:
    page.select_option("#f-decision", decision)
    page.fill("#f-client_feedback", feedback)
    page.fill("#f-contacted_at", "2026-05-10T15:30")
    page.fill("#f-place", "客户会议室")
    set_rows(page, "participants", ["sh.advisor", "王立"])


def fill_delivery(page, summary: str) -> None:
    page.fill("#f-occurred_at", "2026-06-15T09:00")
    page.fill("#f-place", "客户工厂")
    set_rows(page, "participants", ["王立", "质量部"])
    page.fill("#f-summary", summary)


def fill_evaluation(page) -> None:
    for name, score in (("professional_attitude", 5), ("active_communication", 5),
                        ("warmth", 4), ("results", 5)):
        page.click(f'label[for="f-{name}-{score}"]')  # the 1-5 score buttons
    page.fill("#f-comments", "服务周到，响应及时")
    page.fill("#f-evaluated_with", "王立")
    page.fill("#f-evaluated_at", "2026-10-10T14:00")


def send_guest_link(page, party: str) -> str:
    """Create a guest link from the task page; return the URL the page shows to copy."""
    page.fill("#guest-party", party)
    page.click("#create-guest-link")
    expect(page.locator("#new-guest-link"), "the new guest link").to_contain_text(party)
    return page.locator("#guest-link-url").input_value()


def guest_opens(new_context, url: str, title: str):
    """Open a guest link in a fresh browser context that never signed in."""
    page = new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    expect(page.locator("#guest-title"), "the guest form").to_have_text(title)
    expect(page.locator("#user-menu"), "the guest is not signed in").to_have_count(0)
    return page


def guest_submits(page, url: str) -> None:
    page.click("#submit-guest-form")
    page.wait_for_url("**/guest/thanks")
    assert page.goto(url).status == 410, "a guest link works once"


def open_from_inbox(page, base_url: str, name: str, tab: str = "mine") -> str:
    """Open the task `name` of the client from the inbox tab; return its id."""
    page.goto(f"{base_url}/inbox?tab={tab}")
    row = page.locator("#task-table tbody tr", has_text=name).filter(has_text=CLIENT)
    expect(row, f"“{name}” of {CLIENT} in the {tab} tab").to_have_count(1)
    row.locator("a.lp-task-link").click()
    return expect_task(page, name)


class Outsider:
    """sz.advisor (Shenzhen), who must never see anything of the Shanghai engagement."""

    def __init__(self, page, base_url: str):
        self.page, self.base_url = page, base_url
        self.task_ids: list[str] = []
        self.customer_id: int | None = None

    def sees_nothing(self, stage: str) -> None:
        page = self.page
        for tab in ("mine", "group", "done"):
            page.goto(f"{self.base_url}/inbox?tab={tab}")
            expect(page.locator("h1"), f"{stage}: sz.advisor's inbox opens").to_be_visible()
            expect(page.locator("main"), f"{stage}: nothing Shanghai in sz's {tab} tab") \
                .not_to_contain_text(CLIENT)
        page.goto(f"{self.base_url}/clients?q={CLIENT[:4]}")
        expect(page.locator("main"), f"{stage}: the client is not in sz's client list") \
            .not_to_contain_text(CLIENT)
        urls = [f"/tasks/{task_id}" for task_id in self.task_ids[-2:]]
        if self.customer_id is not None:
            urls.append(f"/clients/{self.customer_id}")
        for url in urls:
            response = page.goto(self.base_url + url)
            assert response.status in (403, 404), f"{stage}: sz opening {url} got {response.status}"
            expect(page.locator("#error-page"), f"{stage}: {url} refused with a clear page") \
                .to_be_visible()
            expect(page.locator("main"), f"{stage}: {url} shows nothing of the client") \
                .not_to_contain_text(CLIENT)
