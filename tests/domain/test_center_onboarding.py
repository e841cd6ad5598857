"""Center onboarding: the application, the decision table, three decisions, the new center."""

import base64

import pytest
from domain_kit import CODE_C, Run, accept_invitation, columns, sign_in
from sqlalchemy import select

from service.models import Center, CenterApplication, Document, User, db

NATIONAL_MANAGEMENT = {"nat.management"}
PASSWORD = "Hangzhou2026x"


def application(**over) -> dict:
    data = {"company_name": "杭州联达企业服务有限公司", "credit_code": CODE_C,
            "legal_representative": "陈杰", "registered_address": "杭州市西湖区文三路1号",
            "legal_person": True, "service_years": 5, "local_clients": 40,
            "local_market": "熟悉杭州本地制造业与外贸企业", "major_complaints": 0,
            "dishonest_listed": False, "professional_staff": 12,
            "team_description": "12名持证顾问", "center_code": "hz",
            "center_name_zh": "杭州服务中心", "center_name_en": "Hangzhou Service Center",
            "region": "浙江省杭州市", "contact_name": "陈杰", "contact_phone": "0571-88880000",
            "contact_email": "chen.jie@example.cn", "president_username": "hz.president",
            "president_name": "陈杰", "president_email": "hz.president@example.cn"}
    return {**data, **over}


SETTLEMENT = {"account_name": "杭州联达企业服务有限公司", "bank_name": "中国工商银行杭州分行",
              "account_number": "1202020209000012345", "settlement_cycle": "monthly",
              "revenue_share_percent": 30, "invoice_title": "杭州联达企业服务有限公司"}
TRAINING = {"sessions": [{"course": "Link Pass服务标准", "date": "2026-06-01", "hours": 8,
                          "trainees": ["陈杰", "周敏"]}],
            "training_passed": True, "training_note": "全员考核合格"}


def start_by_management(as_user, **over) -> Run:
    started = as_user("nat.management").start("center_onboarding")
    run = Run(as_user, started["id"], center="national")
    run.assert_offered("task_application", NATIONAL_MANAGEMENT)
    run.complete("nat.management", "task_application", application(**over))
    return run


def record_of(run: Run):
    return lambda: columns(db.session.scalar(select(CenterApplication).where(
        CenterApplication.instance_id == run.id)))


def test_public_application_approved_opens_the_center_and_its_president_signs_in(
        as_user, client, read):
    pdf = base64.b64encode(b"%PDF-1.4 license").decode()
    response = client.post("/api/v1/public/center-applications", json={
        **application(), "documents": [{"filename": "营业执照.pdf", "content_base64": pdf}]})
    assert response.status_code == 202, response.json
    [found] = as_user("admin").get("/api/v1/instances?process=center_onboarding").json["items"]
    assert found["center"] == "national"
    run = Run(as_user, found["id"], center="national")
    run.assert_offered("task_review", NATIONAL_MANAGEMENT)
    run.complete("nat.management", "task_review",
                 {"review_decision": "approve", "review_comment": "资质齐全"})
    run.assert_offered("task_settlement", {"nat.finance"})
    run.complete("nat.finance", "task_settlement", SETTLEMENT)
    run.assert_offered("task_approval", {"nat.president"})
    run.complete("nat.president", "task_approval",
                 {"approval_decision": "approve", "approval_comment": "同意设立"})
    center = read(lambda: columns(db.session.scalar(select(Center).where(Center.code == "hz"))))
    assert (center["kind"], center["status"], center["name_zh"]) == ("city", "pending",
                                                                     "杭州服务中心")
    assert accept_invitation(client, read, "hz.president", PASSWORD) == 204
    assert sign_in(client, "hz.president", PASSWORD) == 401  # not before activation
    run.assert_offered("task_training", {"nat.training"})
    run.complete("nat.training", "task_training", TRAINING)
    run.assert_offered("task_activation", NATIONAL_MANAGEMENT)
    run.complete("nat.management", "task_activation", {"activation_confirmed": True})
    assert run.instance()["status"] == "completed"

    assert sign_in(client, "hz.president", PASSWORD) == 200
    president = read(lambda: (lambda u: (u.center.code, sorted(u.roles), u.display_name))(
        db.session.scalar(select(User).where(User.username == "hz.president"))))
    assert president == ("hz", ["city_president"], "陈杰")
    row = read(record_of(run))
    assert (row["source"], row["status"], row["eligible"], row["unmet"]) == (
        "public", "active", True, [])
    assert (row["company_name"], row["credit_code"], row["center_code"]) == (
        "杭州联达企业服务有限公司", CODE_C, "hz")
    assert row["data"]["professional_staff"] == 12 and row["rejection_reasons"] == []
    assert (row["review_decision"], row["review_comment"], row["reviewed_by"]) == (
        "approve", "资质齐全", "nat.management")
    assert row["settlement"] == SETTLEMENT and row["settled_by"] == "nat.finance"
    assert (row["approval_decision"], row["approved_by"]) == ("approve", "nat.president")
    assert row["trainings"][0]["sessions"][0]["trainees"] == ["陈杰", "周敏"]
    assert row["trainings"][0]["passed"] is True and row["trainings"][0]["by"] == "nat.training"
    assert row["activated_by"] == "nat.management" and row["center_id"] == center["id"]
    docs = read(lambda: [(d.filename, d.kind, d.customer_id) for d in db.session.scalars(
        select(Document).where(Document.application_id == row["id"]))])
    assert docs == [("营业执照.pdf", "qualification", None)]
    assert run.who_completed() == [
        ("管理部审核", "nat.management"), ("结算设置", "nat.finance"),
        ("总裁审批", "nat.president"), ("中心人员培训", "nat.training"),
        ("启用城市中心", "nat.management")]
    events = {(a, u) for a, u, _ in run.events()}
    assert {("instance_started", "public"), ("center_provisioned", "nat.president"),
            ("center_activated", "nat.management")} <= events


