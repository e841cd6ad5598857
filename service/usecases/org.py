"""The organisation: the demo seed and user look-ups."""

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from service.models import Center, User, UserRole, db

DEMO_CENTERS = (
    ("national", "national", "国家服务中心", "National Service Center", None),
    ("sh", "city", "上海服务中心", "Shanghai Service Center", "national"),
    ("sz", "city", "深圳服务中心", "Shenzhen Service Center", "national"),
)

DEMO_USERS = (
    ("admin", "national", ("admin",), "系统管理员"),
    ("owner", "national", ("process_owner",), "流程负责人"),
    ("nat.president", "national", ("national_president",), "国家中心总裁"),
    ("nat.management", "national", ("national_management",), "国家中心管理部"),
    ("nat.media", "national", ("national_media",), "国家中心媒体部"),
    ("nat.finance", "national", ("national_finance",), "国家中心财务部"),
    ("nat.tech", "national", ("national_tech",), "国家中心技术部"),
    ("nat.training", "national", ("national_training",), "国家中心培训部"),
    ("sh.president", "sh", ("city_president",), "上海中心总裁"),
    ("sh.management", "sh", ("city_management",), "上海中心管理部"),
    ("sh.advisor", "sh", ("advisor",), "上海服务顾问"),
    ("sh.advisor2", "sh", ("advisor",), "上海服务顾问二"),
    ("sz.president", "sz", ("city_president",), "深圳中心总裁"),
    ("sz.management", "sz", ("city_management",), "深圳中心管理部"),
    ("sz.advisor", "sz", ("advisor",), "深圳服务顾问"),
)


def seed_demo() -> tuple[int, int]:
    """Create the demo centers and users that are missing; return how many were added."""
    centers = {c.code: c for c in db.session.scalars(select(Center))}
    added_centers = 0
    for code, kind, name_zh, name_en, parent in DEMO_CENTERS:
        if code not in centers:
            center = Center(code=code, kind=kind, name_zh=name_zh, name_en=name_en,
                            parent_id=centers[parent].id if parent else None, status="active")
            db.session.add(center)
            db.session.flush()
            centers[code] = center
            added_centers += 1
    existing = set(db.session.scalars(select(User.username)))
    password_hash = generate_password_hash(current_app.config["DEMO_PASSWORD"],
                                           method=current_app.config["PASSWORD_HASH_METHOD"])
    added_users = 0
    for username, center, roles, display in DEMO_USERS:
        if username in existing:
            continue
        user = User(username=username, display_name=display, center_id=centers[center].id,
                    password_hash=password_hash, email=f"{username}@linkpass.example",
                    active=True)
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
        added_users += 1
    db.session.commit()
    return added_centers, added_users
