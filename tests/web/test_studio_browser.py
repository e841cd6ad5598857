"""The process owner studio in a real Chromium: edit, validate, deploy, compare, forms."""

import json

from browser_support import screenshot, sign_in
from playwright.sync_api import expect
from support import PROCESSES, ApiClient

from service.models import ProcessVersion, db

DEMO = (PROCESSES / "studio_demo.bpmn").read_text("utf-8")


def element(page, element_id):
    return page.locator(f'.djs-element[data-element-id="{element_id}"]')


def open_editor(page, live_server, key="studio_demo"):
    page.goto(f"{live_server}/studio/")
    page.click(f"#edit-{key}")
    page.wait_for_selector("#canvas.lp-ready")


def deployed(app, key):
    with app.app_context():
        rows = db.session.query(ProcessVersion).filter_by(key=key).order_by(ProcessVersion.version)
        return [(v.version, v.content) for v in rows]


def test_owner_renames_moves_and_reconditions_then_deploys_a_version(app, live_server,
                                                                      new_context, client):
    ApiClient(client, "owner").deploy("studio_demo.bpmn")
    advisor = ApiClient(client, "sh.advisor")
    old = advisor.start("studio_demo")
    page = new_context(locale="en").new_page()
    sign_in(page, live_server, "owner")
    open_editor(page, live_server)
    expect(element(page, "task_approve")).to_have_count(1)  # the diagram renders
    expect(element(page, "Lane_city_president")).to_have_count(1)

    element(page, "task_approve").click()
    expect(page.locator("#panel-title")).to_have_text("Approve plan")
    page.fill("#prop-name", "President approval")
    page.select_option("#prop-lane", "Lane_advisor")
    expect(page.locator("#prop-due")).to_have_value("P2D")
    element(page, "gateway_size").click()
    condition = page.locator("#prop-condition-flow_big")
    expect(condition).to_have_value("amount > 100")
    condition.fill("amount > 1000")
    element(page, "task_approve").click()
    expect(page.locator("#prop-name")).to_have_value("President approval")
    expect(page.locator("#prop-lane")).to_have_value("Lane_advisor")
    screenshot(page, "studio-editor")

    page.click("#btn-save")
    expect(page.locator("#editor-status")).to_have_text("Draft saved")
    page.reload()
    page.wait_for_selector("#canvas.lp-ready")
    expect(element(page, "task_approve")).to_contain_text("President approval")  # server draft

    page.click("#btn-validate")
    expect(page.locator("#no-problems")).to_be_visible()
    page.click("#btn-deploy")
    page.click("#btn-deploy-confirm")
    expect(page.locator("#deploy-result")).to_contain_text("Version 2 deployed")

    versions = deployed(app, "studio_demo")
    assert [v for v, _ in versions] == [1, 2]
    v2 = versions[1][1]
    assert "President approval" in v2 and "amount &gt; 1000" in v2
    lane_advisor = v2[v2.index('id="Lane_advisor"'):v2.index('id="Lane_city_president"')]
    assert "task_approve" in lane_advisor

    page.click("#see-versions")
    rows = page.locator("#versions-studio_demo tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("v2")
    expect(rows.first.locator(".deployer")).to_contain_text("owner")
    expect(page.locator('#versions-studio_demo tr[data-version="1"] .running')).to_contain_text("1")

    # The instance started on version 1 continues there: old name, old lane, old condition.
    advisor.complete(advisor.task_named("task_collect")["id"], {"title": "t", "amount": 500})
    approval = ApiClient(client, "sh.president").task_named("task_approve")
    assert approval["name"] == "Approve plan"
    assert advisor.instance(old["id"])["version"] == 1
    fresh = advisor.start("studio_demo")
    advisor.complete(advisor.task_named("task_collect")["id"], {"title": "t", "amount": 500})
    assert advisor.instance(fresh["id"])["version"] == 2
    assert advisor.task_named("task_plan")  # 500 is no longer "large" on version 2


def test_unknown_lane_and_import_os_are_marked_and_the_deploy_is_refused(app, live_server,
                                                                          new_context, client):
    ApiClient(client, "owner").deploy("studio_demo.bpmn")
    page = new_context(locale="en").new_page()
    sign_in(page, live_server, "owner")
    open_editor(page, live_server)
    element(page, "Lane_city_president").click(position={"x": 8, "y": 40})
    expect(page.locator("#prop-role")).to_have_value("city_president")
    page.fill("#prop-name", "Marketing guru")
    element(page, "task_score").click()
    page.fill("#prop-script", "__import__('os')")
    page.locator("#canvas").click(position={"x": 420, "y": 20})  # nothing selected

    page.click("#btn-validate")
    expect(page.locator('.djs-element.lp-invalid[data-element-id="Lane_city_president"]')
           ).to_have_count(1)
    expect(page.locator('.djs-element.lp-invalid[data-element-id="task_score"]')).to_have_count(1)
    expect(page.locator(".lp-finding-badge")).to_have_count(2)
    expect(page.locator("#problems-count")).to_have_text("2")
    expect(page.locator("#problems-list")).to_contain_text("Marketing guru")
    expect(page.locator("#pane-problems")).to_have_css("opacity", "1")
    screenshot(page, "studio-editor-findings")

    page.click("#btn-deploy")
    page.click("#btn-deploy-confirm")
    expect(page.locator("#studio-toast")).to_contain_text("Deploy refused")
    expect(page.locator("#deploy-result")).to_be_hidden()
    assert [v for v, _ in deployed(app, "studio_demo")] == [1]

    page.locator(".lp-problem", has_text="task_score").or_(
        page.locator(".lp-problem", has_text="Score the request")).first.click()
    expect(page.locator("#panel-title")).to_have_text("Score the request")


def test_the_form_editor_preview_follows_the_schema(app, live_server, new_context):
    page = new_context().new_page()  # Chinese, the default
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server}/studio/forms")
    page.click("#new-form-button")
    page.fill("#form-name", "client_needs.json")
    schema = {"type": "object", "title": "客户需求",
              "properties": {"company": {"type": "string", "title": "公司名称"},
                             "budget": {"type": "number", "title": "预算"}},
              "required": ["company"]}
    page.fill("#schema", json.dumps(schema, ensure_ascii=False, indent=2))
    preview = page.locator("#form-preview")
    expect(preview).to_contain_text("公司名称")
    expect(preview.locator("#f-budget")).to_be_visible()
    page.click('[data-add-field="enum"]')
    expect(preview.locator("select#f-field_1")).to_be_visible()
    page.fill("#schema", '{"type": "object", "properties": ')
    expect(page.locator("#preview-error")).to_be_visible()
    schema["properties"]["service"] = {"type": "string", "title": "服务类型",
                                       "enum": ["consulting", "training"]}
    page.fill("#schema", json.dumps(schema, ensure_ascii=False, indent=2))
    expect(preview.locator("select#f-service")).to_be_visible()
    screenshot(page, "studio-form-editor")
    page.click("#save-form")
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto(f"{live_server}/studio/forms")
    expect(page.locator("#forms-table")).to_contain_text("client_needs.json")


