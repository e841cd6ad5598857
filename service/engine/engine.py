"""The engine facade: check deployable files, build runnable bundles, start and restore runs."""

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import clockpatch, state
from .definitions import (
    ProcessInfo,
    Resolver,
    SourceFile,
    add_to_parser,
    inspect_decision,
    inspect_process,
    new_parser,
)
from .errors import DefinitionInvalid, Finding
from .hot import HotRuns
from .runtime import Run
from .sandbox import SandboxScriptEngine
from .sandbox_pool import POOL
from .script_limits import Limits
from .starts import StartInfo, none_starts
from .storable import unstorable

clockpatch.install()


class _ScriptEngine(SandboxScriptEngine):
    """The sandbox, plus service tasks that call operations the app registered by name."""

    def __init__(self, services: dict, **kwargs):
        super().__init__(**kwargs)
        self.services = services

    def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
        handler = self.services.get(operation_name)
        if handler is None:
            raise WorkflowTaskException(f"unknown service operation {operation_name!r}", task=task)
        params = {name: p["value"] for name, p in (operation_params or {}).items()}
        try:
            result = handler(params, task.data)
        except Exception as exc:  # a failing operation is the task's failure: an incident
            raise WorkflowTaskException(f"{operation_name} failed: {exc}", task=task,
                                        exception=exc) from exc
        return json.dumps(result, default=str)


@dataclass
class Bundle:
    """A parsed, runnable process version (cached per version id)."""

    version_id: int
    key: str
    spec: object
    subprocess_specs: dict
    forms: dict = field(default_factory=dict)


class Engine:
    """Everything the service asks of SpiffWorkflow, in our words."""

    def __init__(self, lanes: frozenset[str], limits: Limits | None = None,
                 services: dict | None = None, cache_size: int = 256, hot_runs: int = 0,
                 sandbox_processes: int = 2):
        self.lanes = lanes
        self.services = dict(services or {})
        self.limits = limits or Limits()
        self.script_engine = _ScriptEngine(self.services, limits=self.limits)
        POOL.resize(sandbox_processes)
        self._cache: OrderedDict[int, Bundle] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()
        self.hot = HotRuns(hot_runs)  # runs of recently saved instances, by instance id

    def inspect(self, source: SourceFile, resolve: Resolver,
                forms: dict[str, dict]) -> tuple[ProcessInfo, list[SourceFile]]:
        """Check a file for deployment; return what it is and the library files it needs."""
        if source.kind == "decision":
            return inspect_decision(source), []
        return inspect_process(source, resolve, forms, self.lanes, frozenset(self.services))

    def register_service(self, name: str, handler) -> None:
        """Let service tasks call handler(params, data) -> JSON-able result by name."""
        self.services[name] = handler

    def cached(self, version_id: int) -> Bundle | None:
        """Return the bundle of a version if it was parsed already."""
        with self._lock:
            return self._cache.get(version_id)

    def bundle(self, version_id: int, key: str, files: list[SourceFile],
               forms: dict) -> Bundle:
        """Return the runnable bundle of a version, parsing it only the first time."""
        with self._lock:
            cached = self._cache.get(version_id)
            if cached is not None:
                self._cache.move_to_end(version_id)
                return cached
        parser = new_parser()
        try:
            add_to_parser(parser, files)
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except (ValidationException, SpiffWorkflowException) as exc:
            raise DefinitionInvalid([Finding(getattr(exc, "id", None), str(exc))]) from None
        built = Bundle(version_id, key, spec, subprocess_specs, forms)
        with self._lock:
            self._cache[version_id] = built
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return built

    def start(self, bundle: Bundle, data: dict | None = None,
              by_message: str | None = None) -> Run:
        """Create a new run; the caller advances it (by_message: only that start event may)."""
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs,
                                script_engine=self.script_engine)
        if data:
            workflow.task_tree.data.update(data)
            for task in workflow.task_tree.children:
                task.data.update(data)
        if by_message is not None:
            # A process may also have a plain start event, which would fire at once and take
            # the run down the wrong path: only the message's own start event may start it.
            for task in workflow.get_tasks(spec_class=StartEvent):
                definition = task.task_spec.event_definition
                if getattr(definition, "name", None) != by_message:
                    task.cancel()
        return Run(bundle, workflow)

    def restore(self, bundle: Bundle, saved: dict) -> Run:
        """Rebuild a run from its saved state."""
        return Run(bundle, state.restore(saved, bundle.spec, bundle.subprocess_specs,
                                         self.script_engine))

    @staticmethod
    def missing_specs(saved: dict, bundle: Bundle) -> list[str]:
        """Return the elements a saved state uses that the bundle's version lacks."""
        missing = {t["task_spec"] for t in saved["tasks"].values()
                   if t["task_spec"] not in bundle.spec.task_specs}
        for sub in saved.get("subprocesses", {}).values():
            spec = bundle.subprocess_specs.get(sub.get("spec"))
            names = spec.task_specs if spec is not None else {}
            missing |= {t["task_spec"] for t in sub["tasks"].values()
                        if t["task_spec"] not in names}
        return sorted(missing)

    @staticmethod
    def none_starts(bundle: Bundle) -> tuple[StartInfo, ...]:
        """Return where a person may start the bundle's process (none-start events)."""
        return none_starts(bundle.spec)

    @staticmethod
    def dump(run: Run) -> dict:
        """Return the run's state for saving."""
        return state.dump(run.workflow)

    def unstorable(self, run: Run, saved: dict, data_bytes: int):
        """Return why a step's outcome cannot be saved (a TaskFailed), or None."""
        return unstorable(run, saved, data_bytes, self.limits.data)
