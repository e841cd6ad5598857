"""Drive the Link Pass processes through the REST API as the demo users; read the CRM back."""

import io

from sqlalchemy import select

from service.models import (
    Certification,
    Communication,
    Customer,
    Document,
    Engagement,
    ExecutionItem,
    Feedback,
    PlanVersion,
    ServiceRecord,
    User,
    db,
)
from service.usecases.credit_code import check_character

NATIONAL = ("admin", "owner", "nat.president", "nat.management", "nat.media", "nat.finance",
            "nat.tech", "nat.training")
SH = ("sh.president", "sh.management", "sh.advisor", "sh.advisor2")
SZ = ("sz.president", "sz.management", "sz.advisor")
DEMO = NATIONAL + SH + SZ
OPEN = ("ready", "claimed")
ADVISOR = {"sh.advisor"}


def credit_code(first17: str) -> str:
    """Return a valid unified social credit code completing the first 17 characters."""
    return first17 + check_character(first17)


CODE_A = credit_code("91310000MA1FL8XQ3")
CODE_B = credit_code("91310115MA1K3L0B5")
CODE_C = credit_code("91440300MA5FXT7K1")
BAD_CODE = CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1")


class Run:
    """One instance, driven task by task as the right users."""

    def __init__(self, as_user, instance_id: int, center: str = "sh"):
        self.as_user, self.id, self.center = as_user, instance_id, center

    def open_tasks(self, username: str, bpmn_id: str | None = None) -> list[dict]:
        api = self.as_user(username)
        seen = {t["id"]: t for scope in ("candidate", "mine") for t in api.tasks(scope)}
        return [t for t in seen.values() if t["instance_id"] == self.id and t["status"] in OPEN
                and (bpmn_id is None or t["bpmn_id"] == bpmn_id)]

    def offered(self, bpmn_id: str) -> set[str]:
        """Return the demo users who find this task in their inbox (offered or assigned)."""
        return {u for u in DEMO if self.open_tasks(u, bpmn_id)}

    def assert_offered(self, bpmn_id: str, expected: set[str]) -> None:
        """Exactly these users are offered the task; the other city cannot even read it."""
        assert self.offered(bpmn_id) == expected, bpmn_id
        other = {"sh": SZ, "sz": SH, "national": SH + SZ}[self.center]
        task_ids = [t["id"] for u in expected for t in self.open_tasks(u, bpmn_id)]
        assert task_ids, f"{bpmn_id} is open"
        for username in other:
            api = self.as_user(username)
            assert all(t["instance_id"] != self.id for t in api.tasks("all"))
            for task_id in task_ids:
                assert api.get(f"/api/v1/tasks/{task_id}").status_code == 404

    def task(self, username: str, bpmn_id: str) -> dict:
        found = self.open_tasks(username, bpmn_id)
        assert found, f"{username} has no open {bpmn_id} in instance {self.id}"
        return found[0]

    def complete(self, username: str, bpmn_id: str, data: dict, expect: int = 200) -> dict:
        task = self.task(username, bpmn_id)
        return self.as_user(username).complete(task["id"], data, expect=expect)

    def instance(self) -> dict:
        return self.as_user("admin").instance(self.id)

    @property
    def data(self) -> dict:
        return self.instance()["data"]

    def events(self) -> list[tuple[str, str, dict]]:
        response = self.as_user("admin").get(f"/api/v1/instances/{self.id}/events")
        assert response.status_code == 200
        return [(e["action"], e["actor"], e["details"]) for e in response.json]

    def who_completed(self) -> list[tuple[str, str]]:
        """Return (task name, username) of every completed task, in order."""
        return [(d["name"], actor) for action, actor, d in self.events()
                if action == "task_completed"]


# ------------------------------------------------------------------ form data

def needs(**over) -> dict:
    data = {"company_name": "上海联通精密制造有限公司", "credit_code": CODE_A,
            "industry": "manufacturing", "size": "small", "contact_name": "王立",
            "contact_phone": "13800138000", "contact_email": "wang.li@example.cn",
            "contact_title": "总经理", "needs": ["consulting", "certification"],
            "expectations": "半年内通过ISO 9001认证", "channel": "phone",
            "contacted_at": "2026-05-06T10:00", "place": "电话",
            "summary": "客户希望建立质量管理体系并取得认证"}
    return {**data, **over}


def plan(services=("consulting", "certification"), **over) -> dict:
    data = {"content": "质量管理体系咨询与认证辅导", "services": list(services),
            "timetable": [{"milestone": "体系文件完成", "date": "2026-06-30"},
                          {"milestone": "认证审核", "date": "2026-09-30"}],
            "expected_results": "取得ISO 9001证书"}
    return {**data, **over}


def confirmation(decision: str = "confirm", feedback: str = "", **over) -> dict:
    data = {"decision": decision, "client_feedback": feedback,
            "contacted_at": "2026-05-10T15:30", "place": "客户会议室",
            "participants": ["sh.advisor", "王立"]}
    return {**data, **over}


def execution(*owners: str) -> dict:
    kinds = ("consulting", "training", "certification", "other")
    return {"items": [{"item": f"事项{i + 1}", "type": kinds[i % len(kinds)], "owner": owner,
                       "due_date": "2026-07-31"} for i, owner in enumerate(owners)]}


