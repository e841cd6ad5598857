"""Turn a posted HTML form back into the JSON its schema describes (field names are paths)."""

import json
import re
from dataclasses import dataclass, field

from . import formschema as fs

MAX_ROWS = 200


@dataclass
class Posted:
    """The parsed submission: data for the use case, files waiting to be stored."""

    data: dict
    files: dict = field(default_factory=dict)  # path -> werkzeug FileStorage


def parse(schema: dict, form, files, current: dict | None = None) -> Posted:
    """Parse form (a MultiDict) and files against an object schema."""
    posted = Posted({})
    posted.data = _object(schema, form, files, "", current or {}, posted)
    return posted


def _object(schema: dict, form, files, prefix: str, current: dict, posted: Posted) -> dict:
    data = {}
    for name, prop in fs.properties(schema):
        path = f"{prefix}{name}"
        if prop.get("readOnly"):
            if name in current:
                data[name] = current[name]
            continue
        value = _value(prop, form, files, path, current.get(name), posted, name)
        if value is not _MISSING:
            data[name] = value
    return data


_MISSING = object()


def _value(schema: dict, form, files, path: str, current, posted: Posted, name=None):
    kind = fs.widget(schema, name)
    if kind == "documents":
        return [int(v) for v in form.getlist(path) if v.isdigit()]
    if kind == "group":
        return _object(schema, form, files, f"{path}.",
                       current if isinstance(current, dict) else {}, posted)
    if kind == "rows":
        return _rows(schema, form, files, path, current, posted)
    if kind == "multiselect":
        options = fs.choices(fs.item_schema(schema), "en") or []
        chosen = set(form.getlist(path))
        return [value for value, _ in options if str(value) in chosen]
    if kind == "checkbox":
        return form.get(path) in ("on", "true", "1", "yes")
    if kind == "file":
        return _file(form, files, path, posted)
    raw = form.get(path)
    if raw is None:
        return _MISSING
    raw = raw.strip()
    if raw == "":
        return None if _nullable(schema) else _MISSING
    if kind in ("select", "radio"):
        for value, _ in fs.choices(schema, "en") or []:
            if str(value) == raw:
                return value
        return raw  # not one of the choices: the schema's enum reports it
    if kind in ("number", "scale"):
        return _number(raw, fs.type_of(schema))
    return raw


def _nullable(schema: dict) -> bool:
    kind = schema.get("type")
    return isinstance(kind, list) and "null" in kind


def _number(raw: str, kind: str | None):
    text = raw.replace(",", "").replace("，", "")
    try:
        if kind == "integer":
            return int(text)
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return raw  # kept as typed, so the page shows it with the schema's type error


def _rows(schema: dict, form, files, path: str, current, posted: Posted):
    item = fs.item_schema(schema)
    pattern = re.compile(rf"^{re.escape(path)}\.(\d+)(?:\.|$)")
    indices = sorted({int(m.group(1)) for key in list(form.keys()) + list(files.keys())
                      if (m := pattern.match(key))})
    if not indices and form.get(f"{path}.__present") is None:
        return _MISSING
    rows = []
    old = current if isinstance(current, list) else []
    for index in indices[:MAX_ROWS]:
        row_path = f"{path}.{index}"
        before = old[index] if index < len(old) else None
        if fs.widget(item) == "group":
            value = _object(item, form, files, f"{row_path}.",
                            before if isinstance(before, dict) else {}, posted)
            if not any(v not in (None, "", [], False) for v in value.values()):
                continue  # an untouched blank row is not a row
        else:
            value = _value(item, form, files, row_path, before, posted)
            if value is _MISSING:
                continue
        rows.append(value)
    return rows


def _file(form, files, path: str, posted: Posted):
    upload = files.get(path)
    if upload is not None and upload.filename:
        # Rows may be renumbered: the marker names the upload, wherever its row ends up.
        posted.files[path] = upload
        return {"pending": path}
    kept = form.get(f"{path}.__keep")
    if kept:
        try:
            value = json.loads(kept)
        except ValueError:
            return _MISSING
        return value if isinstance(value, dict | str) else _MISSING
    return _MISSING


def action(form) -> tuple[str, str | None]:
    """Return the button pressed: ("complete" | "save_draft" | "add_row" | "remove_row", path)."""
    value = form.get("_action", "save_draft")
    name, _, argument = value.partition(":")
    if name in ("add_row", "remove_row") and argument:
        return name, argument
    return (name if name in ("complete", "save_draft") else "save_draft"), None


def add_row(data: dict, path: str) -> dict:
    """Append a blank row to the array at path (the no-JavaScript "add row" button)."""
    target = _walk(data, path, create=True)
    if isinstance(target, list) and len(target) < MAX_ROWS:
        target.append({})
    return data


def remove_row(data: dict, path: str) -> dict:
    """Remove the row at path, e.g. "plan.1"."""
    parent_path, _, index = path.rpartition(".")
    target = _walk(data, parent_path)
    if isinstance(target, list) and index.isdigit() and int(index) < len(target):
        target.pop(int(index))
    return data


def _walk(data: dict, path: str, create: bool = False):
    node = data
    parts = path.split(".")
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node and create:
                node[part] = [] if last else {}
            node = node.get(part)
        else:
            return None
    return node
