"""The ten-step enterprise service flow, driven through the REST API as the demo users."""

from datetime import UTC, datetime, timedelta

from domain_kit import (
    ADVISOR,
    CODE_A,
    Run,
    archive,
    confirmation,
    crm_record,
    delivery,
    evaluation,
    execution,
    finish,
    materials,
    needs,
    plan,
    register_body,
    send_result,
    start_by_call,
    to_certification,
    upload,
)
from sqlalchemy import select

BEIJING = timedelta(hours=8)


def through_confirmation(run: Run, services=("consulting", "certification")) -> None:
    """Steps 1-4 on the happy path, each offered only to the owning advisor."""
    run.assert_offered("task_collect_needs", ADVISOR)
    run.complete("sh.advisor", "task_collect_needs", needs())
    run.assert_offered("task_draft_plan", ADVISOR)
    run.complete("sh.advisor", "task_draft_plan", plan(services))
    run.assert_offered("task_confirm_plan", ADVISOR)
    run.complete("sh.advisor", "task_confirm_plan", confirmation())


def through_delivery(run: Run, attachments=()) -> None:
    """Steps 5-6: two rows, each delivered by its own owner."""
    run.assert_offered("task_execution_plan", ADVISOR)
    run.complete("sh.advisor", "task_execution_plan", execution("sh.advisor", "sh.advisor2"))
    run.assert_offered("task_deliver", {"sh.advisor", "sh.advisor2"})
    mine = run.open_tasks("sh.advisor", "task_deliver")
    theirs = run.open_tasks("sh.advisor2", "task_deliver")
    assert len(mine) == len(theirs) == 1 and mine[0]["id"] != theirs[0]["id"]
    assert mine[0]["assignee"] == "sh.advisor" and theirs[0]["assignee"] == "sh.advisor2"
    # The second row is delivered first: each record still lands on its own row.
    run.as_user("sh.advisor2").complete(theirs[0]["id"], delivery("完成内审员培训"))
    run.as_user("sh.advisor").complete(mine[0]["id"], delivery(attachments=attachments))