def delivery(summary: str = "完成体系文件培训", attachments=()) -> dict:
    return {"occurred_at": "2026-06-15T09:00", "place": "客户工厂",
            "participants": ["王立", "质量部全体"], "summary": summary,
            "attachments": list(attachments)}


def materials(documents, body: str = "cqc") -> dict:
    return {"documents": list(documents), "body": body,
            "handed_over_at": "2026-07-01T10:00+08:00", "method": "online",
            "handover_note": "体系文件与内审记录"}


def evaluation(scores=(5, 5, 4, 5), comments: str = "服务周到") -> dict:
    attitude, communication, warmth, results = scores
    return {"professional_attitude": attitude, "active_communication": communication,
            "warmth": warmth, "results": results, "comments": comments,
            "evaluated_with": "王立", "evaluated_at": "2026-10-10T14:00"}


def archive() -> dict:
    return {"archive_summary": "服务完成，资料齐全", "confirmed": True}


def upload(api, customer_id: int, name: str = "体系文件.pdf", content: bytes = b"%PDF-1.7 x",
           **form):
    return api.post(f"/api/v1/customers/{customer_id}/documents",
                    data={"file": (io.BytesIO(content), name), **form},
                    content_type="multipart/form-data")


# ------------------------------------------------------------------ shortcuts

def register_body(as_user, code: str = "cqc") -> str:
    """National management registers a certification body; return its API key."""
    response = as_user("nat.management").post("/api/v1/certification-bodies", json={
        "code": code, "name": "中国质量认证中心", "contact_email": "audit@cqc.example"})
    assert response.status_code == 201, response.json
    return response.json["api_key"]


def send_result(client, key: str, engagement_id: int, outcome: str, **extra):
    return client.post("/api/v1/messages", headers={"Authorization": f"Bearer {key}"}, json={
        "name": "certification_result", "correlation_key": str(engagement_id),
        "payload": {"outcome": outcome, **extra}})


def start_by_call(as_user) -> Run:
    started = as_user("sh.advisor").start("enterprise_service")
    return Run(as_user, started["id"])


def to_certification(as_user, key_owner: str = "cqc") -> tuple[Run, int, int, list[int]]:
    """Run steps 1-7 quickly; return the run, engagement, customer and handed-over documents."""
    run = start_by_call(as_user)
    run.complete("sh.advisor", "task_collect_needs", needs())
    run.complete("sh.advisor", "task_draft_plan", plan())
    run.complete("sh.advisor", "task_confirm_plan", confirmation())
    run.complete("sh.advisor", "task_execution_plan", execution("sh.advisor"))
    run.complete("sh.advisor", "task_deliver", delivery())
    customer_id = run.data["profile"]["customer_id"]
    doc = upload(as_user("sh.advisor"), customer_id).json["id"]
    run.complete("sh.advisor", "task_materials", materials([doc], key_owner))
    return run, run.data["engagement"]["id"], customer_id, [doc]


def finish(run: Run, scores=(5, 5, 5, 5)) -> None:
    run.complete("sh.advisor", "task_evaluate", evaluation(scores))
    run.complete("sh.advisor", "task_archive", archive())
    assert run.instance()["status"] == "completed"


# ------------------------------------------------------------------ CRM read-back

def columns(row) -> dict | None:
    if row is None:
        return None
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def crm_record(engagement_id: int) -> dict:
    """Return every CRM row of an engagement as plain dicts (call inside an app context)."""
    engagement = db.session.get(Engagement, engagement_id)

    def rows(model, order):
        return [columns(r) for r in db.session.scalars(
            select(model).where(model.engagement_id == engagement_id).order_by(order))]

    customer = db.session.get(Customer, engagement.customer_id) if engagement.customer_id \
        else None
    return {
        "engagement": columns(engagement),
        "customer": columns(customer),
        "contacts": [columns(c) for c in customer.contacts] if customer else [],
        "communications": rows(Communication, Communication.id),
        "plans": rows(PlanVersion, PlanVersion.number),
        "items": rows(ExecutionItem, ExecutionItem.position),
        "records": rows(ServiceRecord, ServiceRecord.id),
        "documents": rows(Document, Document.id),
        "certifications": rows(Certification, Certification.round),
        "feedback": columns(db.session.scalar(select(Feedback).where(
            Feedback.engagement_id == engagement_id))),
    }


def username_of(user_id: int) -> str:
    return db.session.get(User, user_id).username


def accept_invitation(client, read, username: str, password: str) -> int:
    """Choose the invited user's password from their invitation mail; return the status."""
    import re

    from service.models import Notification

    body = read(lambda: db.session.scalars(select(Notification.body).join(
        User, Notification.user_id == User.id).where(
        User.username == username, Notification.kind == "invitation")).one())
    token = re.search(r"/org/invite/(\S+)", body).group(1)
    return client.post("/api/v1/org/invitations/accept",
                       json={"token": token, "password": password}).status_code


def sign_in(client, username: str, password: str) -> int:
    return client.post("/api/v1/auth/token",
                       json={"username": username, "password": password}).status_code
