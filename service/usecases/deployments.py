"""Deploy process and decision versions; read the catalogue of processes."""

import hashlib
import json
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service import clock
from service.engine import DefinitionInvalid, SourceFile
from service.errors import Conflict, Forbidden, InvalidData, NotFound
from service.models import Instance, ProcessVersion, StudioForm, db
from service.roles import role_for_lane

from . import runs
from .context import Actor, engine, record

DEPLOYERS = frozenset({"process_owner", "admin"})
SUFFIXES = (".bpmn", ".dmn")


def load_forms() -> dict[str, dict]:
    """Return every form by file name: FORMS_DIR, then the studio's edited forms over them."""
    forms = {}
    for path in sorted(Path(current_app.config["FORMS_DIR"]).glob("*.json")):
        try:
            forms[path.name] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # reported at deploy as an invalid form by the diagram that uses it
    # Forms edited in the studio override the files of the same name.
    forms.update(db.session.execute(select(StudioForm.name, StudioForm.schema)).tuples().all())
    return forms


def latest(key: str, kind: str | None = None) -> ProcessVersion | None:
    stmt = select(ProcessVersion).where(ProcessVersion.key == key)
    if kind:
        stmt = stmt.where(ProcessVersion.kind == kind)
    return db.session.scalars(stmt.order_by(ProcessVersion.version.desc()).limit(1)).first()


def _latest_versions(kind: str | None = None) -> list[ProcessVersion]:
    newest = (select(ProcessVersion.key, func.max(ProcessVersion.version).label("v"))
              .group_by(ProcessVersion.key).subquery())
    stmt = select(ProcessVersion).join(
        newest, (ProcessVersion.key == newest.c.key) & (ProcessVersion.version == newest.c.v))
    if kind:
        stmt = stmt.where(ProcessVersion.kind == kind)
    return list(db.session.scalars(stmt.order_by(ProcessVersion.key)))


def _resolve(kind: str, ref: str) -> SourceFile | None:
    if kind == "process":
        version = latest(ref, "process")
    else:
        version = next((v for v in _latest_versions("decision")
                        if ref in v.info.get("decisions", [])), None)
    if version is None:
        return None
    return SourceFile(version.filename, version.content.encode("utf-8"))


def _hash(source: SourceFile, library: list[SourceFile], forms: dict) -> str:
    digest = hashlib.sha256(source.content)
    for dep in sorted(library, key=lambda f: f.name):
        digest.update(b"\0" + dep.name.encode() + b"\0" + dep.content)
    digest.update(json.dumps(forms, sort_keys=True).encode())
    return digest.hexdigest()


def deploy(actor: Actor, filename: str, content: bytes) -> tuple[ProcessVersion, bool]:
    """Check and store a new version; identical content returns the existing one."""
    if not actor.roles & DEPLOYERS:
        raise Forbidden("only a process owner may deploy")
    name = Path(filename or "").name
    if not name.lower().endswith(SUFFIXES):
        raise InvalidData("only .bpmn and .dmn files can be deployed",
                          {"file": ["expected a .bpmn or .dmn file"]})
    source = SourceFile(name, content)
    try:
        info, library = engine().inspect(source, _resolve, load_forms())
        text = content.decode("utf-8")
    except DefinitionInvalid as exc:
        raise InvalidData("the file cannot be deployed",
                          {"findings": [f.as_dict() for f in exc.findings]}) from None
    except UnicodeDecodeError:
        raise InvalidData("the file is not UTF-8 text", {"file": ["not UTF-8"]}) from None
    all_forms = load_forms()
    forms = {name_: all_forms[name_] for name_ in info.forms}
    content_hash = _hash(source, library, forms)
    existing = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.key == info.key, ProcessVersion.content_hash == content_hash))
    if existing is not None:
        return existing, False
    previous = latest(info.key)
    if previous is not None and previous.kind != info.kind:
        raise InvalidData(f"{info.key!r} is already deployed as a {previous.kind}",
                          {"file": ["key already used by another kind of file"]})
    version = ProcessVersion(
        key=info.key, version=(previous.version + 1) if previous else 1, kind=info.kind,
        name=info.name, content_hash=content_hash, filename=name, content=text,
        library=[{"name": f.name, "content": f.content.decode("utf-8")} for f in library],
        forms=forms, info=_info_dict(info), deployed_by_id=actor.id, deployed_at=clock.now())
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("another deployment of this process happened at the same time") from None
    record("deployed", actor, key=version.key, version=version.version, kind=version.kind)
    db.session.commit()
    return version, True