@pytest.mark.parametrize(("criterion", "change"), [
    ("registration", {"legal_person": False}),
    ("experience", {"service_years": 0}),
    ("experience", {"local_clients": 1}),
    ("credit", {"major_complaints": 2}),
    ("credit", {"dishonest_listed": True}),
    ("staff", {"professional_staff": 2}),
])
def test_an_ineligible_application_ends_with_its_reasons(as_user, read, criterion, change):
    run = start_by_management(as_user, **change)
    assert run.instance()["status"] == "completed"
    assert run.open_tasks("nat.management") == []
    row = read(record_of(run))
    assert (row["status"], row["eligible"]) == ("ineligible", False)
    assert [u["criterion"] for u in row["unmet"]] == [criterion]
    assert row["rejection_reasons"] == [row["unmet"][0]["reason"]]
    assert row["rejection_reasons"][0].startswith({"registration": "公司注册资料",
                                                   "experience": "业务经验",
                                                   "credit": "信誉等级",
                                                   "staff": "人员素质"}[criterion])
    assert read(lambda: db.session.scalar(select(Center).where(Center.code == "hz"))) is None


def test_management_asks_for_more_then_rejects(as_user, read):
    run = start_by_management(as_user)
    run.assert_offered("task_review", NATIONAL_MANAGEMENT)
    run.complete("nat.management", "task_review",
                 {"review_decision": "more_info", "review_comment": "请补充团队资质证明"})
    run.assert_offered("task_supplement", NATIONAL_MANAGEMENT)
    more = {k: application()[k] for k in ("legal_person", "service_years", "local_clients",
                                          "local_market", "major_complaints",
                                          "dishonest_listed", "professional_staff")}
    run.complete("nat.management", "task_supplement",
                 {**more, "professional_staff": 15, "team_description": "新增3名顾问",
                  "supplement_note": "已补充资质证书"})
    run.assert_offered("task_review", NATIONAL_MANAGEMENT)
    run.complete("nat.management", "task_review",
                 {"review_decision": "reject", "review_comment": "本地市场重叠，暂不设立"})
    assert run.instance()["status"] == "completed"
    row = read(record_of(run))
    assert (row["status"], row["review_decision"]) == ("rejected", "reject")
    assert row["rejection_reasons"] == ["本地市场重叠，暂不设立"]
    assert row["data"]["professional_staff"] == 15
    assert [(s["note"], s["by"]) for s in row["supplements"]] == [
        ("已补充资质证书", "nat.management")]
    assert row["source"] == "management" and row["settlement"] is None
    assert [n for n, _ in run.who_completed()] == [
        "填写准入申请", "管理部审核", "补充申请资料", "管理部审核"]


def test_the_president_rejects(as_user, read):
    run = start_by_management(as_user)
    run.complete("nat.management", "task_review",
                 {"review_decision": "approve", "review_comment": "同意"})
    run.complete("nat.finance", "task_settlement", SETTLEMENT)
    run.complete("nat.president", "task_approval",
                 {"approval_decision": "reject", "approval_comment": "区域规划调整"})
    assert run.instance()["status"] == "completed"
    row = read(record_of(run))
    assert (row["status"], row["approval_decision"], row["approved_by"]) == (
        "rejected", "reject", "nat.president")
    assert row["rejection_reasons"] == ["区域规划调整"] and row["center_id"] is None
    assert read(lambda: db.session.scalar(select(User).where(
        User.username == "hz.president"))) is None
    assert ("总裁审批", "nat.president") in run.who_completed()