def test_happy_path_records_every_step(as_user, client, read):
    key = register_body(as_user)
    run = start_by_call(as_user)
    through_confirmation(run)
    engagement_id = run.data["engagement"]["id"]
    customer_id = run.data["profile"]["customer_id"]
    manual = upload(as_user("sh.advisor"), customer_id).json["id"]
    through_delivery(run, attachments=[manual])
    report = upload(as_user("sh.advisor"), customer_id, "内审报告.pdf").json["id"]
    run.assert_offered("task_materials", ADVISOR)
    run.complete("sh.advisor", "task_materials", materials([manual, report]))
    assert run.instance()["status"] == "waiting"
    response = send_result(client, key, engagement_id, "passed", certificate_no="CQC-2026-001",
                           note="审核通过")
    assert response.status_code == 200, response.json
    run.assert_offered("task_evaluate", ADVISOR)
    run.complete("sh.advisor", "task_evaluate", evaluation())
    run.assert_offered("task_archive", ADVISOR)
    run.complete("sh.advisor", "task_archive", archive())
    assert run.instance()["status"] == "completed"

    crm = read(lambda: crm_record(engagement_id))
    e = crm["engagement"]
    assert (e["channel"], e["stage"], e["status"]) == ("phone", "archived", "closed")
    assert e["needs"] == ["consulting", "certification"]
    assert e["expectations"] == "半年内通过ISO 9001认证"
    assert e["certification_required"] is True and e["certification_outcome"] == "passed"
    assert e["archived_by"] == "sh.advisor" and e["archive_summary"] == "服务完成，资料齐全"
    assert e["archived_at"] is not None and e["closed_at"] == e["archived_at"]
    assert e["instance_id"] == run.id and e["customer_id"] == customer_id
    c = crm["customer"]
    assert (c["credit_code"], c["name"], c["industry"], c["size"], c["created_by"]) == (
        CODE_A, "上海联通精密制造有限公司", "manufacturing", "small", "sh.advisor")
    assert [(k["name"], k["phone"], k["email"], k["title"]) for k in crm["contacts"]] == [
        ("王立", "13800138000", "wang.li@example.cn", "总经理")]
    first, second = crm["communications"]
    assert (first["kind"], first["channel"], first["place"], first["participants"]) == (
        "needs", "phone", "电话", ["sh.advisor", "王立"])
    assert first["occurred_at"] == datetime(2026, 5, 6, 10, 0, tzinfo=UTC) - BEIJING
    assert first["summary"] == "客户希望建立质量管理体系并取得认证"
    assert (second["kind"], second["place"], second["participants"]) == (
        "plan_confirmation", "客户会议室", ["sh.advisor", "王立"])
    assert second["summary"].startswith("方案第1版")
    [version] = crm["plans"]
    assert (version["number"], version["status"], version["services"]) == (
        1, "confirmed", ["consulting", "certification"])
    assert version["timetable"][0] == {"milestone": "体系文件完成", "date": "2026-06-30"}
    assert version["expected_results"] == "取得ISO 9001证书"
    assert [(i["item"], i["type"], i["status"]) for i in crm["items"]] == [
        ("事项1", "consulting", "done"), ("事项2", "training", "done")]
    records = crm["records"]
    assert [(r["recorded_by"], r["summary"]) for r in records] == [
        ("sh.advisor", "完成体系文件培训"), ("sh.advisor2", "完成内审员培训")]
    assert [r["execution_item_id"] for r in records] == [i["id"] for i in crm["items"]]
    assert records[0]["place"] == "客户工厂"
    assert records[0]["participants"] == ["王立", "质量部全体"]
    docs = {d["id"]: d for d in crm["documents"]}
    assert docs[manual]["service_record_id"] == records[0]["id"]
    assert docs[report]["engagement_id"] == engagement_id
    [cert] = crm["certifications"]
    assert (cert["round"], cert["status"], cert["certificate_no"], cert["documents"]) == (
        1, "passed", "CQC-2026-001", [manual, report])
    assert (cert["method"], cert["handed_over_by"], cert["reported_by"]) == (
        "online", "sh.advisor", "cert:cqc")
    assert cert["result_note"] == "审核通过" and cert["escalated_at"] is None
    f = crm["feedback"]
    assert (f["professional_attitude"], f["active_communication"], f["warmth"],
            f["results"], f["average"], f["review_required"]) == (5, 5, 4, 5, 4.75, False)
    assert f["evaluated_with"] == "王立" and f["recorded_by"] == "sh.advisor"

    assert run.who_completed() == [
        ("1 客户需求收集", "sh.advisor"), ("3 个性化方案制定", "sh.advisor"),
        ("4 方案确认与调整", "sh.advisor"), ("5 执行计划制定", "sh.advisor"),
        ("6 服务实施", "sh.advisor2"), ("6 服务实施", "sh.advisor"),
        ("7 资料整理与转交", "sh.advisor"), ("9 服务质量评估", "sh.advisor"),
        ("10 客户档案归档", "sh.advisor")]
    actions = {(action, actor) for action, actor, _ in run.events()}
    assert ("message_received", "cert:cqc") in actions
    assert ("certification_result", "cert:cqc") in actions
    assert ("engagement_archived", "sh.advisor") in actions


