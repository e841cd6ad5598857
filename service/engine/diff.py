"""Compare two versions of a process: which elements were added, removed or changed."""

from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import SpecDiff

from .definitions import NS
from .engine import Bundle
from .state import REGISTRY
from .xmlsafe import parse_xml


@dataclass(frozen=True)
class ElementChange:
    """One element that differs between two versions, named by its BPMN id."""

    element_id: str
    name: str
    kind: str  # the element's type, e.g. "UserTask", "SequenceFlow", "Lane"
    fields: tuple[str, ...] = ()  # what changed, e.g. ("bpmn_name", "lane")


@dataclass(frozen=True)
class VersionDiff:
    """What changed from an old version to a new one."""

    added: tuple[ElementChange, ...]
    removed: tuple[ElementChange, ...]
    changed: tuple[ElementChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _change(spec, fields=()) -> ElementChange:
    return ElementChange(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, type(spec).__name__,
                         tuple(fields))


def _spec_changes(old_spec, new_spec, found: dict) -> None:
    """Add the task-level differences of one (sub)process spec to found."""
    spec_diff = SpecDiff(REGISTRY, old_spec, new_spec)
    # Internal specs (Start, End, <process>.EndJoin) have no BPMN id: nobody drew them.
    for spec in spec_diff.added:
        if spec.bpmn_id:
            found["added"].setdefault(spec.bpmn_id, _change(spec))
    for spec in spec_diff.removed:
        if spec.bpmn_id:
            found["removed"].setdefault(spec.bpmn_id, _change(spec))
    for spec, new_spec in spec_diff.alignment.items():
        # The library may pair elements by position although their ids differ; instances
        # move by id (see Engine.missing_specs), so that is a removal and an addition.
        if spec.bpmn_id and new_spec is not None and new_spec.bpmn_id != spec.bpmn_id:
            found["removed"].setdefault(spec.bpmn_id, _change(spec))
            if new_spec.bpmn_id:
                found["added"].setdefault(new_spec.bpmn_id, _change(new_spec))
    for spec, fields in spec_diff.changed.items():
        new_spec = spec_diff.alignment.get(spec)
        if not spec.bpmn_id or (new_spec is not None and new_spec.bpmn_id != spec.bpmn_id):
            continue
        # A multi-instance task is two specs with one id: merge what each reports.
        known = found["changed"].get(spec.bpmn_id)
        merged = tuple(dict.fromkeys((*(known.fields if known else ()), *fields)))
        found["changed"][spec.bpmn_id] = _change(spec, merged)


def _flows_and_lanes(xml: bytes) -> dict[str, tuple[str, str, dict]]:
    """Return {id: (kind, name, attributes)} for the sequence flows and lanes of a diagram."""
    root = parse_xml(xml)
    elements = {}
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        condition = flow.find("bpmn:conditionExpression", NS)
        elements[flow.get("id")] = ("SequenceFlow", flow.get("name") or "", {
            "name": flow.get("name") or "", "source": flow.get("sourceRef"),
            "target": flow.get("targetRef"),
            "condition": (condition.text or "").strip() if condition is not None else ""})
    for lane in root.iterfind(".//bpmn:lane", NS):
        members = sorted((ref.text or "").strip() for ref in lane.iterfind("bpmn:flowNodeRef", NS))
        elements[lane.get("id")] = ("Lane", lane.get("name") or "", {
            "name": lane.get("name") or "", "members": members})
    return elements


def _xml_changes(old_xml: bytes, new_xml: bytes, found: dict) -> None:
    old, new = _flows_and_lanes(old_xml), _flows_and_lanes(new_xml)
    for element_id, (kind, name, attrs) in new.items():
        if element_id not in old:
            found["added"].setdefault(element_id, ElementChange(element_id, name, kind))
            continue
        before = old[element_id][2]
        fields = tuple(key for key in attrs if attrs[key] != before.get(key))
        if fields:
            found["changed"].setdefault(element_id, ElementChange(element_id, name, kind, fields))
    for element_id, (kind, name, _attrs) in old.items():
        if element_id not in new:
            found["removed"].setdefault(element_id, ElementChange(element_id, name, kind))


def compare(old: Bundle, new: Bundle, old_xml: bytes, new_xml: bytes) -> VersionDiff:
    """Return what changed from the old version to the new one, element by element."""
    found = {"added": {}, "removed": {}, "changed": {}}
    _spec_changes(old.spec, new.spec, found)
    for name, spec in old.subprocess_specs.items():
        if name in new.subprocess_specs:
            _spec_changes(spec, new.subprocess_specs[name], found)
    _xml_changes(old_xml, new_xml, found)
    ordered = {kind: tuple(sorted(items.values(), key=lambda c: (c.kind, c.element_id)))
               for kind, items in found.items()}
    return VersionDiff(ordered["added"], ordered["removed"], ordered["changed"])
