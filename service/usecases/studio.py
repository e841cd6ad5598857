"""The process owner studio: drafts per user, validate without deploying, deploy from the editor."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from service import clock
from service.engine import DefinitionInvalid, SourceFile, make_executable, outline
from service.errors import Conflict, Forbidden, InvalidData, NotFound
from service.models import DiagramDraft, Instance, ProcessVersion, db

from . import deployments
from .context import Actor, engine
from .studio_templates import TEMPLATES, render_template

OWNERS = frozenset({"process_owner", "admin"})
# A process key is an XML id and a file stem: keep it to letters, digits and underscores.
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
ENDED = ("completed", "terminated")


def require_owner(actor: Actor) -> None:
    """Refuse everyone but process owners (and admins)."""
    if not actor.roles & OWNERS:
        raise Forbidden("only a process owner may use the studio")


@dataclass
class ProcessEntry:
    """One process of the catalogue with all its versions and my draft of it."""

    key: str
    kind: str
    name: str
    versions: list[ProcessVersion] = field(default_factory=list)
    running: dict[int, int] = field(default_factory=dict)  # version number -> open instances
    draft: DiagramDraft | None = None

    @property
    def latest(self) -> ProcessVersion | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class EditorDiagram:
    """What the editor opens: my draft, or a deployed version."""

    key: str
    name: str
    content: str
    source: str  # "draft" or "version"
    version: int | None  # the deployed version shown, or the one the draft started from
    latest_version: int | None
    saved_at: object = None


def catalogue(actor: Actor) -> list[ProcessEntry]:
    """Return every deployed process with its versions, running counts, and my drafts."""
    require_owner(actor)
    entries: dict[str, ProcessEntry] = {}
    for version in db.session.scalars(select(ProcessVersion)
                                      .order_by(ProcessVersion.key, ProcessVersion.version)):
        entry = entries.setdefault(version.key, ProcessEntry(version.key, version.kind,
                                                             version.name))
        entry.versions.append(version)
        entry.name = version.name
    counts = db.session.execute(
        select(ProcessVersion.key, ProcessVersion.version, func.count(Instance.id))
        .join(Instance, Instance.process_version_id == ProcessVersion.id)
        .where(Instance.status.not_in(ENDED))
        .group_by(ProcessVersion.key, ProcessVersion.version))
    for key, number, count in counts:
        entries[key].running[number] = count
    for draft in drafts_of(actor):
        entry = entries.setdefault(draft.key, ProcessEntry(draft.key, "process", draft.name))
        entry.draft = draft
    return sorted(entries.values(), key=lambda e: (e.latest is None, e.key))


def drafts_of(actor: Actor) -> list[DiagramDraft]:
    return list(db.session.scalars(select(DiagramDraft).where(DiagramDraft.owner_id == actor.id)
                                   .order_by(DiagramDraft.updated_at.desc())))


def _draft(actor: Actor, key: str, *, content: bool = False) -> DiagramDraft | None:
    stmt = select(DiagramDraft).where(DiagramDraft.owner_id == actor.id, DiagramDraft.key == key)
    if content:
        stmt = stmt.options(undefer(DiagramDraft.content))
    return db.session.scalars(stmt).first()


def open_diagram(actor: Actor, key: str, version: int | None = None) -> EditorDiagram:
    """Return my draft of a process, else the asked or latest deployed version."""
    require_owner(actor)
    latest = deployments.latest(key, "process")
    latest_number = latest.version if latest else None
    draft = _draft(actor, key, content=True) if version is None else None
    if draft is not None:
        return EditorDiagram(key, draft.name, draft.content, "draft", draft.base_version,
                             latest_number, draft.updated_at)
    if latest is None:
        raise NotFound(f"process {key!r} does not exist")
    shown = deployments.get_version(key, version) if version is not None else latest
    if shown.kind != "process":
        raise NotFound(f"{key!r} is a decision table, not a diagram")
    return EditorDiagram(key, shown.name, shown.content, "version", shown.version, latest_number)


def _outline(content: bytes):
    try:
        return outline(content)
    except DefinitionInvalid as exc:
        raise InvalidData("the file is not a BPMN diagram",
                          {"findings": [f.as_dict() for f in exc.findings]}) from None


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidData("the file is not UTF-8 text", {"file": ["not UTF-8"]}) from None


def save_draft(actor: Actor, key: str, content: bytes) -> DiagramDraft:
    """Store the diagram as my draft of the process (created or replaced)."""
    require_owner(actor)
    text = _text(content)
    found = _outline(content)
    if found.key != key:
        raise InvalidData(f"the diagram's process id is {found.key!r}, not {key!r}",
                          {"xml": ["process id does not match the draft"]})
    draft = _draft(actor, key)
    now = clock.now()
    if draft is None:
        latest = deployments.latest(key, "process")
        draft = DiagramDraft(owner_id=actor.id, key=key, created_at=now,
                             base_version=latest.version if latest else None)
        db.session.add(draft)
    draft.name, draft.content, draft.updated_at = found.name[:200], text, now
    db.session.commit()
    return draft


def discard_draft(actor: Actor, key: str) -> None:
    """Delete my draft of a process."""
    require_owner(actor)
    draft = _draft(actor, key)
    if draft is None:
        raise NotFound(f"you have no draft of {key!r}")
    db.session.delete(draft)
    db.session.commit()


def new_from_template(actor: Actor, key: str, name: str, template: str) -> DiagramDraft:
    """Start a new process as my draft, from one of the templates."""
    require_owner(actor)
    key, name = (key or "").strip(), (name or "").strip()
    errors = {}
    if not KEY.fullmatch(key):
        errors["key"] = ["letters, digits and _ only, starting with a letter (at most 100)"]
    if not name or len(name) > 200:
        errors["name"] = ["a name of 1 to 200 characters is required"]
    if template not in TEMPLATES:
        errors["template"] = [f"one of {', '.join(TEMPLATES)}"]
    if errors:
        raise InvalidData("the new process is invalid", errors)
    if deployments.latest(key) is not None or _draft(actor, key) is not None:
        raise Conflict(f"a process or draft named {key!r} exists already", {"key": ["taken"]})
    return save_draft(actor, key, render_template(template, key, name).encode("utf-8"))


def upload(actor: Actor, filename: str, content: bytes) -> tuple[str, list[str]]:
    """Take a diagram made elsewhere as my draft (a .dmn deploys at once); return key, notes."""
    require_owner(actor)
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".dmn":
        version, created = deployments.deploy(actor, filename, content)
        return version.key, ["deployed" if created else "unchanged"]
    if suffix not in (".bpmn", ".xml"):
        raise InvalidData("only .bpmn (or .dmn) files can be uploaded",
                          {"file": ["expected a .bpmn file"]})
    _text(content)
    found = _outline(content)
    if not found.has_layout:
        raise InvalidData("the diagram has no layout (BPMN DI), so the editor cannot draw it",
                          {"file": ["no diagram interchange: deploy it with the API or CLI"]})
    if not KEY.fullmatch(found.key):
        raise InvalidData(f"the process id {found.key!r} cannot be a process key",
                          {"file": ["process id: letters, digits and _ only"]})
    notes = []
    if not found.executable:
        content = make_executable(content)
        notes.append("made_executable")
    save_draft(actor, found.key, content)
    return found.key, notes


def validate(actor: Actor, key: str, content: bytes) -> list[dict]:
    """Check a diagram as deploying it would, without deploying; return the findings."""
    require_owner(actor)
    try:
        # The same resolver and forms as deploy, so a clean validation means a clean deploy.
        engine().inspect(SourceFile(f"{key}.bpmn", content), deployments._resolve,
                         deployments.load_forms())
    except DefinitionInvalid as exc:
        return [f.as_dict() for f in exc.findings]
    return []


def deploy(actor: Actor, key: str, content: bytes) -> tuple[ProcessVersion, bool]:
    """Deploy the editor's diagram as a new version; my draft of it is done with."""
    require_owner(actor)
    found = _outline(content)
    if found.key != key:
        raise InvalidData(f"the diagram's process id is {found.key!r}, not {key!r}",
                          {"xml": ["process id does not match"]})
    version, created = deployments.deploy(actor, f"{key}.bpmn", content)
    draft = _draft(actor, key)
    if draft is not None:
        db.session.delete(draft)
        db.session.commit()
    return version, created
