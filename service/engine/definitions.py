"""Read and check deployable files: BPMN processes and DMN decision tables."""

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask

from . import sandbox
from .errors import DefinitionInvalid, Finding
from .markup import active_markup
from .starts import StartInfo, check_starts, none_starts
from .xmlsafe import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
EXPRESSION_PROPERTIES = ("assignee", "correlationKey")
GENERIC_FORM = {
    "type": "object",
    "title": "完成任务 / Complete task",
    "properties": {
        "comment": {"type": "string", "title": "备注 / Comment"},
        "done": {"type": "boolean", "title": "已完成 / Done", "default": True},
    },
}


@dataclass(frozen=True)
class SourceFile:
    """One deployable file: its name decides its kind (.bpmn or .dmn)."""

    name: str
    content: bytes

    @property
    def kind(self) -> str:
        return "decision" if self.name.lower().endswith(".dmn") else "process"

    @property
    def stem(self) -> str:
        return PurePath(self.name).stem


@dataclass(frozen=True)
class UserTaskInfo:
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    due_in: str | None


@dataclass(frozen=True)
class ProcessInfo:
    """What deploying a file needs to know about it."""

    kind: str
    key: str
    name: str
    called_processes: tuple[str, ...] = ()
    called_decisions: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    user_tasks: tuple[UserTaskInfo, ...] = ()
    message_starts: tuple[str, ...] = ()
    lanes: tuple[str, ...] = field(default=())
    starts: tuple[StartInfo, ...] = ()  # none-start events: who may start it by hand


Resolver = Callable[[str, str], "SourceFile | None"]


def new_parser() -> SpiffBpmnParser:
    """Return a spiff-dialect parser that validates against the BPMN schema."""
    return SpiffBpmnParser(validator=VALIDATOR)


def _finding(exc: Exception, fallback_id: str | None = None) -> Finding:
    element_id = getattr(exc, "id", None) or fallback_id
    message = str(exc.args[0]) if exc.args else exc.__class__.__name__
    return Finding(element_id or None, message)


def _owner_id(node) -> str | None:
    """Return the id of the nearest BPMN/DMN element holding node (not an extension's id)."""
    while node is not None:
        if node.get("id") and not node.tag.startswith(f"{{{SPIFF_NS}}}"):
            return node.get("id")
        node = node.getparent()
    return None


