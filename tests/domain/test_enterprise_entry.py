"""The ways into the enterprise service flow: the public inquiry, a known client, bad input."""

from domain_kit import (
    ADVISOR,
    BAD_CODE,
    CODE_A,
    Run,
    crm_record,
    needs,
    start_by_call,
    username_of,
)
from sqlalchemy import func, select

from service.models import Communication, Customer, db

INQUIRY = {"center": "sh", "company_name": "上海晨光文具有限公司", "credit_code": CODE_A,
           "industry": "trade", "size": "medium", "contact_name": "李梅",
           "contact_phone": "021-55550000", "contact_email": "li.mei@example.cn",
           "needs": ["training", "subsidy"], "expectations": "希望了解培训补贴"}


def test_public_inquiry_is_assigned_by_city_management(as_user, client, read):
    response = client.post("/api/v1/public/inquiries", json=INQUIRY)
    assert response.status_code == 202 and response.json["status"] == "received"
    [found] = as_user("admin").get("/api/v1/instances?process=enterprise_service").json["items"]
    assert (found["center"], found["business_key"]) == ("sh", response.json["reference"])
    run = Run(as_user, found["id"])
    run.assert_offered("task_assign_advisor", {"sh.management"})
    # An advisor of another center cannot own a Shanghai client: the task comes back.
    run.complete("sh.management", "task_assign_advisor", {"advisor": "sz.advisor"})
    run.assert_offered("task_assign_advisor", {"sh.management"})
    assert "sz.advisor" in run.data["engagement"]["problem"]
    run.complete("sh.management", "task_assign_advisor", {"advisor": "sh.advisor2"})
    run.assert_offered("task_collect_needs", {"sh.advisor2"})
    task = run.task("sh.advisor2", "task_collect_needs")
    prefilled = as_user("sh.advisor2").get(f"/api/v1/tasks/{task['id']}").json["data"]
    assert (prefilled["company_name"], prefilled["credit_code"], prefilled["channel"]) == (
        "上海晨光文具有限公司", CODE_A, "online")
    run.complete("sh.advisor2", "task_collect_needs", needs(
        company_name=prefilled["company_name"], needs=prefilled["needs"], channel="online"))
    run.assert_offered("task_draft_plan", {"sh.advisor2"})

    crm = read(lambda: crm_record(run.data["engagement"]["id"]))
    e = crm["engagement"]
    assert (e["channel"], e["stage"], e["inquiry"]["contact_name"]) == ("online", "plan", "李梅")
    assert e["needs"] == ["training", "subsidy"]
    assert crm["customer"]["name"] == "上海晨光文具有限公司"
    assert crm["communications"][0]["channel"] == "online"
    assert read(lambda: username_of(e["advisor_id"])) == "sh.advisor2"
    assert run.who_completed() == [("分配服务顾问", "sh.management"),
                                   ("分配服务顾问", "sh.management"),
                                   ("1 客户需求收集", "sh.advisor2")]
    actions = [(a, u) for a, u, _ in run.events()]
    assert actions[:2] == [("instance_started", "public"), ("message_received", "public")]
    assert ("advisor_assigned", "sh.management") in actions


def test_a_known_credit_code_links_the_existing_customer(as_user, read):
    first = start_by_call(as_user)
    first.complete("sh.advisor", "task_collect_needs", needs())
    second = start_by_call(as_user)
    second.complete("sh.advisor", "task_collect_needs", needs(contact_name="赵强",
                                                              contact_phone="13900000000"))
    assert first.data["profile"]["created"] is True
    assert second.data["profile"] == {**first.data["profile"], "created": False,
                                      "contact_id": second.data["profile"]["contact_id"]}
    crm = read(lambda: crm_record(second.data["engagement"]["id"]))
    assert [c["name"] for c in crm["contacts"]] == ["王立", "赵强"]
    assert ("customer_linked", "sh.advisor") in {(a, u) for a, u, _ in second.events()}


def test_invalid_data_is_refused_naming_the_field_and_nothing_is_recorded(as_user, read):
    run = start_by_call(as_user)
    cases = [(needs(credit_code=BAD_CODE), "credit_code"),
             (needs(needs="consulting"), "needs"),
             (needs(contact_phone=13800138000), "contact_phone"),
             ({k: v for k, v in needs().items() if k != "company_name"}, "company_name"),
             (needs(contacted_at="yesterday"), "contacted_at")]
    for data, field in cases:
        refused = run.complete("sh.advisor", "task_collect_needs", data, expect=422)
        assert field in refused["details"], (field, refused)
    counts = read(lambda: (db.session.scalar(select(func.count()).select_from(Customer)),
                           db.session.scalar(select(func.count()).select_from(Communication))))
    assert counts == (0, 0)
    run.assert_offered("task_collect_needs", ADVISOR)
    assert "task_completed" not in [a for a, _, _ in run.events()]
