"""The CRM REST API: scoped by center, validated field by field, documents limited and streamed,
archived engagements read-only, certification bodies' keys, the public forms' guards."""

from datetime import timedelta

from domain_kit import (
    BAD_CODE,
    CODE_A,
    CODE_B,
    Run,
    confirmation,
    delivery,
    execution,
    finish,
    needs,
    plan,
    register_body,
    send_result,
    start_by_call,
    to_certification,
    upload,
)
from inbox_support import WebClient
from sqlalchemy import func, select

from service import clock
from service.models import Customer, Document, Instance, db

CUSTOMER = {"credit_code": CODE_B, "name": "上海远航物流有限公司", "industry": "services",
            "size": "medium"}


def count(model):
    return lambda: db.session.scalar(select(func.count()).select_from(model))


def test_customers_are_seen_only_by_their_center_and_the_national_center(as_user):
    created = as_user("sh.advisor").post("/api/v1/customers", json=CUSTOMER)
    assert created.status_code == 201 and created.json["center"] == "sh"
    customer_id = created.json["id"]
    for username in ("sh.president", "sh.management", "sh.advisor2", "nat.management",
                     "nat.media", "admin"):
        listed = as_user(username).get("/api/v1/customers").json["items"]
        assert [c["id"] for c in listed] == [customer_id], username
        assert as_user(username).get(f"/api/v1/customers/{customer_id}").status_code == 200
    for username in ("sz.president", "sz.management", "sz.advisor"):
        api = as_user(username)
        assert api.get("/api/v1/customers").json["items"] == []
        assert api.get(f"/api/v1/customers/{customer_id}").status_code == 404
        assert api.post(f"/api/v1/customers/{customer_id}/contacts",
                        json={"name": "x"}).status_code == 404
        assert api.get(f"/api/v1/customers/{customer_id}/engagements").status_code == 404
    huge = 10**20  # no such row anywhere, and PostgreSQL could not even compare it
    assert as_user("admin").get(f"/api/v1/customers/{huge}").status_code == 404
    assert as_user("admin").get(f"/api/v1/customers/{customer_id}/documents/{huge}"
                                ).status_code == 404
    assert as_user("nat.media").post(f"/api/v1/customers/{customer_id}/contacts",
                                     json={"name": "x"}).status_code == 403
    again = as_user("sh.management").post("/api/v1/customers", json=CUSTOMER)
    assert again.status_code == 409 and "credit_code" in again.json["details"]
    # The same company may be a client of Shenzhen too: a record of its own.
    national = as_user("nat.management")
    assert national.post("/api/v1/customers", json=CUSTOMER).json["details"] == {
        "center": ["required"]}
    assert national.post("/api/v1/customers",
                         json={**CUSTOMER, "center": "sz"}).status_code == 201
    assert len(as_user("sz.advisor").get("/api/v1/customers").json["items"]) == 1


def test_invalid_customer_data_names_the_field_and_records_nothing(as_user, read):
    api = as_user("sh.advisor")
    for body, field in (({**CUSTOMER, "credit_code": BAD_CODE}, "credit_code"),
                        ({**CUSTOMER, "credit_code": CODE_A.lower()}, "credit_code"),
                        ({**CUSTOMER, "name": 123}, "name"),
                        ({**CUSTOMER, "size": "huge"}, "size"),
                        ({k: v for k, v in CUSTOMER.items() if k != "credit_code"},
                         "credit_code")):
        refused = api.post("/api/v1/customers", json=body)
        assert refused.status_code == 422 and field in refused.json["details"]["json"], body
    assert read(count(Customer)) == 0


