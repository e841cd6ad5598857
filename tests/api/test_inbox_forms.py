"""The task page's form over HTTP: widgets, errors by field, drafts, rows, files, refusals."""

import io

import pytest
from inbox_support import WebClient, field_error, text
from sqlalchemy import func, select

from service.models import Event, TaskDraft, db

CODE = "91310000MA1FL8XQ30"


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")


@pytest.fixture
def needs_task(owner, advisor):
    """Deploy the inbox fixture and start it in Shanghai; return the advisor's first task."""
    owner.deploy("inbox_flow.bpmn")
    instance = advisor.start("inbox_flow", business_key="华信科技")
    task = advisor.task_named("task_needs")
    return {"id": task["id"], "instance": instance["id"]}


def valid(**overrides) -> dict:
    data = {"company": "上海华信科技有限公司", "credit_code": CODE, "service": "training",
            "plan.0.step": "ISO 培训", "plan.0.owner": "sh.advisor", "_action": "complete"}
    data.update(overrides)
    return data


def test_the_form_is_drawn_from_its_schema_in_the_page_language(app, needs_task):
    english = WebClient(app, "sh.advisor", "en")
    page = english.get(f"/tasks/{needs_task['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in ("Company name", "Unified social credit code", "Execution plan",
                  "Business licence", "Preferred start"):
        assert label in html
    assert '<option value="training" >Training</option>' in html.replace("  ", " ")
    assert 'type="checkbox" id="f-topics-1" name="topics"' in html
    assert 'type="file" id="f-license" name="license"' in html
    assert 'type="date"' in html and "<textarea" in html
    assert 'name="plan.__INDEX__.step"' in html  # the row template for inbox-form.js
    chinese = WebClient(app, "sh.advisor", "zh-CN")
    html = chinese.get(f"/tasks/{needs_task['id']}").get_data(as_text=True)
    assert "企业名称" in html and "培训</option>" in html and "执行计划" in html


def test_invalid_data_is_shown_beside_each_field_and_changes_nothing(app, needs_task, advisor):
    web = WebClient(app, "sh.advisor", "en")
    response = web.post(f"/tasks/{needs_task['id']}", valid(
        credit_code="12345", employees="many", **{"plan.0.step": "", "plan.0.owner": ""}))
    assert response.status_code == 422
    assert field_error(response, "credit_code") == \
        "Enter the 18-character unified social credit code"
    assert field_error(response, "employees") == "Enter a whole number."
    assert field_error(response, "plan") == "Add at least 1 rows."
    assert field_error(response, "company") is None
    assert 'value="上海华信科技有限公司"' in response.get_data(as_text=True)  # kept as typed
    assert 'value="many"' in response.get_data(as_text=True)
    assert advisor.get(f"/api/v1/tasks/{needs_task['id']}").json["status"] == "ready"
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id)).where(
            Event.action == "task_completed")) == 0
    chinese = WebClient(app, "sh.advisor", "zh-CN")
    response = chinese.post(f"/tasks/{needs_task['id']}", valid(credit_code="x"))
    assert field_error(response, "credit_code") == "请输入18位统一社会信用代码"