def test_two_adjustment_rounds_keep_every_plan_version(as_user, read):
    run = start_by_call(as_user)
    run.complete("sh.advisor", "task_collect_needs", needs())
    for round_, feedback in enumerate(("预算过高", "时间太紧"), start=1):
        run.complete("sh.advisor", "task_draft_plan", plan(content=f"方案草稿{round_}"))
        run.complete("sh.advisor", "task_confirm_plan", confirmation("adjust", feedback))
        run.assert_offered("task_draft_plan", ADVISOR)
    run.complete("sh.advisor", "task_draft_plan", plan(content="方案定稿"))
    run.complete("sh.advisor", "task_confirm_plan", confirmation("confirm", "同意"))
    run.assert_offered("task_execution_plan", ADVISOR)

    crm = read(lambda: crm_record(run.data["engagement"]["id"]))
    assert [(p["number"], p["content"], p["status"], p["client_feedback"])
            for p in crm["plans"]] == [(1, "方案草稿1", "adjust", "预算过高"),
                                       (2, "方案草稿2", "adjust", "时间太紧"),
                                       (3, "方案定稿", "confirmed", "同意")]
    talks = [c for c in crm["communications"] if c["kind"] == "plan_confirmation"]
    assert [t["summary"].split("\n")[0] for t in talks] == [
        "方案第1版 / plan v1: 客户要求调整 / adjust", "方案第2版 / plan v2: 客户要求调整 / adjust",
        "方案第3版 / plan v3: 客户确认方案 / confirmed"]
    assert crm["engagement"]["stage"] == "execution_plan"
    assert [name for name, _ in run.who_completed()] == [
        "1 客户需求收集", "3 个性化方案制定", "4 方案确认与调整", "3 个性化方案制定",
        "4 方案确认与调整", "3 个性化方案制定", "4 方案确认与调整"]


def test_no_certification_skips_step_seven(as_user, read):
    run = start_by_call(as_user)
    run.complete("sh.advisor", "task_collect_needs", needs(needs=["consulting", "training"]))
    run.complete("sh.advisor", "task_draft_plan", plan(("consulting", "training")))
    run.complete("sh.advisor", "task_confirm_plan", confirmation())
    run.complete("sh.advisor", "task_execution_plan", execution("sh.advisor"))
    run.complete("sh.advisor", "task_deliver", delivery())
    assert {t["bpmn_id"] for t in run.open_tasks("sh.advisor")} == {"task_evaluate"}
    finish(run)
    crm = read(lambda: crm_record(run.data["engagement"]["id"]))
    assert crm["engagement"]["certification_required"] is False
    assert crm["engagement"]["certification_outcome"] is None
    assert crm["certifications"] == [] and crm["engagement"]["stage"] == "archived"
    assert "7 资料整理与转交" not in [name for name, _ in run.who_completed()]


def test_more_material_then_passed(as_user, client, read):
    key = register_body(as_user)
    run, engagement_id, customer_id, docs = to_certification(as_user)
    response = send_result(client, key, engagement_id, "more_material", note="缺少内审记录")
    assert response.status_code == 200, response.json
    run.assert_offered("task_materials", ADVISOR)
    extra = upload(as_user("sh.advisor"), customer_id, "内审记录.docx",
                   b"PK\x03\x04 docx").json["id"]
    run.complete("sh.advisor", "task_materials", materials(docs + [extra]))
    assert send_result(client, key, engagement_id, "passed",
                       certificate_no="CQC-2").status_code == 200
    finish(run)
    crm = read(lambda: crm_record(engagement_id))
    assert [(c["round"], c["status"], c["documents"], c["result_note"], c["certificate_no"])
            for c in crm["certifications"]] == [
        (1, "more_material", docs, "缺少内审记录", None),
        (2, "passed", docs + [extra], None, "CQC-2")]
    assert crm["engagement"]["certification_outcome"] == "passed"
    assert [name for name, _ in run.who_completed()].count("7 资料整理与转交") == 2


def test_failed_certification_still_evaluates_and_archives(as_user, client, read):
    key = register_body(as_user)
    run, engagement_id, _, _ = to_certification(as_user)
    assert send_result(client, key, engagement_id, "failed",
                       note="体系运行不足三个月").status_code == 200
    finish(run, (4, 4, 4, 3))
    crm = read(lambda: crm_record(engagement_id))
    [cert] = crm["certifications"]
    assert (cert["status"], cert["result_note"], cert["reported_by"]) == (
        "failed", "体系运行不足三个月", "cert:cqc")
    assert crm["engagement"]["certification_outcome"] == "failed"
    assert crm["feedback"]["average"] == 3.75