def _info_dict(info) -> dict:
    return {
        "called_processes": list(info.called_processes),
        "called_decisions": list(info.called_decisions),
        "decisions": list(info.decisions),
        "forms": list(info.forms),
        "lanes": list(info.lanes),
        "message_starts": list(info.message_starts),
        "starts": [start.as_dict() for start in info.starts],
        "user_tasks": [{"id": t.bpmn_id, "name": t.name, "lane": t.lane, "form": t.form,
                        "due_in": t.due_in} for t in info.user_tasks],
    }


def deploy_directory(actor: Actor, directory: str) -> list[tuple[str, str]]:
    """Deploy every changed file of a folder; return (file, outcome) pairs."""
    pending = sorted(Path(directory).glob("*.dmn")) + sorted(Path(directory).glob("*.bpmn"))
    outcomes = []
    # A caller must follow the processes it calls: retry until a pass deploys nothing new.
    while pending:
        failed = []
        for path in pending:
            try:
                version, created = deploy(actor, path.name, path.read_bytes())
                outcomes.append((path.name, f"v{version.version}" + ("" if created else
                                                                     " (unchanged)")))
            except InvalidData as exc:
                failed.append((path, exc))
        if len(failed) == len(pending):
            outcomes += [(p.name, f"refused: {e.details}") for p, e in failed]
            break
        pending = [p for p, _ in failed]
    return outcomes


def start_roles(version: ProcessVersion) -> frozenset[str]:
    """Return the role keys that may start a version by hand: the lanes of its none-start
    events and the roles their startableBy property names (engine/starts.py)."""
    starts = (version.info or {}).get("starts")
    if starts is None:  # deployed before the deployment recorded them: read the diagram
        starts = [s.as_dict() for s in engine().none_starts(runs.bundle_of(version))]
    names = [name for start in starts for name in (start["lane"], *start["startable_by"])]
    return frozenset(role.key for name in names if (role := role_for_lane(name)) is not None)


def may_start(actor: Actor, version: ProcessVersion) -> bool:
    """Tell whether the actor may start the version by hand (admins may start any)."""
    return actor.is_admin or bool(start_roles(version) & actor.roles)


def list_processes() -> list[ProcessVersion]:
    """Return the latest version of each process and decision."""
    return _latest_versions()


def versions_of(key: str) -> list[ProcessVersion]:
    versions = list(db.session.scalars(select(ProcessVersion).where(ProcessVersion.key == key)
                                       .order_by(ProcessVersion.version)))
    if not versions:
        raise NotFound(f"process {key!r} does not exist")
    return versions


def get_version(key: str, number: int) -> ProcessVersion:
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.key == key, ProcessVersion.version == number))
    if version is None:
        raise NotFound(f"process {key!r} has no version {number}")
    return version


def instance_counts(key: str) -> dict[int, int]:
    """Return {version number: running instances} for a process."""
    rows = db.session.execute(
        select(ProcessVersion.version, func.count(Instance.id))
        .join(Instance, Instance.process_version_id == ProcessVersion.id)
        .where(ProcessVersion.key == key, Instance.status.not_in(("completed", "terminated")))
        .group_by(ProcessVersion.version))
    return dict(rows.all())