def test_completing_stores_rows_and_files_and_goes_on(app, needs_task, as_user):
    web = WebClient(app, "sh.advisor")
    data = valid(**{"plan.3.step": "审核", "plan.3.owner": "sh.advisor2", "plan.5.step": "",
                    "topics": ["hr", "iso"], "urgent": "true", "employees": "120",
                    "budget": "35.5", "start_date": "2026-12-01",
                    "license": (io.BytesIO(b"%PDF-1.4 licence"), "营业执照.pdf")})
    response = web.post(f"/tasks/{needs_task['id']}", data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    instance = as_user("sh.president").instance(needs_task["instance"])
    saved = instance["data"]
    assert [row["step"] for row in saved["plan"]] == ["ISO 培训", "审核"]  # the blank row dropped
    assert saved["topics"] == ["hr", "iso"] and saved["urgent"] is True
    assert saved["employees"] == 120 and saved["budget"] == 35.5
    assert saved["license"]["name"] == "营业执照.pdf"
    download = f"/attachments/{saved['license']['attachment']}"
    got = WebClient(app, "sh.president").get(download)
    assert got.status_code == 200 and got.data == b"%PDF-1.4 licence"
    assert "attachment" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"].startswith("sandbox")  # issue 14
    got.close()
    assert WebClient(app, "sz.advisor").get(download).status_code == 404


def test_completing_goes_straight_to_my_next_task_else_to_the_inbox(app, owner, advisor):
    owner.deploy("loop.bpmn")
    instance = advisor.start("loop")
    first = advisor.task_named("task_review")["id"]
    web = WebClient(app, "sh.advisor")
    again = web.post(f"/tasks/{first}", {"again": "true", "_action": "complete"})
    second = advisor.task_named("task_review")["id"]
    assert second != first and again.headers["Location"].endswith(f"/tasks/{second}")
    done = web.post(f"/tasks/{second}", {"_action": "complete"})  # unchecked: again = false
    assert done.headers["Location"].endswith("/inbox")
    assert advisor.instance(instance["id"])["status"] == "completed"
    page = web.get(f"/tasks/{second}")  # a completed task shows what was submitted
    assert "Completed by sh.advisor" in text(page) and 'id="task-form"' not in page.text


def test_a_draft_is_kept_per_user_and_dropped_on_completion(app, needs_task):
    web = WebClient(app, "sh.advisor")
    response = web.post(f"/tasks/{needs_task['id']}", {"company": "草稿公司",
                                                       "_action": "save_draft"})
    assert response.status_code == 302
    page = web.get(f"/tasks/{needs_task['id']}")
    assert 'value="草稿公司"' in page.get_data(as_text=True)
    assert 'id="draft-badge"' in page.get_data(as_text=True)
    other = WebClient(app, "sh.advisor2").get(f"/tasks/{needs_task['id']}")
    assert "草稿公司" not in other.get_data(as_text=True)
    assert web.post(f"/tasks/{needs_task['id']}", valid()).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TaskDraft)) == 0


def test_rows_are_added_and_removed_without_javascript(app, needs_task):
    web = WebClient(app, "sh.advisor")
    added = web.post(f"/tasks/{needs_task['id']}", {"company": "A公司",
                                                    "_action": "add_row:plan"})
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and 'name="plan.0.step"' in html and 'value="A公司"' in html
    twice = web.post(f"/tasks/{needs_task['id']}", {"plan.0.step": "one", "plan.1.step": "two",
                                                    "_action": "remove_row:plan.0"})
    html = twice.get_data(as_text=True)
    assert 'value="two"' in html and 'value="one"' not in html


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(app, needs_task, advisor):
    web = WebClient(app, "sh.advisor")
    response = web.post(f"/tasks/{needs_task['id']}", valid(), csrf=False)
    assert response.status_code == 400 and "refused" in text(response)
    assert advisor.get(f"/api/v1/tasks/{needs_task['id']}").json["status"] == "ready"


def test_another_centers_task_is_not_found_by_url(app, needs_task, advisor):
    stranger = WebClient(app, "sz.advisor")
    task = needs_task["id"]
    for url in (f"/tasks/{task}", f"/tasks/{task}/diagram"):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert "华信科技" not in response.get_data(as_text=True)
    for url, data in ((f"/tasks/{task}", valid()), (f"/tasks/{task}/claim", {}),
                      (f"/tasks/{task}/comments", {"body": "hi"}),
                      (f"/tasks/{task}/guest-links", {"party": "x"})):
        assert stranger.post(url, data).status_code == 404, url
    assert advisor.get(f"/api/v1/tasks/{task}").json["status"] == "ready"
    assert advisor.instance(needs_task["instance"])["status"] == "running"
