"""Deploy-time checks: what Engine.inspect says about each fixture and each hostile file."""

import json
from pathlib import Path

import pytest

from service.engine import DefinitionInvalid, TaskFailed, UserTaskInfo, sandbox

TESTS = Path(__file__).resolve().parent.parent


def tasks(*rows):
    return tuple(UserTaskInfo(*row) for row in rows)


EXPECTED = {
    "simple_task.bpmn": dict(
        user_tasks=tasks(("task_fill", "Fill in the form", "advisor", "simple_form.json", "P2D"))
    ),
    "two_lanes.bpmn": dict(
        user_tasks=tasks(
            ("task_request", "Request", "advisor", None, None),
            ("task_approve", "Approve", "city_president", None, None),
        )
    ),
    "exclusive_gateway.bpmn": dict(
        user_tasks=tasks(
            ("task_amount", "Enter amount", "advisor", "simple_form.json", None),
            ("task_big", "Approve large amount", "city_president", None, None),
            ("task_small", "Handle small amount", "advisor", None, None),
        )
    ),
    "parallel_gateway.bpmn": dict(
        user_tasks=tasks(
            ("task_a", "Task A", "advisor", None, None),
            ("task_after", "After both", "advisor", None, None),
            ("task_b", "Task B", "city_management", None, None),
        )
    ),
    "call_activity.bpmn": dict(
        called_processes=("child_process",),
        library=["child_process.bpmn"],
        user_tasks=tasks(
            ("task_parent", "Parent task", "advisor", None, None),
            ("task_parent_after", "Parent after child", "advisor", None, None),
            ("task_child", "Child task", "city_management", None, None),
        ),
    ),
    "business_rule.bpmn": dict(
        called_decisions=("risk_level",),
        library=["risk.dmn"],
        user_tasks=tasks(
            ("task_amount", "Enter amount", "advisor", "simple_form.json", None),
            ("task_after", "Review risk", "advisor", None, None),
        ),
    ),
    "message_start.bpmn": dict(
        message_starts=("client_inquiry",),
        user_tasks=tasks(("task_assign", "Assign the inquiry", "city_management", None, None)),
    ),
    "message_catch.bpmn": dict(
        user_tasks=tasks(
            ("task_submit", "Submit for certification", "advisor", None, None),
            ("task_review", "Review result", "advisor", None, None),
        )
    ),
    "multi_instance.bpmn": dict(
        user_tasks=tasks(
            ("task_plan", "Plan deliveries", "advisor", "items_form.json", None),
            ("task_deliver", "Deliver item", "advisor", None, None),
        )
    ),
    "loop.bpmn": dict(
        user_tasks=tasks(("task_review", "Review", "advisor", "again_form.json", None))
    ),
    "timers.bpmn": dict(
        user_tasks=tasks(("task_after_wait", "After the wait", "advisor", None, None))
    ),
    "endless_script.bpmn": dict(user_tasks=()),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_inspects_to_expected_info(inspect, name):
    """Each fixture passes the deploy checks and is described correctly."""
    want = EXPECTED[name]
    info, library = inspect(name)
    assert info.kind == "process"
    assert info.key == Path(name).stem
    assert info.user_tasks == want["user_tasks"]
    assert info.called_processes == want.get("called_processes", ())
    assert info.called_decisions == want.get("called_decisions", ())
    assert info.message_starts == want.get("message_starts", ())
    assert [f.name for f in library] == want.get("library", [])
    assert info.forms == tuple(sorted({t.form for t in want["user_tasks"] if t.form}))
    assert info.lanes == tuple(sorted({t.lane for t in want["user_tasks"] if t.lane}))


def test_decision_file_lists_its_decisions(inspect):
    info, library = inspect("risk.dmn")
    assert (info.kind, info.key, info.decisions, library) == (
        "decision",
        "risk",
        ("risk_level",),
        [],
    )


def nothing(kind, ref):
    return None


def test_call_activity_without_its_child_is_refused(inspect):
    with pytest.raises(DefinitionInvalid) as caught:
        inspect("call_activity.bpmn", resolver=nothing)
    assert [f.message for f in caught.value.findings] == ["process 'child_process' is not deployed"]


def test_business_rule_without_its_table_is_refused(inspect):
    with pytest.raises(DefinitionInvalid) as caught:
        inspect("business_rule.bpmn", resolver=nothing)
    assert [f.message for f in caught.value.findings] == ["decision 'risk_level' is not deployed"]


REFUSED = [
    ("hostile/unknown_lane.bpmn", "lane_janitor", "lane 'janitor' names no role"),
    ("hostile/script_import_os.bpmn", "script_evil", '"__import__" is an invalid variable name'),
    ("hostile/script_subclasses.bpmn", "script_evil", '"__subclasses__" is an invalid attribute'),
    ("hostile/bad_condition.bpmn", "flow_evil", '"__import__" is an invalid variable name'),
    ("hostile/missing_form.bpmn", "task_fill", "form 'no_such_form.json' does not exist"),
    ("hostile/not_executable.bpmn", "not_executable", "no executable process"),
    ("hostile/not_bpmn.xml", None, "not a BPMN 2.0 document"),
    ("hostile/malformed.bpmn", None, "not well-formed XML"),
]


@pytest.mark.parametrize("name,element_id,reason", REFUSED)
def test_hostile_file_is_refused_naming_the_element(inspect, name, element_id, reason):
    with pytest.raises(DefinitionInvalid) as caught:
        inspect(name)
    findings = caught.value.findings
    assert [f.element_id for f in findings] == [element_id]
    assert reason in findings[0].message
    assert reason in str(caught.value)


def test_open_is_refused_at_deploy_and_at_run_time(inspect, engine, lenient):
    """`open` is a withheld builtin: the deploy check names it; a run never reaches the file."""
    assert sandbox.check("x = open('/etc/passwd').read()", "exec") == (
        "Line 1: open() is not available in scripts")
    with pytest.raises(DefinitionInvalid) as caught:
        inspect("hostile/script_open.bpmn")
    assert [f.element_id for f in caught.value.findings] == ["script_evil"]
    run = engine.start(lenient("hostile/script_open.bpmn"))  # a spec that skipped the check
    with pytest.raises(TaskFailed) as failed:
        run.advance()
    assert failed.value.element_id == "script_evil"
    assert "open() is not available" in str(failed.value)
    assert "x" not in run.data


def passwd_lines() -> list[str]:
    path = Path("/etc/passwd")
    return [line for line in path.read_text().splitlines() if line] if path.exists() else []


@pytest.mark.parametrize("name", ["hostile/xxe.bpmn", "hostile/billion_laughs.bpmn"])
def test_entity_declarations_are_refused_before_expansion(inspect, lenient, name):
    with pytest.raises(DefinitionInvalid) as caught:
        inspect(name)
    (finding,) = caught.value.findings
    assert finding.element_id is None
    assert "DOCTYPE" in finding.message and "ENTITY" in finding.message
    with pytest.raises(DefinitionInvalid) as bundled:  # the lenient path parses safely too
        lenient(name)
    messages = [str(caught.value), str(bundled.value), finding.message]
    assert passwd_lines(), "the leak check needs /etc/passwd to compare with"
    for line in passwd_lines():
        assert all(line not in message for message in messages)
    assert all(len(message) < 500 for message in messages)  # nothing expanded into them


def test_invalid_json_schema_form_is_refused(inspect, forms):
    forms["simple_form.json"] = json.loads((TESTS / "forms" / "bad_schema.json").read_text())
    with pytest.raises(DefinitionInvalid) as caught:
        inspect("simple_task.bpmn", forms)
    (finding,) = caught.value.findings
    assert finding.element_id == "task_fill"
    assert "'simple_form.json' is not valid JSON Schema" in finding.message


def test_bad_due_in_is_refused(inspect):
    xml = (TESTS / "processes" / "simple_task.bpmn").read_bytes()
    xml = xml.replace(b'value="P2D"', b'value="2 days"')
    with pytest.raises(DefinitionInvalid) as caught:
        inspect("simple_task.bpmn", content=xml)
    assert [(f.element_id, f.message) for f in caught.value.findings] == [
        ("task_fill", "dueIn '2 days' is not an ISO 8601 duration")
    ]


TIMER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="definitions_bad_timer"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bad_timer" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="timer_bad">
      <bpmn:timerEventDefinition id="timer_bad_definition">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="flow_wait" sourceRef="start" targetRef="timer_bad" />
    <bpmn:sequenceFlow id="flow_end" sourceRef="timer_bad" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize(
    "literal,reason",
    [
        ('"P3X"', "timeDuration 'P3X' is not an ISO 8601 duration"),
        ("3", 'timeDuration must be a string such as "P3D"'),
    ],
)
def test_bad_timer_literal_is_refused_naming_the_timer(inspect, literal, reason):
    with pytest.raises(DefinitionInvalid) as caught:
        inspect("bad_timer.bpmn", content=TIMER_XML.format(literal).encode())
    assert [(f.element_id, f.message) for f in caught.value.findings] == [("timer_bad", reason)]


def test_good_timer_literal_passes(inspect):
    info, _ = inspect("bad_timer.bpmn", content=TIMER_XML.format('"PT2H"').encode())
    assert (info.key, info.user_tasks) == ("bad_timer", ())