def test_documents_are_limited_checked_and_streamed_back(app, as_user, read, tmp_path):
    api = as_user("sh.advisor")
    customer_id = api.post("/api/v1/customers", json=CUSTOMER).json["id"]
    content = b"%PDF-1.7\n" + bytes(range(256)) * 4
    stored = upload(api, customer_id, "审计报告.pdf", content, kind="report")
    assert stored.status_code == 201, stored.json
    assert (stored.json["kind"], stored.json["size"], stored.json["content_type"]) == (
        "report", len(content), "application/pdf")
    url = f"/api/v1/customers/{customer_id}/documents/{stored.json['id']}"
    with api.get(url) as back:  # streamed from disk: close the file when done
        assert back.status_code == 200 and back.data == content
        assert back.mimetype == "application/pdf"
        assert back.headers["Content-Disposition"].startswith("attachment")
        assert back.headers["X-Content-Type-Options"] == "nosniff"
        assert back.headers["Content-Security-Policy"].startswith("sandbox")  # issue 14
    page = WebClient(app, "sh.advisor").client.get(  # binary: not read as a page
        f"/clients/{customer_id}/documents/{stored.json['id']}")
    with page:  # the page's download: the same guards
        assert page.data == content and page.headers["Content-Disposition"].startswith(
            "attachment")
        assert page.headers["Content-Security-Policy"].startswith("sandbox")
        assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert as_user("sz.advisor").get(url).status_code == 404
    with as_user("nat.management").get(url) as national:
        assert national.status_code == 200
    app.config["CRM_DOCUMENT_MAX_BYTES"] = 100
    for name, data in (("tool.exe", b"MZ..."), ("photo.pdf", b"\x89PNG\r\n\x1a\n...."),
                       ("big.pdf", b"%PDF-" + b"x" * 200), ("empty.pdf", b""),
                       ("notes.txt", b"\xff\xfe\x00bad")):
        refused = upload(api, customer_id, name, data)
        assert refused.status_code == 422 and "file" in refused.json["details"], name
    assert upload(api, customer_id, "a.pdf", b"%PDF-1", kind="secret").status_code == 422
    assert read(count(Document)) == 1
    assert len(list((tmp_path / "documents").iterdir())) == 1


def test_an_archived_engagement_is_read_only(as_user):
    run = start_by_call(as_user)
    run.complete("sh.advisor", "task_collect_needs", needs(needs=["consulting"]))
    run.complete("sh.advisor", "task_draft_plan", plan(("consulting",)))
    run.complete("sh.advisor", "task_confirm_plan", confirmation())
    run.complete("sh.advisor", "task_execution_plan", execution("sh.advisor"))
    run.complete("sh.advisor", "task_deliver", delivery())
    customer_id, engagement_id = run.data["profile"]["customer_id"], run.data["engagement"]["id"]
    api = as_user("sh.advisor")
    talk = {"channel": "phone", "occurred_at": "2026-08-01T10:00:00+08:00",
            "participants": ["sh.advisor", "王立"], "summary": "回访"}
    assert api.post(f"/api/v1/customers/{customer_id}/communications",
                    json={**talk, "engagement_id": engagement_id}).status_code == 201
    finish(run)
    detail = api.get(f"/api/v1/customers/{customer_id}/engagements/{engagement_id}").json
    assert (detail["read_only"], detail["stage"], detail["advisor"]) == (True, "archived",
                                                                        "sh.advisor")
    assert [p["status"] for p in detail["plan_versions"]] == ["confirmed"]
    assert detail["service_records"][0]["place"] == "客户工厂"
    assert detail["feedback"]["average"] == 5.0
    assert [c["kind"] for c in detail["communications"]] == ["needs", "plan_confirmation",
                                                             "note"]
    refused = api.post(f"/api/v1/customers/{customer_id}/communications",
                       json={**talk, "engagement_id": engagement_id})
    assert refused.status_code == 409 and "engagement_id" in refused.json["details"]
    assert upload(api, customer_id, engagement_id=str(engagement_id)).status_code == 409
    # The customer lives on: a new conversation outside the closed engagement is fine.
    assert api.post(f"/api/v1/customers/{customer_id}/communications",
                    json=talk).status_code == 201
    assert as_user("sz.advisor").get(
        f"/api/v1/customers/{customer_id}/engagements/{engagement_id}").status_code == 404


