"""Forms in the studio: the files of FORMS_DIR, overridden by forms edited in the browser."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import select

from service import clock
from service.errors import InvalidData, NotFound
from service.models import StudioForm, db

from . import deployments
from .context import Actor, record
from .studio import require_owner

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,99}\.json")
STARTER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "New form",
    "type": "object",
    "properties": {
        "comment": {"type": "string", "title": "Comment"},
    },
    "required": [],
}


@dataclass
class FormEntry:
    """A form as the next deployment will see it."""

    name: str
    schema: dict | None
    in_file: bool
    edited: StudioForm | None = None
    used_by: list[str] = field(default_factory=list)  # process keys whose latest version uses it

    @property
    def title(self) -> str:
        return str((self.schema or {}).get("title") or self.name)


def _files() -> dict[str, dict | None]:
    found = {}
    for path in sorted(Path(current_app.config["FORMS_DIR"]).glob("*.json")):
        try:
            found[path.name] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            found[path.name] = None  # shown as unreadable; deploy reports it where it is used
    return found


def _users() -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for version in deployments.list_processes():
        for name in version.info.get("forms", []):
            users.setdefault(name, []).append(version.key)
    return users


def list_forms(actor: Actor) -> list[FormEntry]:
    """Return every form: files and studio edits, with the processes that use each."""
    require_owner(actor)
    files, users = _files(), _users()
    entries = {name: FormEntry(name, schema, True) for name, schema in files.items()}
    for row in db.session.scalars(select(StudioForm)):
        entry = entries.setdefault(row.name, FormEntry(row.name, None, False))
        entry.schema, entry.edited = row.schema, row
    for entry in entries.values():
        entry.used_by = sorted(users.get(entry.name, []))
    return sorted(entries.values(), key=lambda e: e.name)


def get_form(actor: Actor, name: str) -> FormEntry:
    """Return one form as deploy would use it."""
    entry = next((e for e in list_forms(actor) if e.name == name), None)
    if entry is None:
        raise NotFound(f"form {name!r} does not exist")
    return entry


def parse_schema(text: str) -> dict:
    """Return the JSON Schema in text, or raise InvalidData saying what is wrong with it."""
    try:
        schema = json.loads(text or "")
    except ValueError as exc:
        raise InvalidData(f"not valid JSON: {exc}", {"schema": [str(exc)]}) from None
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise InvalidData("a form schema is a JSON object with \"type\": \"object\"",
                          {"schema": ["expected {\"type\": \"object\", \"properties\": ...}"]})
    if not isinstance(schema.get("properties", {}), dict):
        raise InvalidData("\"properties\" must be an object", {"schema": ["properties"]})
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise InvalidData(f"not valid JSON Schema: {exc.message}",
                          {"schema": [exc.message]}) from None
    return schema


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME.fullmatch(name):
        raise InvalidData("a form name is letters, digits, _ or - and ends in .json",
                          {"name": ["e.g. client_needs.json"]})
    return name


def save_form(actor: Actor, name: str, text: str) -> StudioForm:
    """Store an edited form; the next deployment of a process using it picks it up."""
    require_owner(actor)
    name, schema = check_name(name), parse_schema(text)
    row = db.session.scalar(select(StudioForm).where(StudioForm.name == name))
    if row is None:
        row = StudioForm(name=name)
        db.session.add(row)
    row.schema, row.updated_by_id, row.updated_at = schema, actor.id, clock.now()
    record("form_saved", actor, form=name)
    db.session.commit()
    return row


def revert_form(actor: Actor, name: str) -> None:
    """Drop the studio's edit of a form, so the file (if any) counts again."""
    require_owner(actor)
    row = db.session.scalar(select(StudioForm).where(StudioForm.name == name))
    if row is None:
        raise NotFound(f"form {name!r} has no studio edit")
    db.session.delete(row)
    record("form_reverted", actor, form=name)
    db.session.commit()
