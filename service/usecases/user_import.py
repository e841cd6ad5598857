"""Bulk import of users from CSV: preview with per-line errors; all rows or none."""

import csv
import io
import re

from service.errors import InvalidData, ServiceError
from service.models import db

from .context import Actor, record
from .org_access import require_viewer
from .org_admin import add_user, validate_new_user

COLUMNS = ("username", "display_name", "email", "phone", "center", "roles")
REQUIRED = ("username", "display_name", "email", "center", "roles")
MAX_ROWS = 5000


def _decode(content: bytes) -> str:
    # Excel writes UTF-8 with a BOM, or GB18030 on Chinese Windows.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidData("the file is not UTF-8 or GB18030 text", {"file": ["not text"]})


def _rows(content: bytes):
    """Yield (line, fields) of each data row; raise InvalidData for a bad header."""
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problems = [f"missing column {c!r}" for c in missing]
        problems += [f"unknown column {h!r}" for h in unknown]
        raise InvalidData("the header line is wrong: " + "; ".join(problems),
                          {"errors": [{"line": 1, "field": "header", "message": p}
                                      for p in problems], "columns": list(COLUMNS)})
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        fields = dict(zip(header, (v.strip() for v in values), strict=False))
        if len(values) != len(header):
            fields["_width"] = len(values)
        yield reader.line_num, fields


def _check(actor: Actor, line: int, fields: dict, taken: set[str]) -> tuple[dict | None, list]:
    if "_width" in fields:
        message = f"{fields['_width']} values for {len(COLUMNS)} columns"
        return None, [{"line": line, "field": "row", "message": message,
                       "detail": "wrong number of values"}]
    fields = {**fields, "roles": [r for r in re.split(r"[;|,\s]+", fields.get("roles", ""))
                                  if r]}
    try:
        clean = validate_new_user(actor, fields, taken)
    except ServiceError as exc:
        details = exc.details if isinstance(exc.details, dict) and exc.details else {}
        field = next(iter(details), "row")
        detail = details[field][0] if details.get(field) else exc.message
        return None, [{"line": line, "field": field, "message": exc.message,
                       "detail": str(detail)}]
    taken.add(clean["username"].lower())
    return clean, []


def preview(actor: Actor, content: bytes) -> dict:
    """Check every row; return {rows, errors, total} without writing anything."""
    require_viewer(actor)
    rows, errors, taken = [], [], set()
    for line, fields in _rows(content):
        if len(rows) >= MAX_ROWS:
            raise InvalidData(f"at most {MAX_ROWS} rows per file", {"file": ["too many rows"]})
        clean, problems = _check(actor, line, fields, taken)
        errors += problems
        rows.append({"line": line, **{c: fields.get(c, "") for c in COLUMNS},
                     "ok": clean is not None, "_clean": clean})
    if not rows and not errors:
        raise InvalidData("the file has no users", {"file": ["no data rows"]})
    return {"rows": rows, "errors": errors, "total": len(rows)}


def import_users(actor: Actor, content: bytes) -> list:
    """Import every row, each invited by e-mail; on any bad row import nothing (422)."""
    result = preview(actor, content)
    if result["errors"]:
        raise InvalidData(f"{len(result['errors'])} rows are wrong: nothing was imported",
                          {"errors": result["errors"], "total": result["total"]})
    users = [add_user(actor, row["_clean"]) for row in result["rows"]]
    record("users_imported", actor, count=len(users),
           center=users[0].center.code if len({u.center_id for u in users}) == 1 else None,
           usernames=[u.username for u in users])
    db.session.commit()
    return users
