"""The Link Pass catalog: every diagram deploys on the real engine and draws in bpmn-js (DI),
every form is JSON Schema 2020-12 labelled in Chinese and English."""

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

REPO = Path(__file__).resolve().parent.parent
PROCESSES = REPO / "processes"
FORMS = REPO / "forms"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI",
      "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
      "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
      "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/"}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
              "boundaryEvent", "userTask", "serviceTask", "scriptTask", "businessRuleTask",
              "receiveTask", "sendTask", "manualTask", "task", "callActivity", "subProcess",
              "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))
FORM_FILES = sorted(FORMS.glob("*.json"))
# Forms filled in outside a task: the public pages validate against them.
PUBLIC_FORMS = {"inquiry.json", "center_application.json"}


def _bounds(shape) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    return (float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height")))


def _inside(inner, outer) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def test_the_catalog_has_the_three_processes_and_the_decision():
    assert {p.name for p in PROCESSES.iterdir()} == {
        "enterprise_service.bpmn", "center_onboarding.bpmn", "advisor_onboarding.bpmn",
        "center_qualification.dmn"}


def test_every_file_deploys_through_the_api(owner):
    """The real engine parses and checks every file (forms, scripts, lanes, operations)."""
    for path in sorted(PROCESSES.glob("*.dmn")) + DIAGRAMS:
        with open(path, "rb") as handle:
            response = owner.post("/api/v1/processes", data={"file": (handle, path.name)},
                                  content_type="multipart/form-data")
        assert response.status_code == 201, (path.name, response.json)
    listed = {p["key"]: p for p in owner.get("/api/v1/processes").json}
    assert listed["enterprise_service"]["message_starts"] == ["client_inquiry"]
    assert listed["center_onboarding"]["message_starts"] == ["center_application"]
    assert listed["center_qualification"]["kind"] == "decision"


@pytest.fixture
def app(make_app):
    """The app, reading the repository's processes and forms."""
    from service import clock
    from service.models import db
    from service.usecases import org

    app = make_app(PROCESSES_DIR=str(PROCESSES), FORMS_DIR=str(FORMS))
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        org.seed_demo()
        db.session.remove()
    clock.reset()
    return app


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_every_flow_node_and_flow_is_drawn_inside_its_lane(path):
    root = etree.parse(str(path)).getroot()
    process = root.find("bpmn:process", NS)
    assert process.get("id") == path.stem and process.get("isExecutable") == "true"
    shapes = {s.get("bpmnElement"): s for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert plane.get("bpmnElement") == root.find("bpmn:collaboration", NS).get("id")
    assert participant.get("processRef") == path.stem
    pool = _bounds(shapes[participant.get("id")])
    assert shapes[participant.get("id")].get("isHorizontal") == "true"
    lane_of = {}
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert lanes, "a diagram routes its tasks by lanes"
    for lane in lanes:
        shape = shapes[lane.get("id")]
        assert shape.get("isHorizontal") == "true" and _inside(_bounds(shape), pool)
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lane_of[ref.text] = _bounds(shape)
    nodes = [n for tag in FLOW_NODES for n in process.iterfind(f"bpmn:{tag}", NS)]
    assert nodes
    for node in nodes:
        node_id = node.get("id")
        assert node_id in shapes, f"{node_id} has no BPMNShape"
        assert node_id in lane_of, f"{node_id} is in no lane"
        box = _bounds(shapes[node_id])
        if node.tag.endswith("boundaryEvent"):  # drawn on its host's border
            host = _bounds(shapes[node.get("attachedToRef")])
            assert host[1] + host[3] == pytest.approx(box[1] + box[3] / 2)
        else:
            assert _inside(box, lane_of[node_id]), f"{node_id} is drawn outside its lane"
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        waypoints = edges[flow.get("id")].findall("di:waypoint", NS)
        assert len(waypoints) >= 2, f"{flow.get('id')} has no route"
    # Left to right: a start event comes first, an end event last.
    starts = [_bounds(shapes[n.get("id")])[0] for n in process.iterfind("bpmn:startEvent", NS)]
    tasks = [_bounds(shapes[n.get("id")])[0] for n in process.iterfind("bpmn:userTask", NS)]
    ends = [_bounds(shapes[n.get("id")])[0] for n in process.iterfind("bpmn:endEvent", NS)]
    assert min(starts) < min(tasks) and max(ends) > max(tasks)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.stem)
def test_element_names_are_chinese(path):
    process = etree.parse(str(path)).getroot().find("bpmn:process", NS)
    for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS):
        assert CHINESE.search(lane.get("name")), lane.get("id")
    assert CHINESE.search(process.get("name"))
    for tag in FLOW_NODES:
        for node in process.iterfind(f"bpmn:{tag}", NS):
            if tag.endswith("Gateway") and not node.get("name"):
                continue  # a merging gateway carries no label
            assert CHINESE.search(node.get("name") or ""), f"{node.get('id')} needs a name"


def test_the_decision_table_is_drawn():
    root = etree.parse(str(PROCESSES / "center_qualification.dmn")).getroot()
    decisions = {d.get("id") for d in root.iterfind("dmn:decision", NS)}
    drawn = {s.get("dmnElementRef") for s in root.iterfind(".//dmndi:DMNShape", NS)}
    assert decisions == {"center_qualification"} and decisions <= drawn


def _labelled(schema: dict, where: str) -> None:
    """Assert a schema and everything below it carry a Chinese and an English label."""
    assert CHINESE.search(schema.get("title", "")), f"{where}: title must be Chinese"
    english = schema.get("x-title-en", "")
    assert english and not CHINESE.search(english), f"{where}: x-title-en must be English"
    if "enum" in schema:
        zh, en = schema.get("x-enum-titles", []), schema.get("x-enum-titles-en", [])
        assert len(zh) == len(en) == len(schema["enum"]), f"{where}: enum labels"
        assert all(CHINESE.search(t) for t in zh) and not any(CHINESE.search(t) for t in en)
    for name, child in schema.get("properties", {}).items():
        _labelled(child, f"{where}.{name}")
    items = schema.get("items")
    if isinstance(items, dict) and items.get("type") == "object":
        _labelled(items, f"{where}[]")
    elif isinstance(items, dict) and "enum" in items:
        zh, en = items.get("x-enum-titles", []), items.get("x-enum-titles-en", [])
        assert len(zh) == len(en) == len(items["enum"]), f"{where}[]: enum labels"


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.stem)
def test_every_form_is_json_schema_labelled_in_both_languages(path):
    schema = json.loads(path.read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and set(schema["required"]) <= set(schema["properties"])
    _labelled(schema, path.name)


def test_every_form_is_used_and_every_used_form_exists():
    used = set()
    for path in DIAGRAMS:
        root = etree.parse(str(path)).getroot()
        used |= {p.get("value") for p in root.iterfind(".//spiff:property", NS)
                 if p.get("name") == "formJsonSchemaFilename"}
    assert used | PUBLIC_FORMS == {p.name for p in FORM_FILES}
