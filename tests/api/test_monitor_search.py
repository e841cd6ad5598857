"""The monitor's instance search, heatmap, dashboard scoping, /metrics and /healthz."""

import re
from datetime import timedelta

from support import ApiClient

from service import clock


def search(api, **params):
    response = api.get("/api/v1/admin/instances", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def test_filters_sorting_and_paging(owner, advisor, admin, as_user):
    owner.deploy("monitor_flow.bpmn", "failing_script.bpmn")
    a = advisor.start("monitor_flow", data={"amount": 4, "client": {"city": "上海"}},
                      business_key="ACME-1")["id"]
    b = advisor.start("monitor_flow", data={"amount": "4", "tier": "gold"},
                      business_key="BETA-2")["id"]
    clock.advance(timedelta(days=3))
    c = as_user("sz.advisor").start("monitor_flow", data={"amount": 7, "vip": True},
                                    business_key="ACME-3")["id"]
    advisor.start("failing_script")
    failing = advisor.tasks()
    advisor.complete([t for t in failing if t["bpmn_id"] == "task_input"][0]["id"],
                     {"divisor": 0})
    ids = lambda page: [i["id"] for i in page["items"]]  # noqa: E731
    assert search(admin, process="monitor_flow", sort="id", order="asc")["total"] == 3
    assert ids(search(admin, process="monitor_flow", sort="id", order="asc")) == [a, b, c]
    assert ids(search(admin, center="sz")) == [c]
    assert ids(search(admin, client="acme", sort="id", order="asc")) == [a, c]
    assert ids(search(admin, business_key="BETA-2")) == [b]
    assert set(ids(search(admin, field="amount", value="4"))) == {a, b}
    assert ids(search(admin, field="client.city", value="上海")) == [a]
    assert ids(search(admin, field="tier", value="gold")) == [b]
    assert ids(search(admin, field="vip", value="true")) == [c]
    assert search(admin, has_incident="true")["items"][0]["open_incidents"] == 1
    assert search(admin, has_incident="false", process="monitor_flow")["total"] == 3
    assert search(admin, status="error")["total"] == 1
    assert search(admin, version=1)["total"] == 4
    today = clock.now().date().isoformat()
    assert set(ids(search(admin, started_from=today))) >= {c}
    assert a not in ids(search(admin, started_from=today))
    page = search(admin, per_page=2, page=2, sort="id", order="asc")
    assert page["total"] == 4 and len(page["items"]) == 2
    for bad in ({"status": "sleeping"}, {"sort": "secret"}, {"field": "a;drop"},
                {"field": "amount"}, {"per_page": 0}, {"started_from": "yesterday"}):
        assert admin.get("/api/v1/admin/instances", query_string=bad).status_code == 422


def test_city_president_sees_own_center_read_only_and_others_are_refused(
        owner, advisor, admin, as_user):
    owner.deploy("monitor_flow.bpmn")
    sh = advisor.start("monitor_flow")["id"]
    sz = as_user("sz.advisor").start("monitor_flow")["id"]
    president = as_user("sh.president")
    assert [i["id"] for i in search(president)["items"]] == [sh]
    assert [i["id"] for i in search(president, center="sz")["items"]] == []
    assert president.get(f"/api/v1/admin/instances/{sh}").json["can_operate"] is False
    assert president.get(f"/api/v1/admin/instances/{sz}").status_code == 403
    assert president.get("/api/v1/admin/dashboard").json["totals"] == {"running": 1}
    assert admin.get("/api/v1/admin/dashboard").json["totals"] == {"running": 2}
    for action in ("suspend", "terminate"):
        assert president.post(f"/api/v1/instances/{sh}/{action}").status_code == 403
    assert president.post("/api/v1/admin/instances/bulk",
                          json={"action": "suspend", "ids": [sh]}).status_code == 403
    assert president.post(f"/api/v1/admin/instances/{sh}/migration-check").status_code == 403
    for username in ("sz.management", "sz.advisor", "sh.advisor", "nat.management"):
        client = as_user(username)
        assert client.get("/api/v1/admin/dashboard").status_code == 403
        assert client.get("/api/v1/admin/instances").status_code == 403
        assert client.get(f"/api/v1/admin/instances/{sh}").status_code == 403
    sz_president = as_user("sz.president")
    assert sz_president.get(f"/api/v1/admin/instances/{sh}").status_code == 403
    assert [i["id"] for i in search(sz_president)["items"]] == [sz]
    assert ApiClient(admin.client, None).get("/api/v1/admin/dashboard").status_code == 401


def test_heatmap_averages_time_per_step(owner, advisor, admin, as_user):
    owner.deploy("monitor_flow.bpmn")
    for hours in (2, 4):
        advisor.start("monitor_flow")
        task = advisor.task_named("task_collect")
        clock.advance(timedelta(hours=hours))
        advisor.complete(task["id"])
    heat = admin.get("/api/v1/admin/heatmap/monitor_flow").json
    collect = heat["elements"]["task_collect"]
    # the clock moves on in real time too (each request takes a moment): a minute of slack
    assert collect["count"] == 2 and 3 * 3600 <= collect["avg_seconds"] < 3 * 3600 + 60
    assert 4 * 3600 <= collect["max_seconds"] < 4 * 3600 + 60
    assert heat["elements"]["task_plan"]["open"] == 2
    assert admin.get("/api/v1/admin/heatmap/nope").status_code == 404
    assert as_user("sz.president").get("/api/v1/admin/heatmap/monitor_flow").json[
        "elements"] == {}
    board = admin.get("/api/v1/admin/dashboard").json
    assert {"center": "sh", "lane": "advisor", "count": 2} in board["open_tasks"]
    clock.advance(timedelta(days=4))  # task_plan is due in 3 days
    assert admin.get("/api/v1/admin/dashboard").json["overdue_count"] == 2
    xml = admin.get("/api/v1/admin/processes/monitor_flow/versions/1/diagram")
    assert xml.status_code == 200 and b"BPMNShape" in xml.data


def test_diagram_without_layout_gets_one(owner, admin):
    owner.deploy("failing_script.bpmn")
    xml = admin.get("/api/v1/admin/processes/failing_script/versions/1/diagram").data
    for element in (b"script_divide_di", b"flow_after_di", b"lane_advisor_di"):
        assert element in xml


def test_metrics_and_healthz(owner, advisor, admin, client, app):
    owner.deploy("failing_script.bpmn")
    started = advisor.start("failing_script")
    task = advisor.task_named("task_input")
    clock.advance(timedelta(minutes=3))
    advisor.complete(task["id"], {"divisor": 0})
    admin.post(f"/api/v1/admin/instances/{started['id']}/data", json={"data": {"divisor": 2}})
    admin.post(f"/api/v1/instances/{started['id']}/retry")
    app.config["METRICS_TOKEN"] = "scrape-secret"  # /metrics answers scrapers only (issue 14)
    scraper = {"Authorization": "Bearer scrape-secret"}
    text = client.get("/metrics", headers=scraper).data.decode()
    assert 'linkpass_instances_started_total{process="failing_script"} 1.0' in text
    assert 'linkpass_task_completions_total 1.0' in text
    assert 'linkpass_step_latency_seconds_bucket{le="60.0",process="failing_script"} 0.0' in text
    assert 'linkpass_step_latency_seconds_bucket{le="300.0",process="failing_script"} 1.0' in text
    total = re.search(r'linkpass_step_latency_seconds_sum\{process="failing_script"\} (\S+)', text)
    assert abs(float(total.group(1)) - 180) < 5
    assert "linkpass_incidents_open 0.0" in text and "linkpass_jobs_late 0.0" in text
    health = admin.get("/healthz").json  # the details are for admins (issue 14)
    assert health["database"] == "ok" and health["worker"]["status"] == "missing"
    assert health["status"] == "degraded"
    from service.usecases import monitor_health
    with app.app_context():
        monitor_health.beat("w1", 3)
    health = admin.get("/healthz").json
    assert health["status"] == "ok" and health["worker"]["status"] == "ok"
    assert health["worker"]["heartbeat_age_seconds"] < 5
    clock.advance(timedelta(minutes=5))
    health = admin.get("/healthz").json
    assert health["status"] == "degraded" and health["worker"]["status"] == "stale"
    assert 300 <= health["worker"]["heartbeat_age_seconds"] < 305
    age = re.search(r"^linkpass_worker_heartbeat_age_seconds (\S+)$",
                    client.get("/metrics", headers=scraper).data.decode(), re.M)
    assert 300 <= float(age.group(1)) < 305
