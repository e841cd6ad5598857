"""Draw a diagram that has no layout (BPMN DI): columns follow the flow, rows follow the lanes.

Diagrams deployed through the API or CLI may carry no shapes; the monitor still wants to show
them. The layout is plain: each element sits in the column of its longest path from a start
event, in the band of its lane, and flows are drawn with one elbow.
"""

from collections import defaultdict

from lxml import etree

from .definitions import BPMN_NS, NS
from .xmlsafe import parse_xml

DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DIAGRAM_DI = "http://www.omg.org/spec/DD/20100524/DI"
COLUMN, ROW, LANE_LABEL, TOP = 170, 120, 30, 40
SIZES = {"event": (36, 36), "gateway": (50, 50), "activity": (110, 80)}
NODES = {
    "startEvent": "event", "endEvent": "event", "intermediateCatchEvent": "event",
    "intermediateThrowEvent": "event", "exclusiveGateway": "gateway",
    "parallelGateway": "gateway", "inclusiveGateway": "gateway", "eventBasedGateway": "gateway",
    "task": "activity", "userTask": "activity", "manualTask": "activity",
    "scriptTask": "activity", "serviceTask": "activity", "sendTask": "activity",
    "receiveTask": "activity", "businessRuleTask": "activity", "callActivity": "activity",
    "subProcess": "activity",
}


def _local(element) -> str:
    return etree.QName(element).localname


def _columns(nodes: list[str], flows: list[tuple[str, str, str]]) -> dict[str, int]:
    """Return each node's column: its longest path from a node without incoming flows."""
    outgoing, incoming = defaultdict(list), defaultdict(int)
    for _id, source, target in flows:
        if source in nodes and target in nodes:
            outgoing[source].append(target)
            incoming[target] += 1
    column = {}
    order, state = [], {}

    def visit(node):  # depth-first; an edge back to a node on the stack is a loop: ignored
        state[node] = 1
        for nxt in outgoing[node]:
            if state.get(nxt) is None:
                visit(nxt)
        state[node] = 2
        order.append(node)

    roots = [n for n in nodes if not incoming[n]] or nodes[:1]
    for node in roots + nodes:
        if state.get(node) is None:
            visit(node)
    position = {n: i for i, n in enumerate(reversed(order))}
    for node in reversed(order):
        column.setdefault(node, 0)
        for nxt in outgoing[node]:
            if position[nxt] > position[node]:
                column[nxt] = max(column.get(nxt, 0), column[node] + 1)
    return column


def _add(parent, namespace: str, tag: str, **attrs):
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    for key, value in attrs.items():
        element.set(key, str(value))
    return element


def _bounds(shape, x, y, w, h) -> None:
    _add(shape, DC, "Bounds", x=int(x), y=int(y), width=int(w), height=int(h))


