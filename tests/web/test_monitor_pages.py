"""The monitor in Chromium: dashboard with heatmap, the list with filters, the instance page."""

from datetime import timedelta

from browser_support import screenshot, sign_in
from support import ApiClient

from service import clock


def busy_organisation(client):
    """Deploy, run and age a few instances so that the monitor has something to show."""
    owner, advisor = ApiClient(client, "owner"), ApiClient(client, "sh.advisor")
    president = ApiClient(client, "sh.president")
    owner.deploy("monitor_flow.bpmn", "failing_script.bpmn")
    for n, (collect, plan) in enumerate([(2, 20), (5, 30), (1, 50), (3, 26), (4, 70)]):
        started = advisor.start("monitor_flow", data={"amount": n}, business_key=f"ACME-{n}")
        clock.advance(timedelta(hours=collect))
        advisor.complete(advisor.task_named("task_collect")["id"])
        if n < 4:
            clock.advance(timedelta(hours=plan))
            task = [t for t in advisor.tasks() if t["instance_id"] == started["id"]][0]
            advisor.complete(task["id"])
        if n < 2:
            clock.advance(timedelta(hours=6 + n))
            president.complete(president.task_named("task_approve")["id"])
            clock.advance(timedelta(hours=1))
            advisor.complete(advisor.task_named("task_archive")["id"])
    failing = advisor.start("failing_script", business_key="FS-9")
    advisor.complete(advisor.task_named("task_input")["id"], {"divisor": 0})
    ApiClient(client, "sz.advisor").start("monitor_flow", business_key="SZ-1")
    return failing["id"]


def test_dashboard_shows_heatmap_incident_and_chart(app, live_server, page, client):
    failing = busy_organisation(client)
    sign_in(page, live_server, "admin")
    page.click("text=运行监控")
    assert page.locator("h1").inner_text() == "运行监控"
    assert page.locator("#kpi-error [data-count]").inner_text() == "1"
    assert page.locator("#incident-count").inner_text() == "1"
    assert f"#{failing}" in page.locator("#incident-list").inner_text()
    assert "ZeroDivisionError" in page.locator("#incident-list").inner_text()
    page.wait_for_selector("#heatmap-canvas.lp-ready")
    heated = page.locator("#heatmap-canvas .lp-heat")
    assert heated.count() == 4  # collect, plan, approve, archive have completions
    slowest = page.locator('#heatmap-canvas [data-element-id="task_plan"]')
    fastest = page.locator('#heatmap-canvas [data-element-id="task_archive"]')
    assert int(slowest.get_attribute("data-avg-seconds")) == 31.5 * 3600
    assert int(fastest.get_attribute("data-avg-seconds")) == 3600
    assert page.locator("#heatmap-canvas .lp-heat-avg").count() == 4
    assert page.locator("#completed-chart[data-ready='1']").count() == 1
    assert "1.3 天" in page.locator("#heatmap-table").inner_text()
    screenshot(page, "monitor-dashboard-zh")
    page.click("#switch-language")
    page.wait_for_selector("#heatmap-canvas.lp-ready")
    assert page.locator("h1").inner_text() == "Monitor"
    screenshot(page, "monitor-dashboard-en")


def test_instance_list_filters_and_bulk_suspend(app, live_server, page, client):
    busy_organisation(client)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/monitor/instances")
    assert page.locator("#instance-table tbody tr").count() == 7
    page.fill("#f-field", "amount")
    page.fill("#f-value", "3")
    page.click("#apply-filters")
    rows = page.locator("#instance-table tbody tr")
    assert rows.count() == 1 and "ACME-3" in rows.inner_text()
    page.goto(f"{live_server}/monitor/instances?center=sh&status=running&sort=business_key"
              "&order=asc")
    keys = page.locator("#instance-table tbody tr td:nth-child(6)").all_inner_texts()
    assert keys == ["ACME-2", "ACME-3", "ACME-4"]
    page.goto(f"{live_server}/monitor/instances?started_from=nonsense")
    assert page.locator(".invalid-feedback").count() == 1
    page.goto(f"{live_server}/monitor/instances?process=monitor_flow&status=running")
    page.click("#select-all")
    page.select_option("#bulk-action", "suspend")
    page.click("#bulk-apply")
    assert page.locator("#bulk-ok").inner_text().startswith("4")
    screenshot(page, "monitor-bulk-result")
    page.goto(f"{live_server}/monitor/instances?status=suspended")
    assert page.locator("#result-count").inner_text().startswith("4")
    screenshot(page, "monitor-instances")


