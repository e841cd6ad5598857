"""Bulk-load staff, instances, tasks and CRM rows: COPY on PostgreSQL, executemany on SQLite."""

import json
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, text

from service import clock
from service.models import Center, ProcessVersion, User, db

# (bpmn id, name, role) per process: the lanes and user tasks of processes/*.bpmn.
STEPS = {
    "enterprise_service": [
        ("task_assign_advisor", "分配服务顾问", "city_management"),
        ("task_collect_needs", "1 客户需求收集", "advisor"),
        ("task_draft_plan", "3 个性化方案制定", "advisor"),
        ("task_confirm_plan", "4 方案确认与调整", "advisor"),
        ("task_execution_plan", "5 执行计划制定", "advisor"),
        ("task_deliver", "6 服务实施", "advisor"),
        ("task_materials", "7 资料整理与转交", "advisor"),
        ("task_escalation", "认证超期督办", "city_president"),
        ("task_evaluate", "9 服务质量评估", "advisor"),
        ("task_quality_review", "服务质量复核", "city_management"),
        ("task_archive", "10 客户档案归档", "advisor"),
    ],
    "center_onboarding": [
        ("task_review", "管理部审核", "national_management"),
        ("task_settlement", "结算设置", "national_finance"),
        ("task_approval", "总裁审批", "national_president"),
        ("task_training", "中心人员培训", "national_training"),
        ("task_activation", "启用城市中心", "national_management"),
    ],
    "advisor_onboarding": [
        ("task_propose", "提名服务顾问", "city_management"),
        ("task_assess", "培训与考核", "national_training"),
        ("task_activate", "启用服务顾问", "city_president"),
    ],
}
PROCESS_WEIGHTS = {"enterprise_service": 0.8, "center_onboarding": 0.05,
                   "advisor_onboarding": 0.15}
INDUSTRIES = ("制造业", "软件", "零售", "物流", "医药", "教育", "金融", "餐饮", "建筑", "农业",
              "能源", "传媒", "旅游", "环保", "汽车", "化工", "纺织", "电子", "食品", "咨询")
CITY_ROLES = ("city_president", "city_management")


@dataclass(frozen=True)
class Shape:
    """How much to seed and how it spreads."""

    instances: int
    tasks_per_instance: int = 10
    cities: int = 40  # city centers, sh and sz included
    busy_share: float = 0.2  # of the instances in sh, the busy center
    open_share: float = 0.3  # instances still running, each with one open task
    advisors: int = 3  # per city center (sh gets three times as many)
    city_only: bool = False  # open tasks only for city roles (all in the instance's center)


class Writer:
    """Append rows to a table: COPY on PostgreSQL, Core executemany on SQLite."""

    def __init__(self, conn):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table: str, columns: tuple[str, ...], rows) -> None:
        count = 0
        if self.postgres:
            cursor = self.conn.connection.driver_connection.cursor()
            with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([json.dumps(v, ensure_ascii=False)
                                    if isinstance(v, dict | list) else v for v in row])
                    count += 1
        else:
            target = db.metadata.tables[table]
            chunk = []
            for row in rows:
                chunk.append(dict(zip(columns, row, strict=True)))
                if len(chunk) == 5000:
                    self.conn.execute(target.insert(), chunk)
                    count, chunk = count + len(chunk), []
            if chunk:
                self.conn.execute(target.insert(), chunk)
                count += len(chunk)
        self.counts[table] = self.counts.get(table, 0) + count


def _next_id(conn, table: str) -> int:
    return (conn.execute(text(f'SELECT max(id) FROM "{table}"')).scalar() or 0) + 1


def _organisation(writer: Writer, shape: Shape) -> dict:
    """Add city centers and their staff beside the demo ones; return who is where."""
    conn = writer.conn
    centers = {c.code: c.id for c in conn.execute(select(Center.code, Center.id))}
    new_centers, center_id = [], _next_id(conn, "center")
    for number in range(3, shape.cities + 1):
        code = f"c{number:02d}"
        new_centers.append((center_id, code, "city", f"城市中心{number:02d}",
                            f"City Center {number:02d}", centers["national"], "active"))
        centers[code] = center_id
        center_id += 1
    writer.write("center", ("id", "code", "kind", "name_zh", "name_en", "parent_id", "status"),
                 new_centers)
    password = conn.execute(select(User.password_hash).where(User.username == "sh.advisor")
                            ).scalar()
    users, roles = [], []
    user_id, role_id = _next_id(conn, "user"), _next_id(conn, "user_role")
    for code in [c for c in centers if c != "national"]:
        staff = [("president", "city_president"), ("management", "city_management")]
        staff += [(f"advisor{n}", "advisor")
                  for n in range(3, shape.advisors * (3 if code == "sh" else 1) + 3)]
        for name, role in staff:
            users.append((user_id, f"{code}.{name}.bench", f"{code} {name}", password,
                          centers[code], True, 0))
            roles.append((role_id, user_id, role))
            user_id, role_id = user_id + 1, role_id + 1
    writer.write("user", ("id", "username", "display_name", "password_hash", "center_id",
                          "active", "failed_logins"), users)
    writer.write("user_role", ("id", "user_id", "role"), roles)
    staff: dict[tuple[int, str], list[int]] = {}
    for uid, center, role in conn.execute(text(
            'SELECT u.id, u.center_id, r.role FROM "user" u JOIN user_role r ON r.user_id = u.id')):
        staff.setdefault((center, role), []).append(uid)
    return {"centers": centers, "staff": staff}


def _center_picker(rng: random.Random, shape: Shape, centers: dict):
    cities = [c for c in centers if c not in ("national", "sh")]

    def pick() -> str:
        return "sh" if rng.random() < shape.busy_share else rng.choice(cities)
    return pick


