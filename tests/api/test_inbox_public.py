"""Public pages through HTTP: no sign-in, the processes start, honeypot, rate limit, CSRF."""

import pytest
from inbox_support import WebClient, field_error, repository_app, text
from sqlalchemy import func, select

from service.models import Instance, db
from service.usecases import public
from service.usecases.credit_code import check_character

CODE = "91310000MA1FL8XQ3" + check_character("91310000MA1FL8XQ3")
BAD_CODE = CODE[:17] + ("0" if CODE[17] != "0" else "1")  # a wrong check character


@pytest.fixture
def app(make_app, tmp_path):
    """An app on the repository's processes and forms, all deployed."""
    app = repository_app(make_app, tmp_path)
    yield app
    public.limiter.reset()


def inquiry(**over) -> dict:
    data = {"center": "sh", "company_name": "上海华信科技有限公司", "credit_code": CODE,
            "industry": "technology", "size": "small", "contact_name": "王立",
            "contact_phone": "13800138000", "needs": ["consulting", "training"],
            "expectations": "希望提升管理水平", "website": ""}
    return {**data, **over}


def instances(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count(Instance.id)))
        db.session.remove()
        return count


def test_a_client_inquiry_starts_the_service_flow_in_its_city(app, as_user):
    guest = WebClient(app, None, "zh-CN")
    page = guest.get("/public/inquiry")
    assert page.status_code == 200 and "在线咨询表单" in text(page)
    assert '<option value="sh" >上海服务中心</option>' in page.text.replace("  ", " ")
    sent = guest.post("/public/inquiry", inquiry())
    assert sent.status_code == 302 and "/public/thanks" in sent.headers["Location"]
    assert "inquiry-" in guest.get(sent.headers["Location"]).text
    offered = as_user("sh.management").tasks()
    assert [t["bpmn_id"] for t in offered] == ["task_assign_advisor"]
    assert as_user("sz.management").tasks() == []


def test_wrong_answers_are_shown_beside_their_fields_and_start_nothing(app):
    guest = WebClient(app, None, "en")
    sent = guest.post("/public/inquiry", inquiry(credit_code=BAD_CODE, contact_phone="x"))
    assert sent.status_code == 422
    assert "check character" in field_error(sent, "credit_code")
    assert field_error(sent, "contact_phone") == "Enter at least 5 characters."
    assert 'value="上海华信科技有限公司"' in sent.text
    assert instances(app) == 0


def test_text_no_database_stores_is_refused_with_a_page_and_starts_nothing(app):
    guest = WebClient(app, None, "en")
    sent = guest.post("/public/inquiry", inquiry(company_name="上海\x00华信"))
    assert sent.status_code == 422 and "<html" in sent.text
    assert "NUL character" in text(sent)
    assert instances(app) == 0
    assert guest.post("/public/inquiry", inquiry()).status_code == 302  # the same form, clean


def test_the_honeypot_answers_politely_and_keeps_nothing(app):
    guest = WebClient(app, None)
    sent = guest.post("/public/inquiry", inquiry(website="http://spam.example"))
    assert sent.status_code == 302
    assert instances(app) == 0


def test_submissions_are_limited_per_address(app):
    guest = WebClient(app, None, "en")
    for _ in range(5):
        assert guest.post("/public/inquiry", inquiry()).status_code == 302
    limited = guest.post("/public/inquiry", inquiry())
    assert limited.status_code == 429 and 'id="public-limit"' in limited.text
    assert instances(app) == 5


def test_a_public_post_without_csrf_token_is_refused(app):
    guest = WebClient(app, None)
    assert guest.post("/public/inquiry", inquiry(), csrf=False).status_code == 400
    assert guest.post("/public/center-application", {}, csrf=False).status_code == 400
    assert instances(app) == 0


def test_the_center_application_page_is_drawn_and_checked(app):
    guest = WebClient(app, None, "en")
    page = guest.get("/public/center-application")
    assert page.status_code == 200 and 'name="president_username"' in page.text
    sent = guest.post("/public/center-application", {"company_name": "A"})
    assert sent.status_code == 422 and field_error(sent, "credit_code")
    assert guest.get("/public/nothing").status_code == 404