def test_instance_page_fix_data_retry_and_reset(app, live_server, page, client):
    failing = busy_organisation(client)
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/monitor/instances/{failing}")
    assert "ZeroDivisionError" in page.locator("#incident-alert").inner_text()
    assert "script_divide" in page.locator("#incident-alert").inner_text()
    page.wait_for_selector("#instance-canvas.lp-ready")
    assert page.locator('#instance-canvas [data-element-id="script_divide"].lp-el-failed'
                        ).count() == 1
    assert page.locator('#instance-canvas [data-element-id="task_input"].lp-el-completed'
                        ).count() == 1
    screenshot(page, "monitor-instance-incident")
    page.fill("#data-editor", '{"divisor": 4}')
    page.click("#save-data")
    assert page.locator(".alert-success").count() == 1
    log = page.locator("#event-log").inner_text()
    assert "instance_data_edited" in log and "admin" in log
    page.click("#action-retry")
    assert page.locator("#instance-status").inner_text() == "运行中"
    assert page.locator("#incident-alert").count() == 0
    assert '"ratio": 25.0' in page.locator("#data-editor").input_value()
    page.wait_for_selector("#instance-canvas.lp-ready")
    assert page.locator('#instance-canvas [data-element-id="task_after"].lp-el-active'
                        ).count() == 1
    page.select_option("#reset-task", label="Enter divisor (task_input)")
    page.click("#action-reset")
    assert page.locator('#task-table tr[data-task="task_input"][data-status="ready"]'
                        ).count() == 1
    assert page.locator('#task-table tr[data-task="task_after"][data-status="cancelled"]'
                        ).count() == 1
    actions = page.locator("#event-log tr[data-action]")
    assert "instance_reset" in actions.first.inner_text() or "instance_reset" in page.locator(
        "#event-log").inner_text()
    page.wait_for_selector("#instance-canvas.lp-ready")
    screenshot(page, "monitor-instance")


def test_president_is_read_only_and_others_are_refused(app, live_server, new_context, client):
    failing = busy_organisation(client)
    page = new_context().new_page()
    sign_in(page, live_server, "sh.president")
    page.goto(f"{live_server}/monitor/instances")
    assert page.locator("#instance-table tbody tr").count() == 6  # not the sz one
    assert page.locator("#bulk-bar").count() == 0 and page.locator("#select-all").count() == 0
    page.goto(f"{live_server}/monitor/instances/{failing}")
    assert page.locator("#actions-card").count() == 0
    assert page.locator("#data-view").count() == 1 and page.locator("#data-editor").count() == 0
    response = page.request.post(f"{live_server}/monitor/instances/{failing}/retry")
    assert response.status in (400, 403)
    other = new_context().new_page()
    sign_in(other, live_server, "sz.management")
    assert other.goto(f"{live_server}/monitor/").status == 403
    assert "运行监控" not in other.locator("nav").inner_text()


def test_monitor_on_a_phone(app, live_server, new_context, client):
    failing = busy_organisation(client)
    page = new_context(width=375, height=800).new_page()
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/monitor/")
    page.wait_for_selector("#heatmap-canvas.lp-ready")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "monitor-dashboard-phone")
    page.goto(f"{live_server}/monitor/instances/{failing}")
    page.wait_for_selector("#instance-canvas.lp-ready")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "monitor-instance-phone")