def test_thirty_days_without_result_escalate_to_the_city_president(as_user, client, read,
                                                                   run_worker):
    from service import clock

    key = register_body(as_user)
    run, engagement_id, _, _ = to_certification(as_user)
    clock.advance(timedelta(days=29))
    run_worker()
    assert run.offered("task_escalation") == set()
    clock.advance(timedelta(days=2))
    assert run_worker() >= 1
    run.assert_offered("task_escalation", {"sh.president"})
    assert run.instance()["status"] == "running"  # still waiting for the result as well
    run.complete("sh.president", "task_escalation",
                 {"action": "chased_body", "note": "已致电认证机构催办"})
    assert send_result(client, key, engagement_id, "passed").status_code == 200
    finish(run)
    crm = read(lambda: crm_record(engagement_id))
    [cert] = crm["certifications"]
    assert (cert["escalated_by"], cert["escalation_action"], cert["escalation_note"]) == (
        "sh.president", "chased_body", "已致电认证机构催办")
    assert cert["status"] == "passed" and cert["escalated_at"] > cert["handed_over_at"]
    assert ("认证超期督办", "sh.president") in run.who_completed()
    assert ("certification_escalated", "sh.president") in {(a, u) for a, u, _ in run.events()}


def test_a_low_evaluation_reaches_the_city_president(as_user, read):
    run = start_by_call(as_user)
    run.complete("sh.advisor", "task_collect_needs", needs(needs=["consulting"]))
    run.complete("sh.advisor", "task_draft_plan", plan(("consulting",)))
    run.complete("sh.advisor", "task_confirm_plan", confirmation())
    run.complete("sh.advisor", "task_execution_plan", execution("sh.advisor"))
    run.complete("sh.advisor", "task_deliver", delivery())
    run.complete("sh.advisor", "task_evaluate", evaluation((2, 3, 2, 2), "回复太慢"))
    run.assert_offered("task_quality_review", {"sh.president"})
    assert run.open_tasks("sh.advisor") == []
    run.complete("sh.president", "task_quality_review",
                 {"findings": "顾问响应不及时", "actions": "加强培训，48小时内回复"})
    run.complete("sh.advisor", "task_archive", archive())
    crm = read(lambda: crm_record(run.data["engagement"]["id"]))
    f = crm["feedback"]
    assert (f["average"], f["review_required"], f["comments"]) == (2.25, True, "回复太慢")
    assert (f["review_findings"], f["review_actions"], f["reviewed_by"]) == (
        "顾问响应不及时", "加强培训，48小时内回复", "sh.president")
    assert ("服务质量复核", "sh.president") in run.who_completed()


def test_seven_days_without_an_answer_remind_the_advisor(as_user, read, run_worker):
    from service import clock
    from service.models import Notification, db

    run = start_by_call(as_user)
    run.complete("sh.advisor", "task_collect_needs", needs())
    run.complete("sh.advisor", "task_draft_plan", plan())
    clock.advance(timedelta(days=7, hours=1))
    assert run_worker() >= 1
    run.assert_offered("task_confirm_plan", ADVISOR)  # the reminder does not interrupt
    reminders = read(lambda: [(n.kind, n.address) for n in db.session.scalars(
        select(Notification).where(Notification.kind == "crm_reminder"))])
    assert reminders == [("crm_reminder", "sh.advisor@linkpass.example")]
    assert ("plan_confirmation_reminder", "worker") in {(a, u) for a, u, _ in run.events()}
    run.complete("sh.advisor", "task_confirm_plan", confirmation())
    run.assert_offered("task_execution_plan", ADVISOR)