def test_a_plain_bpmn_io_diagram_uploads_deploys_and_runs(app, live_server, new_context,
                                                          client):
    page = new_context(locale="en").new_page()
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server}/studio/")
    expect(page.locator("#studio-empty")).to_be_visible()
    page.click("#open-upload")
    page.set_input_files("#upload-file", str(PROCESSES / "plain_bpmn_io.bpmn"))
    page.click("#upload-submit")
    page.wait_for_selector("#canvas.lp-ready")
    expect(page.locator(".alert-info")).to_contain_text("executable")
    expect(element(page, "Activity_1v6iz4x")).to_have_count(1)
    element(page, "Activity_1v6iz4x").click()
    expect(page.locator("#prop-form")).to_have_value("")  # the generic form
    page.click("#btn-deploy")
    page.click("#btn-deploy-confirm")
    expect(page.locator("#deploy-result")).to_contain_text("Version 1 deployed")

    admin = ApiClient(client, "admin")  # no lane, no startableBy: admins start it (issue 14)
    started = admin.start("Process_1x9ddoz")
    task = admin.task_named("Activity_1v6iz4x")
    detail = admin.get(f"/api/v1/tasks/{task['id']}").json
    assert set(detail["form"]["schema"]["properties"]) == {"comment", "done"}
    admin.complete(task["id"], {"comment": "reviewed", "done": True})
    assert admin.instance(started["id"])["status"] == "completed"


def test_a_version_comparison_draws_the_changes(app, live_server, new_context, client,
                                                 tmp_path):
    owner = ApiClient(client, "owner")
    owner.deploy("studio_demo.bpmn")
    advisor = ApiClient(client, "sh.advisor")
    waiting_at_plan = advisor.start("studio_demo", business_key="CASE-1")
    advisor.complete(advisor.task_named("task_collect")["id"], {"title": "t", "amount": 5})
    advisor.start("studio_demo", business_key="CASE-2")
    changed = (DEMO.replace("task_plan", "task_offer").replace("Draft the plan", "Send the offer")
               .replace('name="Approve plan"', 'name="President approval"')
               .replace("amount &gt; 100<", "amount &gt; 1000<"))
    (tmp_path / "studio_demo.bpmn").write_text(changed, "utf-8")
    with open(tmp_path / "studio_demo.bpmn", "rb") as handle:
        assert owner.post("/api/v1/processes", data={"file": (handle, "studio_demo.bpmn")},
                          content_type="multipart/form-data").status_code == 201
    page = new_context().new_page()
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server}/studio/")
    page.click("#compare-studio_demo")
    page.wait_for_selector("#canvas-old.lp-ready")
    page.wait_for_selector("#canvas-new.lp-ready")
    new, old = page.locator("#canvas-new"), page.locator("#canvas-old")
    expect(new.locator('.lp-diff-added[data-element-id="task_offer"]')).to_have_count(1)
    expect(old.locator('.lp-diff-removed[data-element-id="task_plan"]')).to_have_count(1)
    expect(new.locator('.lp-diff-changed[data-element-id="task_approve"]')).to_have_count(1)
    expect(new.locator('.lp-diff-changed[data-element-id="gateway_size"]')).to_have_count(1)
    table = page.locator("#changes-table")
    expect(table.locator('tr[data-element-id="flow_big"]')).to_contain_text("amount")
    expect(page.locator("#migration-summary")).to_contain_text("1")
    expect(page.locator("#migration-blocked")).to_contain_text(f"#{waiting_at_plan['id']}")
    expect(page.locator("#migration-blocked")).to_contain_text("task_plan")
    screenshot(page, "studio-compare")


def test_the_studio_fits_a_phone_and_stays_closed_to_staff(app, live_server, new_context,
                                                          client):
    ApiClient(client, "owner").deploy("studio_demo.bpmn")
    phone = new_context(width=375, height=800).new_page()
    sign_in(phone, live_server, "owner")
    phone.goto(f"{live_server}/studio/")
    expect(phone.locator("#process-studio_demo")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "studio-index-phone")
    open_editor(phone, live_server)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    staff = new_context().new_page()
    sign_in(staff, live_server, "sh.advisor")
    expect(staff.locator('a[href="/studio/"]')).to_have_count(0)
    response = staff.goto(f"{live_server}/studio/")
    assert response.status == 403
    expect(staff.locator("#error-page")).to_be_visible()