def with_layout(content: bytes | str) -> bytes:
    """Return the diagram with a generated layout when it has none, else unchanged."""
    root = parse_xml(content)
    if root.find(f".//{{{DI}}}BPMNShape") is not None:
        return content if isinstance(content, bytes) else content.encode("utf-8")
    process = next((p for p in root.findall("bpmn:process", NS)
                    if p.get("isExecutable", "false").lower() == "true"),
                   root.find("bpmn:process", NS))
    if process is None:
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    kinds = {el.get("id"): NODES[_local(el)] for el in process if _local(el) in NODES}
    boundaries = {el.get("id"): el.get("attachedToRef")
                  for el in process.findall("bpmn:boundaryEvent", NS)}
    flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef"))
             for f in process.findall("bpmn:sequenceFlow", NS)]
    nodes = list(kinds)
    # A flow leaving a boundary event starts, for the layout, at the task it is attached to.
    layout_flows = [(i, boundaries.get(s, s), t) for i, s, t in flows]
    column = _columns(nodes, layout_flows)

    lanes = [(lane.get("id"), lane.get("name") or "",
              [(r.text or "").strip() for r in lane.findall("bpmn:flowNodeRef", NS)])
             for lane in process.iterfind(".//bpmn:lane", NS)]
    lane_of = {n: i for i, (_id, _name, refs) in enumerate(lanes) for n in refs}
    rows_used = defaultdict(set)  # (lane, column) -> rows taken
    placed = {}
    for node in sorted(nodes, key=lambda n: (column[n], nodes.index(n))):
        key = (lane_of.get(node, 0), column[node])
        row = 0
        while row in rows_used[key]:
            row += 1
        rows_used[key].add(row)
        placed[node] = row
    lane_rows = [max([placed[n] for n in nodes if lane_of.get(n, 0) == i] or [0]) + 1
                 for i in range(max(len(lanes), 1))]
    lane_top = [TOP + sum(lane_rows[:i]) * ROW for i in range(len(lane_rows))]
    left = 60 + (LANE_LABEL if lanes else 0)

    centres = {}
    for node in nodes:
        w, h = SIZES[kinds[node]]
        cx = left + column[node] * COLUMN + COLUMN / 2
        cy = lane_top[lane_of.get(node, 0)] + placed[node] * ROW + ROW / 2
        centres[node] = (cx, cy, w, h)
    for event_id, host in boundaries.items():
        if host in centres:
            hx, hy, hw, hh = centres[host]
            centres[event_id] = (hx + hw / 4, hy + hh / 2, 36, 36)

    definitions = root
    plane_owner = process.get("id")
    width = left + (max(column.values(), default=0) + 1) * COLUMN + 20
    if lanes:
        collaboration = etree.Element(f"{{{BPMN_NS}}}collaboration",
                                      id=f"collaboration_{plane_owner}")
        participant_id = f"participant_{plane_owner}"
        _add(collaboration, BPMN_NS, "participant", id=participant_id,
             name=process.get("name") or plane_owner, processRef=plane_owner)
        process.addprevious(collaboration)
        plane_owner = collaboration.get("id")
    diagram = _add(definitions, DI, "BPMNDiagram", id=f"diagram_{process.get('id')}")
    plane = _add(diagram, DI, "BPMNPlane", id=f"plane_{process.get('id')}",
                 bpmnElement=plane_owner)
    if lanes:
        height = sum(lane_rows) * ROW
        shape = _add(plane, DI, "BPMNShape", id=f"{participant_id}_di",
                     bpmnElement=participant_id, isHorizontal="true")
        _bounds(shape, 30, TOP, width - 30, height)
        for i, (lane_id, _name, _refs) in enumerate(lanes):
            shape = _add(plane, DI, "BPMNShape", id=f"{lane_id}_di", bpmnElement=lane_id,
                         isHorizontal="true")
            _bounds(shape, 60, lane_top[i], width - 60, lane_rows[i] * ROW)
    for node, (cx, cy, w, h) in centres.items():
        shape = _add(plane, DI, "BPMNShape", id=f"{node}_di", bpmnElement=node)
        if kinds.get(node) == "gateway":
            shape.set("isMarkerVisible", "true")
        _bounds(shape, cx - w / 2, cy - h / 2, w, h)
    for flow_id, source, target in flows:
        if source not in centres or target not in centres:
            continue
        sx, sy, sw, sh = centres[source]
        tx, ty, tw, _th = centres[target]
        edge = _add(plane, DI, "BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
        if source in boundaries:
            points = [(sx, sy + sh / 2), (sx, ty), (tx - tw / 2, ty)]
        elif tx > sx:
            mid = (sx + sw / 2 + tx - tw / 2) / 2
            points = [(sx + sw / 2, sy), (mid, sy), (mid, ty), (tx - tw / 2, ty)]
        else:  # a loop back: under both shapes
            low = max(sy + sh / 2, ty + _th / 2) + 25
            points = [(sx, sy + sh / 2), (sx, low), (tx, low), (tx, ty + _th / 2)]
        for x, y in points:
            _add(edge, DIAGRAM_DI, "waypoint", x=int(x), y=int(y))
    etree.cleanup_namespaces(root, top_nsmap={"bpmndi": DI, "dc": DC, "di": DIAGRAM_DI})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
