"""Engine-level fixtures: no Flask, no database; every step saves and restores like production."""

import itertools
import json
from pathlib import Path

import pytest

from service import clock, roles
from service.engine import Engine, Limits, SourceFile

HERE = Path(__file__).resolve().parent
PROCESSES = HERE.parent / "processes"
FORMS_DIR = HERE.parent / "forms"
FORMS = {
    p.name: json.loads(p.read_text())
    for p in sorted(FORMS_DIR.glob("*.json"))
    if p.name != "bad_schema.json"
}
_versions = itertools.count(1)


def source(name: str) -> SourceFile:
    """Return a fixture file (path relative to tests/processes) as a deployable file."""
    path = PROCESSES / name
    return SourceFile(path.name, path.read_bytes())


def resolve(kind: str, ref: str) -> SourceFile | None:
    """Find a called process by key, or the .dmn file defining a decision id."""
    if kind == "process":
        path = PROCESSES / f"{ref}.bpmn"
        return source(path.name) if path.exists() else None
    for path in sorted(PROCESSES.glob("*.dmn")):
        if f'id="{ref}"'.encode() in path.read_bytes():
            return source(path.name)
    return None


def dump_json(engine: Engine, run) -> dict:
    """Return the run's state as it comes back from a JSON column."""
    return json.loads(json.dumps(engine.dump(run)))


@pytest.fixture(autouse=True)
def _reset_clock():
    """Tests move the service clock; put it back afterwards."""
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def engine():
    return Engine(lanes=roles.lane_names(), limits=Limits(wall=0.5, cpu=0.5))


@pytest.fixture
def forms():
    """A copy of every valid fixture form, by file name."""
    return json.loads(json.dumps(FORMS))


@pytest.fixture
def inspect(engine):
    """Deploy-check a fixture file (or given content under that name)."""

    def inspect_(
        name: str, forms: dict | None = None, content: bytes | None = None, resolver=resolve
    ):
        file = source(name) if content is None else SourceFile(Path(name).name, content)
        return engine.inspect(file, resolver, FORMS if forms is None else forms)

    return inspect_


@pytest.fixture
def load(engine, inspect):
    """Inspect (deploy-check) and bundle a fixture file plus extra files; versions increment."""

    def load_(name: str, *deps: str):
        info, library = inspect(name)
        files = [source(name), *library, *(source(d) for d in deps)]
        return engine.bundle(next(_versions), info.key, files, FORMS)

    return load_


@pytest.fixture
def lenient(engine):
    """Bundle files WITHOUT the deploy checks: each a fixture name or a (name, content) pair."""

    def lenient_(*files):
        built = [source(f) if isinstance(f, str) else SourceFile(*f) for f in files]
        return engine.bundle(next(_versions), built[0].stem, built, FORMS)

    return lenient_


@pytest.fixture
def save_restore(engine):
    """Save the run through JSON and restore it; assert the state survives the trip unchanged."""

    def save_restore_(run, check: bool = True):
        saved = dump_json(engine, run)
        restored = engine.restore(run.bundle, saved)
        if check:
            assert dump_json(engine, restored) == saved
        return restored

    return save_restore_


@pytest.fixture
def start(engine, load, save_restore):
    """Start a fixture process, advance it, and return it saved and restored."""

    def start_(name: str, data: dict | None = None):
        run = engine.start(load(name), data)
        run.advance()
        return save_restore(run)

    return start_


@pytest.fixture
def ready():
    """Return the sorted element ids of the ready human tasks."""

    def ready_(run) -> list[str]:
        return sorted(t.bpmn_id for t in run.user_tasks())

    return ready_


@pytest.fixture
def complete(save_restore):
    """Complete the one ready task of an element, then save and restore the run."""

    def complete_(run, bpmn_id: str, data: dict | None = None, check: bool = True):
        matches = [t for t in run.user_tasks() if t.bpmn_id == bpmn_id]
        assert len(matches) == 1, [t.bpmn_id for t in run.user_tasks()]
        run.complete(matches[0].id, data or {})
        return save_restore(run, check)

    return complete_