def test_a_body_may_send_only_its_own_results(as_user, client):
    assert as_user("sh.president").post("/api/v1/certification-bodies", json={
        "code": "x1", "name": "某机构"}).status_code == 403
    key = register_body(as_user, "cqc")
    other = register_body(as_user, "sgs")
    assert all(b["api_key"] is None for b in as_user("sh.advisor").get(
        "/api/v1/certification-bodies").json)
    run, engagement_id, _, _ = to_certification(as_user, "cqc")
    assert send_result(client, other, engagement_id, "passed").status_code == 404
    assert send_result(client, key, engagement_id + 99, "passed").status_code == 404
    wrong_name = client.post("/api/v1/messages", headers={"Authorization": f"Bearer {key}"},
                             json={"name": "client_inquiry", "correlation_key": "x"})
    assert wrong_name.status_code == 403
    bad = send_result(client, key, engagement_id, "maybe")
    assert bad.status_code == 422 and "payload.outcome" in bad.json["details"]
    assert send_result(client, "lpcb_forged", engagement_id, "passed").status_code == 401
    rotated = as_user("nat.management").post("/api/v1/certification-bodies/cqc/key")
    assert send_result(client, key, engagement_id, "passed").status_code == 401
    assert as_user("nat.management").post("/api/v1/certification-bodies/cqc/active",
                                          json={"active": False}).status_code == 200
    assert send_result(client, rotated.json["api_key"], engagement_id,
                       "passed").status_code == 401
    assert run.instance()["status"] == "waiting"
    # The advisor may enter the result from the body's letter instead.
    entered = as_user("sh.advisor").post("/api/v1/messages", json={
        "name": "certification_result", "correlation_key": str(engagement_id),
        "payload": {"outcome": "passed", "note": "据机构来函录入"}})
    assert entered.status_code == 200
    run.assert_offered("task_evaluate", {"sh.advisor"})
    assert ("certification_result", "sh.advisor") in {(a, u) for a, u, _ in run.events()}


INQUIRY = {"center": "sh", "company_name": "上海晨光文具有限公司", "credit_code": CODE_A,
           "industry": "trade", "size": "medium", "contact_name": "李梅",
           "contact_phone": "021-55550000", "needs": ["training"]}


def test_the_public_inquiry_is_guarded(app, client, read):
    def post(**change):
        body = {k: v for k, v in {**INQUIRY, **change}.items() if v is not None}
        return client.post("/api/v1/public/inquiries", json=body)

    assert post(website="http://spam.example").status_code == 202  # the honeypot: dropped
    for change, field in (({"credit_code": BAD_CODE}, "credit_code"),
                          ({"contact_phone": None}, "contact_phone"),
                          ({"needs": "training"}, "needs")):
        refused = post(**change)
        assert refused.status_code == 422 and field in refused.json["details"], change
    assert read(count(Instance)) == 0
    assert post(center="xx").json["details"] == {"center": ["unknown center"]}
    assert post(center="xx").status_code == 429  # six from one address in ten minutes
    clock.advance(timedelta(minutes=11))
    assert post().status_code == 202
    assert read(count(Instance)) == 1


def test_the_public_center_application_is_checked_before_anything_is_recorded(client, read):
    from test_center_onboarding import application

    refused = client.post("/api/v1/public/center-applications",
                          json={**application(), "center_code": "sh"})
    assert refused.status_code == 422 and "center_code" in refused.json["details"]
    bad_file = client.post("/api/v1/public/center-applications", json={
        **application(), "documents": [{"filename": "x.pdf", "content_base64": "aGVsbG8="}]})
    assert bad_file.status_code == 422 and "file" in bad_file.json["details"]
    missing = {k: v for k, v in application().items() if k != "professional_staff"}
    refused = client.post("/api/v1/public/center-applications", json=missing)
    assert refused.status_code == 422 and "professional_staff" in refused.json["details"]
    assert read(count(Instance)) == 0 and read(count(Document)) == 0


def test_the_engagement_of_another_city_is_never_offered(as_user):
    """A Shenzhen advisor's engagement stays in Shenzhen, task by task."""
    started = as_user("sz.advisor").start("enterprise_service")
    run = Run(as_user, started["id"], center="sz")
    run.assert_offered("task_collect_needs", {"sz.advisor"})
    run.complete("sz.advisor", "task_collect_needs", needs())
    run.assert_offered("task_draft_plan", {"sz.advisor"})
    customer_id = run.data["profile"]["customer_id"]
    assert as_user("sh.advisor").get(f"/api/v1/customers/{customer_id}").status_code == 404
