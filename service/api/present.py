"""Turn models into the API's plain dicts (dumped by the response schemas)."""


def process(version, detail: bool = False) -> dict:
    info = version.info or {}
    return {
        "key": version.key, "name": version.name, "kind": version.kind,
        "version": version.version, "deployed_at": version.deployed_at,
        "deployed_by": version.deployed_by.username if version.deployed_by else None,
        "user_tasks": info.get("user_tasks", []),
        "message_starts": info.get("message_starts", []),
    }


def versions(versions_, counts: dict) -> dict:
    last = versions_[-1]
    return {
        "key": last.key, "name": last.name, "kind": last.kind,
        "versions": [{
            "version": v.version, "content_hash": v.content_hash, "deployed_at": v.deployed_at,
            "deployed_by": v.deployed_by.username if v.deployed_by else None,
            "running_instances": counts.get(v.version, 0),
        } for v in versions_],
    }


def task(row) -> dict:
    return {
        "id": row.id, "name": row.name, "bpmn_id": row.bpmn_id, "instance_id": row.instance_id,
        "process": row.process_key, "lane": row.lane, "role": row.role,
        "center": row.center.code, "assignee": row.assignee.username if row.assignee else None,
        "status": row.status, "created_at": row.created_at, "due_at": row.due_at,
        "completed_at": row.completed_at,
    }


def instance(row, tasks=(), incidents=()) -> dict:
    return {
        "id": row.id, "process": row.process_key, "version": row.process_version.version,
        "status": row.status, "business_key": row.business_key, "center": row.center.code,
        "data": row.data, "created_at": row.created_at, "updated_at": row.updated_at,
        "ended_at": row.ended_at, "tasks": [task(t) for t in tasks],
        "incidents": [{"id": i.id, "element_id": i.element_id, "message": i.message,
                       "line": i.line, "created_at": i.created_at} for i in incidents],
    }


def page(items, total: int, page_: int, per_page: int) -> dict:
    return {"items": items, "total": total, "page": page_, "per_page": per_page}
