"""Turn organisation models into the API's plain dicts."""

from service import clock
from service.usecases import org_admin, passwords


def center(row, counts: dict | None = None) -> dict:
    return {"code": row.code, "kind": row.kind, "name_zh": row.name_zh,
            "name_en": row.name_en, "region": row.region, "status": row.status,
            "presidents": [u.username for u in org_admin.presidents(row)],
            "users": (counts if counts is not None else org_admin.user_counts()).get(row.id, 0)}


def user(row) -> dict:
    return {"username": row.username, "display_name": row.display_name, "email": row.email,
            "phone": row.phone, "center": row.center.code, "roles": sorted(row.roles),
            "active": row.active, "invited": passwords.awaits_password(row),
            "locked": row.locked_until is not None and row.locked_until > clock.now(),
            "sso": row.sso_subject is not None}


def change(event) -> dict:
    return {"id": event.id, "action": event.action, "actor": event.actor,
            "details": event.details, "created_at": event.created_at}


def task(row) -> dict:
    return {"id": row.id, "name": row.name, "instance_id": row.instance_id,
            "process": row.process_key, "role": row.role,
            "assignee": row.assignee.username if row.assignee else None,
            "status": row.status, "created_at": row.created_at, "due_at": row.due_at}
