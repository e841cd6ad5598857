"""Client pages through HTTP: list and search by center, the client file, documents."""

import io

import pytest
from inbox_support import (
    WebClient,
    credit_code,
    needs_data,
    repository_app,
    start_with_needs,
    text,
)
from sqlalchemy import func, select

from service.models import Customer, Document, Engagement, Task, db

CODE_SH = credit_code("91310000MA1FL8XQ3")
CODE_SZ = credit_code("91440300MA5FXT7K1")


@pytest.fixture
def app(make_app, tmp_path):
    return repository_app(make_app, tmp_path)


@pytest.fixture
def clients(app, as_user):
    """One client in Shanghai, one in Shenzhen; return their customer ids."""
    start_with_needs(as_user("sh.advisor"), "上海联通精密制造有限公司", CODE_SH)
    start_with_needs(as_user("sz.advisor"), "深圳南山科技有限公司", CODE_SZ)
    with app.app_context():
        ids = dict(db.session.execute(select(Customer.credit_code, Customer.id)).all())
        db.session.remove()
    return {"sh": ids[CODE_SH], "sz": ids[CODE_SZ]}


def test_the_client_list_shows_my_centers_clients_and_searches(app, clients):
    shanghai = WebClient(app, "sh.advisor", "zh-CN")
    page = shanghai.get("/clients")
    assert page.status_code == 200
    assert "上海联通精密制造有限公司" in page.text and "深圳南山科技" not in page.text
    assert "上海联通" in shanghai.get("/clients?q=联通").text
    assert 'id="clients-empty"' in shanghai.get("/clients?q=nothing-like-this").text
    assert "上海联通" in shanghai.get(f"/clients?q={CODE_SH[:8]}").text
    national = WebClient(app, "nat.management").get("/clients").text
    assert "上海联通" in national and "深圳南山科技" in national


def test_the_client_file_shows_the_engagement_and_its_timeline(app, clients):
    page = WebClient(app, "sh.advisor", "zh-CN").get(f"/clients/{clients['sh']}")
    assert page.status_code == 200
    body = text(page)
    assert "上海联通精密制造有限公司" in body and CODE_SH in body
    assert "1 客户需求收集" not in body  # the needs step is done: its stage moved on
    assert "3 个性化方案制定" in body and "需求沟通" in body and "客户希望建立质量管理体系" in body


def test_another_centers_client_is_not_found_by_url(app, clients):
    stranger = WebClient(app, "sz.advisor")
    page = stranger.get(f"/clients/{clients['sh']}")
    assert page.status_code == 404 and "上海联通" not in page.text
    upload = stranger.post(f"/clients/{clients['sh']}/documents",
                           {"file": (io.BytesIO(b"%PDF-1.7 x"), "a.pdf"), "kind": "report"},
                           content_type="multipart/form-data")
    assert upload.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Document.id))) == 0
    assert stranger.get(f"/clients/{clients['sh']}/documents/1").status_code == 404


def test_documents_are_uploaded_checked_and_downloaded(app, clients):
    web = WebClient(app, "sh.advisor", "en")
    bad = web.post(f"/clients/{clients['sh']}/documents",
                   {"file": (io.BytesIO(b"MZ\x90\x00"), "tool.exe"), "kind": "report"},
                   content_type="multipart/form-data")
    assert bad.status_code == 302
    assert "The file was not kept" in web.get(f"/clients/{clients['sh']}").text
    good = web.post(f"/clients/{clients['sh']}/documents",
                    {"file": (io.BytesIO(b"%PDF-1.7 report"), "体系文件.pdf"), "kind": "report"},
                    content_type="multipart/form-data")
    assert good.status_code == 302
    page = web.get(f"/clients/{clients['sh']}")
    assert "体系文件.pdf" in page.text and "The file was kept" in page.text
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        db.session.remove()
    got = web.get(f"/clients/{clients['sh']}/documents/{document.id}")
    assert got.status_code == 200 and got.data == b"%PDF-1.7 report"
    got.close()
    other = WebClient(app, "sz.president").get(
        f"/clients/{clients['sh']}/documents/{document.id}")
    assert other.status_code == 404


def test_the_inbox_names_the_client_and_filters_by_it(app, clients, as_user):
    start_with_needs(as_user("sh.advisor"), "上海明德教育咨询有限公司",
                     credit_code("91310115MA1K3L0B5"))
    web = WebClient(app, "sh.advisor", "en")
    page = web.get("/inbox?tab=mine")
    assert "上海联通精密制造有限公司" in page.text and "上海明德教育咨询有限公司" in page.text
    filtered = web.get("/inbox?tab=mine&client=明德")
    assert "上海明德" in filtered.text and "上海联通" not in filtered.text


def test_a_renamed_client_is_renamed_in_the_inbox_and_the_monitor(app, clients, as_user):
    advisor = as_user("sh.advisor")
    renamed = advisor.client.patch(f"/api/v1/customers/{clients['sh']}", headers=advisor.headers,
                                   json={"name": "上海联通智能装备有限公司"})
    assert renamed.status_code == 200, renamed.json
    web = WebClient(app, "sh.advisor", "en")
    page = web.get("/inbox?tab=mine")
    assert "上海联通智能装备有限公司" in page.text and "上海联通精密制造" not in page.text
    assert "上海联通智能装备" in web.get("/inbox?tab=mine&client=智能装备").text
    assert "上海联通智能装备" not in web.get("/inbox?tab=mine&client=精密制造").text
    found = as_user("admin").get("/api/v1/admin/instances", query_string={"client": "智能装备"})
    assert found.status_code == 200 and found.json["total"] == 1
    # A task created after the rename carries the new name: the labels live on the rows.
    with app.app_context():
        labels = set(db.session.scalars(select(Task.client_label).join(
            Engagement, Engagement.instance_id == Task.instance_id).where(
            Engagement.customer_id == clients["sh"])))
        db.session.remove()
    assert labels == {"上海联通智能装备有限公司"}


def test_a_task_names_its_business_key_until_a_customer_is_linked(app, as_user):
    advisor = as_user("sh.advisor")
    instance = advisor.start("enterprise_service", business_key="线索-2026-001")["id"]
    web = WebClient(app, "sh.advisor", "en")
    assert "线索-2026-001" in web.get("/inbox?tab=mine&client=线索").text
    task = next(t for t in advisor.tasks("candidate") + advisor.tasks("mine")
                if t["instance_id"] == instance)
    advisor.complete(task["id"], needs_data("上海求是检测技术有限公司",
                                            credit_code("91310000MA1FL8XQ3")))
    page = web.get("/inbox?tab=mine&client=求是检测")
    assert "上海求是检测技术有限公司" in page.text
    assert "线索-2026-001" not in web.get("/inbox?tab=mine&client=线索").text