def seed(shape: Shape, seed_value: int = 7) -> dict:
    """Seed the database of the current app; return row counts."""
    rng = random.Random(seed_value)
    versions = {key: vid for key, vid in db.session.execute(
        select(ProcessVersion.key, func.max(ProcessVersion.id)).group_by(ProcessVersion.key))}
    conn = db.session.connection()
    writer = Writer(conn)
    org = _organisation(writer, shape)
    centers, staff = org["centers"], org["staff"]
    pick_center = _center_picker(rng, shape, centers)
    keys = [k for k in PROCESS_WEIGHTS if k in versions]
    weights = [PROCESS_WEIGHTS[k] for k in keys]
    now = clock.now()
    first_instance = _next_id(conn, "instance")
    first_customer, first_engagement = _next_id(conn, "customer"), _next_id(conn, "engagement")
    drafts = []  # running instances are the recent ones; ended ones go back two years
    for _ in range(shape.instances):
        running = rng.random() < shape.open_share
        status = "running" if running else rng.choice(("completed",) * 9 + ("terminated",))
        created = (now - timedelta(hours=6 * shape.tasks_per_instance)  # every task is past
                   - timedelta(days=30 if running else 730) * rng.random())
        drafts.append((created, rng.choices(keys, weights)[0], pick_center(), status))
    # Ids and rows in creation order, as a live system writes them.
    plan = [(first_instance + n, key, code, status, created)
            for n, (created, key, code, status) in enumerate(sorted(drafts))]
    city_of = {code: f"城市{code}" for code in centers}
    city_of.update(sh="上海", sz="深圳", national="北京")

    def label(iid: int, key: str) -> str:  # as client_refs.refresh_labels() names them
        return f"客户{iid}科技有限公司" if key == "enterprise_service" else f"BK-{iid:07d}"

    def instance_rows():
        for iid, key, code, status, created in plan:
            data = {"client": {"name": f"客户{iid}", "city": city_of[code]},
                    "credit_code": f"91{iid:016d}", "industry": rng.choice(INDUSTRIES),
                    "amount": rng.randrange(10000), "priority": rng.choice(("high", "normal"))}
            ended = min(created + timedelta(days=20), now) if status != "running" else None
            yield (iid, versions[key], key, status, f"BK-{iid:07d}", label(iid, key),
                   centers[code], data, 1, created, ended or created, ended)
    writer.write("instance", ("id", "process_version_id", "process_key", "status",
                              "business_key", "client_label", "center_id", "data", "lock_version",
                              "created_at", "updated_at", "ended_at"), instance_rows())
    candidates = []

    def task_rows():
        for iid, key, code, status, created in plan:
            steps = STEPS[key]
            offset = rng.randrange(len(steps))  # open tasks sit at every step of the flow
            for k in range(shape.tasks_per_instance):
                bpmn_id, name, role = steps[(offset + k) % len(steps)]
                last = k == shape.tasks_per_instance - 1
                if last and status == "running" and shape.city_only and role.startswith("nat"):
                    role = rng.choice(("advisor", "advisor") + CITY_ROLES)
                center = centers["national" if role.startswith("national") else code]
                people = staff.get((center, role)) or [None]
                at = created + timedelta(hours=6 * k)
                due = at + timedelta(days=3) if rng.random() < 0.75 else None
                task_id = str(uuid.UUID(int=rng.getrandbits(128)))
                restricted = rng.random() < 0.03 and people[0] is not None
                if restricted:
                    for uid in set(rng.sample(people, min(len(people), rng.choice((1, 2))))):
                        candidates.append((task_id, uid))
                who = rng.choice(people)
                if last and status == "running":
                    due = now + timedelta(hours=rng.uniform(-120, 240)) if due else None
                    claimed = rng.random() < 0.4
                    yield (task_id, iid, key, bpmn_id, name, label(iid, key), role, center,
                           "claimed" if claimed else "ready",
                           restricted, who if claimed else None, at, due, None, None)
                else:
                    final = "cancelled" if last and status == "terminated" else "completed"
                    done = at + timedelta(hours=2)
                    yield (task_id, iid, key, bpmn_id, name, label(iid, key), role, center,
                           final, restricted,
                           who, at, due, done if final == "completed" else None,
                           who if final == "completed" else None)
    writer.write("task", ("id", "instance_id", "process_key", "bpmn_id", "name", "client_label",
                          "role", "center_id", "status", "restricted", "assignee_id",
                          "created_at", "due_at", "completed_at", "completed_by_id"),
                 # A task row is written when the task is created: open ones are the newest.
                 sorted(task_rows(), key=lambda row: row[11]))
    writer.write("task_candidate", ("task_id", "user_id"), candidates)
    served = [(iid, code, created) for iid, key, code, _s, created in plan
              if key == "enterprise_service"]
    writer.write("customer", ("id", "center_id", "credit_code", "name", "industry",
                              "created_by", "created_at", "updated_at"),
                 ((first_customer + n, centers[code], f"91{iid:016d}",
                   label(iid, "enterprise_service"), rng.choice(INDUSTRIES), "bench", created,
                   created)
                  for n, (iid, code, created) in enumerate(served)))
    writer.write("engagement", ("id", "center_id", "customer_id", "instance_id", "channel",
                                "stage", "status", "certification_required", "opened_at"),
                 ((first_engagement + n, centers[code], first_customer + n, iid, "inquiry",
                   "needs", "open", False, created)
                  for n, (iid, code, created) in enumerate(served)))
    if writer.postgres:  # later inserts through the ORM take ids after the seeded ones
        for table in ("center", "user", "user_role", "instance", "customer", "engagement"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                              f"(SELECT max(id) FROM \"{table}\"))"))
        conn.execute(text("ANALYZE"))
    db.session.commit()
    return writer.counts