def _expressions(root):
    """Yield (element_id, source, mode) for every script and expression in a diagram."""
    for node in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        yield _owner_id(node), node.text or "", "exec"
    for tag in ("preScript", "postScript"):
        for node in root.iterfind(f".//spiffworkflow:{tag}", NS):
            yield _owner_id(node), node.text or "", "exec"
    for tag in ("conditionExpression", "condition", "completionCondition", "loopCardinality"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            if (node.text or "").strip():
                yield _owner_id(node), node.text.strip(), "eval"
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            # name the timer event, not its timerEventDefinition (no shape has that id)
            event = node.getparent().getparent()
            yield _owner_id(event), (node.text or "").strip(), f"timer:{tag}"
    for node in root.iterfind(".//spiffworkflow:property", NS):
        if node.get("name") in EXPRESSION_PROPERTIES and node.get("value"):
            yield _owner_id(node), node.get("value"), "eval"
    for node in root.iterfind(".//spiffworkflow:parameter", NS):
        if node.get("value"):
            yield _owner_id(node), node.get("value"), "eval"
    for node in root.iterfind(".//spiffworkflow:messagePayload", NS):
        owner = node.getparent().getparent()  # past extensionElements
        if owner.tag.endswith("EventDefinition"):
            owner = owner.getparent()  # name the event, not its definition
        if (node.text or "").strip():
            yield _owner_id(owner), node.text.strip(), "eval"


def check_timer(source: str, tag: str) -> str | None:
    """Return why a literal timer expression is invalid, or None."""
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None  # a computed expression: checked by the sandbox, evaluated at run time
    if not isinstance(value, str):
        return f"{tag} must be a string such as \"P3D\""
    try:
        if tag == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        else:
            TimerEventDefinition.parse_time_or_duration(value)
    except Exception:  # the library raises bare Exception for bad ISO text
        return f"{tag} {value!r} is not an ISO 8601 {tag[4:].lower()}"
    return None


def check_scripts(root) -> list[Finding]:
    """Compile every script and expression in the sandbox; report each refusal."""
    findings = []
    for element_id, source, mode in _expressions(root):
        if mode.startswith("timer:"):
            tag = mode[6:]
            if not source:
                findings.append(Finding(element_id, f"empty {tag}"))
                continue
            reason = sandbox.check(source, "eval") or check_timer(source, tag)
        else:
            reason = sandbox.check(source, mode)
        if reason:
            findings.append(Finding(element_id, reason))
    return findings


def check_forms(user_tasks, forms: dict[str, dict]) -> list[Finding]:
    """Check that every referenced form exists and is valid JSON Schema."""
    findings = []
    for task in user_tasks:
        if task.form is None:
            continue
        schema = forms.get(task.form)
        if schema is None:
            findings.append(Finding(task.bpmn_id, f"form {task.form!r} does not exist"))
            continue
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            findings.append(Finding(task.bpmn_id, f"form {task.form!r} is not valid JSON Schema: "
                                    f"{exc.message}"))
        if task.due_in and check_timer(repr(task.due_in), "timeDuration"):
            findings.append(Finding(task.bpmn_id, f"dueIn {task.due_in!r} is not an ISO 8601 "
                                    "duration"))
    return findings


def user_task_info(spec) -> UserTaskInfo:
    props = spec.extensions.get("properties", {}) if hasattr(spec, "extensions") else {}
    return UserTaskInfo(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, spec.lane,
                        props.get("formJsonSchemaFilename"), props.get("dueIn"))


def _all_specs(parser, key):
    top = parser.get_spec(key)
    return top, parser.get_subprocess_specs(key)


def inspect_decision(source: SourceFile) -> ProcessInfo:
    """Check a DMN file and return the decisions it provides."""
    root = parse_xml(source.content)
    markup = active_markup(root)
    if markup:
        raise DefinitionInvalid(markup)
    parser = new_parser()
    try:
        parser.add_dmn_xml(root, filename=source.name)
        for dmn_parser in parser.dmn_parsers.values():
            dmn_parser.parse()
    except (ValidationException, SpiffWorkflowException) as exc:
        raise DefinitionInvalid([_finding(exc)]) from None
    except Exception as exc:  # the DMN parser raises plain errors on odd tables
        raise DefinitionInvalid([Finding(None, f"not a valid DMN file: {exc}")]) from None
    decisions = tuple(parser.dmn_parsers)
    if not decisions:
        raise DefinitionInvalid([Finding(None, "the file defines no decision")])
    findings = []
    # Input and output expressions are Python; input entries are fragments ("> 5") that
    # the decision engine completes at run time, where the sandbox checks them.
    for node in (*root.iter("{*}inputExpression"), *root.iter("{*}outputEntry")):
        text = "".join(node.itertext()).strip()
        reason = text and sandbox.check(text, "eval")
        if reason:
            findings.append(Finding(_owner_id(node), reason))
    if findings:
        raise DefinitionInvalid(findings)
    return ProcessInfo("decision", source.stem, root.get("name") or source.stem,
                       decisions=decisions)


def _process_key(root, source: SourceFile) -> tuple[str, str]:
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DefinitionInvalid([Finding(None, "not a BPMN 2.0 document (root must be "
                                         "bpmn:definitions)")])
    processes = root.findall("bpmn:process", NS)
    executable = [p for p in processes if p.get("isExecutable", "false").lower() == "true"]
    if not executable:
        ids = [p.get("id") for p in processes]
        raise DefinitionInvalid([Finding(ids[0] if ids else None,
                                         "no executable process (set isExecutable=\"true\")")])
    chosen = next((p for p in executable if p.get("id") == source.stem), executable[0])
    return chosen.get("id"), chosen.get("name") or chosen.get("id")


def add_to_parser(parser, files: list[SourceFile]) -> None:
    """Add BPMN and DMN files to a parser, safely parsed."""
    for file in files:
        root = parse_xml(file.content)
        if file.kind == "decision":
            parser.add_dmn_xml(root, filename=file.name)
        else:
            parser.add_bpmn_xml(root, filename=file.name)


def inspect_process(source: SourceFile, resolve: Resolver, forms: dict[str, dict],
                    lanes: frozenset[str], services: frozenset[str] = frozenset(),
                    ) -> tuple[ProcessInfo, list[SourceFile]]:
    """Check a BPMN file; return what it is and the library files it needs."""
    root = parse_xml(source.content)
    key, name = _process_key(root, source)
    findings = [*active_markup(root), *check_scripts(root)]
    for node in root.iterfind(".//spiffworkflow:serviceTaskOperator", NS):
        if node.get("id") not in services:
            findings.append(Finding(_owner_id(node.getparent()),
                                    f"unknown service operation {node.get('id')!r}"))
    for lane in root.iterfind(".//bpmn:lane", NS):
        if (lane.get("name") or "").strip() not in lanes:
            findings.append(Finding(lane.get("id"), f"lane {lane.get('name')!r} names no role"))
    parser = new_parser()
    try:
        parser.add_bpmn_xml(root, filename=source.name)
    except (ValidationException, SpiffWorkflowException) as exc:
        raise DefinitionInvalid([*findings, _finding(exc)]) from None
    deps, seen = [], set()
    # Pull in called processes and decisions until nothing new is referenced.
    while True:
        wanted = [("process", p) for p in parser.get_process_dependencies()
                  if p not in parser.process_parsers]
        wanted += [("decision", d) for d in parser.get_dmn_dependencies()
                   if d not in parser.dmn_parsers]
        wanted = [w for w in wanted if w not in seen]
        if not wanted:
            break
        for kind, ref in wanted:
            seen.add((kind, ref))
            dep = resolve(kind, ref)
            if dep is None:
                findings.append(Finding(None, f"{kind} {ref!r} is not deployed"))
                continue
            try:
                add_to_parser(parser, [dep])
            except (ValidationException, SpiffWorkflowException, DefinitionInvalid) as exc:
                findings.append(Finding(None, f"{kind} {ref!r} cannot be loaded: {exc}"))
                continue
            deps.append(dep)
    if findings:
        raise DefinitionInvalid(findings)
    try:
        top, subs = _all_specs(parser, key)
    except (ValidationException, SpiffWorkflowException) as exc:
        raise DefinitionInvalid([_finding(exc)]) from None
    except Exception as exc:  # the parser raises plain errors on some malformed diagrams
        raise DefinitionInvalid([Finding(None, f"cannot read the diagram: {exc}")]) from None
    specs = [top, *subs.values()]
    user_tasks = tuple(user_task_info(s) for spec in specs for s in spec.task_specs.values()
                       if isinstance(s, UserTask))
    starts = none_starts(top)
    findings = check_forms(user_tasks, forms) + check_starts(starts, lanes)
    if findings:
        raise DefinitionInvalid(findings)
    message_starts = tuple(
        s.event_definition.name for s in top.task_specs.values()
        if type(s).__name__ == "StartEvent" and hasattr(s.event_definition, "name")
        and type(s.event_definition).__name__ == "MessageEventDefinition")
    info = ProcessInfo(
        "process", key, name,
        called_processes=tuple(sorted(parser.get_process_dependencies())),
        called_decisions=tuple(sorted(parser.get_dmn_dependencies())),
        forms=tuple(sorted({t.form for t in user_tasks if t.form})),
        user_tasks=user_tasks,
        message_starts=message_starts,
        lanes=tuple(sorted({t.lane for t in user_tasks if t.lane})),
        starts=starts,
    )
    return info, deps


def parse_duration(text: str, start) -> timedelta:
    """Return the timedelta an ISO 8601 duration spans from start (months vary in length)."""
    parsed = TimerEventDefinition.parse_iso_duration(text)
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)
