"""The real enterprise service diagram (processes/) in the studio's editor, in Chinese."""

from pathlib import Path

from browser_support import screenshot, sign_in
from playwright.sync_api import expect
from support import ApiClient

ROOT = Path(__file__).resolve().parents[2]


def element(page, element_id):
    """Return an element of the diagram, panned into view first (a user would drag there)."""
    page.evaluate("id => window.studio.modeler.get('canvas').scrollToElement(id, "
                  "{top: 80, bottom: 80, left: 180, right: 80})", element_id)
    return page.locator(f'.djs-element[data-element-id="{element_id}"]')


def test_enterprise_service_renders_and_validates_in_the_editor(app, live_server, new_context,
                                                                client):
    app.config["FORMS_DIR"] = str(ROOT / "forms")  # the real process uses the real forms
    owner = ApiClient(client, "owner")
    with open(ROOT / "processes" / "enterprise_service.bpmn", "rb") as handle:
        response = owner.post("/api/v1/processes",
                              data={"file": (handle, "enterprise_service.bpmn")},
                              content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    page = new_context().new_page()
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server}/studio/processes/enterprise_service/edit")
    page.wait_for_selector("#canvas.lp-ready")
    expect(element(page, "task_collect_needs")).to_have_count(1)
    expect(element(page, "task_archive")).to_have_count(1)

    page.click("#btn-zoom-fit")  # back to the start, the lane labels in view
    lane = page.locator('.djs-element[data-element-id="lane_advisor"]')  # its label is in view
    lane.click(position={"x": 8, "y": 30})
    expect(page.locator("#prop-role")).to_have_value("advisor")  # named 服务顾问 in the file
    element(page, "gw_confirmed").click()
    expect(page.locator('textarea[id^="prop-condition-"]').first).to_be_visible()
    element(page, "task_collect_needs").click()
    expect(page.locator("#prop-form")).to_have_value("needs.json")
    expect(page.locator("#prop-lane")).to_have_value("lane_advisor")
    page.fill("#prop-due", "P2D")
    page.click("#btn-validate")
    expect(page.locator("#no-problems")).to_be_visible()
    page.click("#tab-properties")
    expect(page.locator("#pane-properties")).to_have_css("opacity", "1")
    palette_task = page.locator(".djs-palette .entry.bpmn-icon-task")
    expect(palette_task).to_have_attribute("aria-label", "创建任务")  # bpmn-js speaks Chinese
    screenshot(page, "studio-editor-enterprise")
