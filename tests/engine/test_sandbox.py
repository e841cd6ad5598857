"""Tests for the RestrictedPython sandbox that runs BPMN scripts and expressions."""

from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from service.engine import restricted
from service.engine.sandbox import (
    Limits,
    SandboxEnvironment,
    SandboxScriptEngine,
    ScriptLimit,
    ScriptRefused,
    ScriptTimeout,
    check,
)

LOOP = "while True:\n    pass"
SMALL = Limits(wall=1.0, cpu=0.2, memory=64 * 2**20, result=64 * 1024, data=64 * 1024)


@pytest.fixture
def env():
    return SandboxEnvironment(SMALL)


def run(env, script, **data):
    env.execute(script, data)
    return data


# Allowed scripts ------------------------------------------------------------------------------

ALLOWED = [
    ("x = 1 + 2 * 3", {"x": 7}),
    ("x = [i * i for i in range(4) if i]", {"x": [1, 4, 9]}),
    ("x = {k: v for k, v in zip('ab', (1, 2))}", {"x": {"a": 1, "b": 2}}),
    ("d = {}\nd['k'] = 1\nl = []\nl.append(1)\nl[0] = 2", {"d": {"k": 1}, "l": [2]}),
    ("x = 5\nx += 2\nx *= 3\nx -= 1\nx //= 4", {"x": 5}),
    ("s = 'a'\ns += 'b'", {"s": "ab"}),
    ("import math\nx = math.sqrt(4)", {"x": 2.0}),
    ("from math import floor\nx = floor(2.7)", {"x": 2}),
    ("x = math.pi > 3", {"x": True}),
    ("x = str(Decimal('1.1') + Decimal('2.2'))", {"x": "3.3"}),
    ("import decimal\nx = str(decimal.Decimal('0.5'))", {"x": "0.5"}),
    ("x = re.match(r'(\\d+)-', '42-x').group(1)", {"x": "42"}),
    ("import json\nx = json.dumps({'a': [1]})", {"x": '{"a": [1]}'}),
    ("x = json.loads('[1, 2]')", {"x": [1, 2]}),
    ("x = (date(2024, 1, 31) + timedelta(days=1)).isoformat()", {"x": "2024-02-01"}),
    ("import datetime as dt\nx = dt.date(2024, 1, 1).year", {"x": 2024}),
    ("x = sorted(reversed([3, 1, 2]))\ny = sum([1, 2], 10)", {"x": [1, 2, 3], "y": 13}),
    ("x = min(3, 1, 2), max([4, 5]), min([], default=0)", {"x": [1, 5, 0]}),  # JSON: a list
    ("x = list(map(str, filter(None, [0, 1, 2])))", {"x": ["1", "2"]}),
    ("x = [i for i, v in enumerate('ab', start=1)]", {"x": [1, 2]}),
    ("x = any([0, 1]), all([]), len({1, 2}), abs(-2), round(2.567, 1)", {"x": [1, 1, 2, 2, 2.6]}),
    ("x = divmod(7, 2), tuple(frozenset([1])), isinstance(1, int)", {"x": [[3, 1], [1], True]}),
    (
        "a, (b, c) = 1, [2, 3]\nfor p, q in [(4, 5)]:\n    d = p + q",
        {"a": 1, "b": 2, "c": 3, "p": 4, "q": 5, "d": 9},
    ),
    ("x = hasattr('s', 'upper'), hasattr('s', '__class__')", {"x": [True, False]}),
    ("def f(n):\n    return n + 1\nx = f(1)\ng = lambda: 2\ny = g()", {"x": 2, "y": 2}),
    ("try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    x = str(e)", {"x": "division by zero"}),
    ("n = 0\nwhile n < 3:\n    n += 1", {"n": 3}),
    ("print('hello')\nx = 1", {"x": 1}),
    ("x = {1: 'one'}", {"x": {"1": "one"}}),  # JSON keys are text
]


@pytest.mark.parametrize(("script", "expected"), ALLOWED)
def test_allowed_script_sets_task_data(env, script, expected):
    assert check(script) is None
    assert run(env, script) == expected  # exactly: no helpers, modules or guards left behind


def test_now_is_a_datetime_kept_as_text(env):
    data = run(env, "now = datetime.now()\nyear = now.year\nnow = now.isoformat()")
    assert data["year"] == int(data["now"][:4]) >= 2024


def test_existing_data_is_read_updated_and_deleted(env):
    data = run(
        env, "total = amount * 2\ndel scratch\nitems.append(3)", amount=21, scratch=1, items=[1, 2]
    )
    assert data == {"amount": 21, "total": 42, "items": [1, 2, 3]}


def test_external_context_is_visible_but_not_kept(env):
    data = {"a": 1}
    env.execute("b = a + ext", data, external_context={"ext": 41})
    assert data == {"a": 1, "b": 42}


def test_execute_returns_true(env):
    assert env.execute("x = 1", {}) is True


def test_task_data_may_not_shadow_a_global(env):
    with pytest.raises(ValueError, match="overwrites a predefined"):
        env.execute("x = 1", {"math": 3})


def test_unknown_attribute_raises_instead_of_returning_none(env):
    with pytest.raises(AttributeError):
        run(env, "x = 'abc'.no_such_method")


def test_restrictedpython_refuses_some_ordinary_python():
    assert "Augmented assignment of object items" in check("d = {}\nd['k'] += 1")
    assert '"_v" is an invalid variable name' in check("for _v in range(3):\n    pass")
    assert check("for _ in range(3):\n    pass") is None  # a lone underscore is fine


# Expressions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"amount": 150, "approved": True}, True),
        ({"amount": 150, "approved": False}, False),
        ({"amount": 50, "approved": True}, False),
    ],
)
def test_evaluate_gateway_condition(env, data, expected):
    assert env.evaluate("amount > 100 and approved", data) is expected
    assert set(data) == {"amount", "approved"}  # evaluation leaves task data alone


def test_evaluate_returns_values_and_uses_external_context(env):
    assert env.evaluate("[n * 2 for n in ns] + [x]", {"ns": [1, 2]}, {"x": 0}) == [2, 4, 0]
    assert env.evaluate("timedelta(hours=1).total_seconds()", {}) == 3600.0


def test_data_cannot_replace_a_guard_in_evaluate(env):
    assert env.evaluate("'a'.upper()", {"_getattr_": "not a function"}) == "A"


def test_evaluate_refuses_statements(env):
    assert check("x = 1", "eval") is not None
    with pytest.raises(ScriptRefused):
        env.evaluate("x = 1", {})


# Refusals -------------------------------------------------------------------------------------

HOSTILE = [
    # (source, refused when checked, error when run)
    ("__import__('os')", True, ScriptRefused),
    ("().__class__.__bases__[0].__subclasses__()", True, ScriptRefused),
    ("x = {}\ny = x.__dict__", True, ScriptRefused),
    ("y = (lambda: 0).__globals__", True, ScriptRefused),
    ("g = (i for i in [])\nf = g.gi_frame", True, ScriptRefused),
    ("x = f'{().__class__}'", True, ScriptRefused),
    ("eval('1')", True, ScriptRefused),
    ("exec('x=1')", True, ScriptRefused),
    ("import _thread", True, ScriptRefused),
    ("getattr(1, '__class__')", True, ScriptRefused),  # a withheld builtin: refused at deploy
    ("'{0.__class__}'.format(1)", False, NotImplementedError),
    ("str.format('{0.__class__}', 1)", False, NotImplementedError),
    ("'{a}'.format_map({'a': 1})", False, NotImplementedError),
    ("import os", False, ImportError),
    ("import os.path", False, ImportError),
    ("import string", False, ImportError),
    ("from json import codecs", False, ImportError),
    ("import json\njson.codecs.open('/etc/passwd')", False, AttributeError),
    ("import datetime\ndatetime.sys.modules['os']", False, AttributeError),
    ("import re\nre.enum", False, AttributeError),
    ("import decimal\ndecimal.getcontext().prec = 1", False, AttributeError),
    ("open('/etc/passwd')", True, ScriptRefused),  # a withheld builtin: refused at deploy
    ("type('x', (), {})", True, ScriptRefused),  # a withheld builtin: refused at deploy
    ("globals()", True, ScriptRefused),  # a withheld builtin: refused at deploy
    ("vars()", True, ScriptRefused),  # a withheld builtin: refused at deploy
    ("compile('1', '', 'eval')", True, ScriptRefused),  # a withheld builtin: refused at deploy
    ("raise SystemExit(1)", True, ScriptRefused),  # a withheld builtin: refused at deploy
    ("math.pi = 3", False, TypeError),
    ("setattr(math, 'pi', 3)", False, TypeError),
    ("d = datetime.now()\nd.year = 1", False, TypeError),
]


@pytest.mark.parametrize(("source", "refused", "error"), HOSTILE)
def test_hostile_source_is_refused(env, source, refused, error):
    reason = check(source)
    assert (reason is not None) is refused, reason
    with pytest.raises(error) as info:
        env.execute(source, {})
    if refused:
        assert info.value.reason == reason
        assert info.value.lineno >= 1
    assert restricted.MODULES["math"].pi > 3.14  # shared module copies stay intact
    assert env.evaluate("math.floor(math.pi * 100)", {}) == 314  # in the sandbox process too


def test_refusal_reason_names_the_problem():
    assert check("__import__('os')") == (
        'Line 1: "__import__" is an invalid variable name because it starts with "_"'
    )


def test_import_error_names_the_module(env):
    with pytest.raises(ImportError, match="import of 'os' is not allowed"):
        env.execute("import os", {})


@pytest.mark.parametrize(
    "source", ["x =", "return 1", "x = 1 +", "\0", "-" * 1000 + "1", "-" * 10**5 + "1"]
)
def test_syntax_errors_are_refusals(env, source):
    assert check(source).startswith("Line ")
    with pytest.raises(ScriptRefused):
        env.execute(source, {})


def test_compilation_is_cached():
    source = "cached_probe = 12345"
    check(source)
    hits = restricted.compiled.cache_info().hits
    assert check(source) is None
    assert restricted.compiled.cache_info().hits == hits + 1


def test_an_oversized_source_is_refused():
    assert "over the 65,536 allowed" in check("x = 1\n" * 20_000)


# Time limit -----------------------------------------------------------------------------------


def test_endless_loop_times_out_with_its_line():
    env = SandboxEnvironment(Limits(wall=0.2, cpu=5.0))
    with pytest.raises(ScriptTimeout, match=r"script exceeded the 0\.2 s time limit") as info:
        env.execute(LOOP, {})
    assert info.value.limit == "wall"


SWALLOWING = [
    "while True:\n  try:\n    while True:\n      pass\n  except Exception:\n    pass",
    "while True:\n  try:\n    while True:\n      pass\n  except:\n    pass",
    "try:\n    while True:\n        pass\nexcept:\n    pass\nx = [0 for i in range(10 ** 12)]",
    "try:\n    while True:\n        pass\nexcept:\n    pass\nx = sum(range(10 ** 12))",
    "def f():\n    try:\n        f()\n    except:\n        f()\nf()",
    "f = lambda n: n and (f(n - 1) or f(n - 1))\nf(200)",
    "x = sum(range(10 ** 12))",
    "x = list(zip(range(10 ** 12), range(10 ** 12)))",
]


@pytest.mark.parametrize("script", SWALLOWING)
def test_scripts_cannot_outlast_the_limit(env, script):
    data = {"kept": 1}
    with pytest.raises(ScriptLimit, match="script exceeded the") as info:
        env.execute(script, data)
    assert info.value.limit in ("cpu", "wall", "memory")  # zip() of ranges fills memory first
    assert data == {"kept": 1}  # a failed script changes nothing


def test_expression_times_out(env):
    with pytest.raises(ScriptTimeout, match="expression exceeded"):
        env.evaluate("sum(i for i in range(10 ** 12))", {})


def test_runaway_recursion_fails_cleanly(env):
    with pytest.raises((RecursionError, ScriptTimeout)):
        env.execute("def f():\n    return f()\nf()", {})
    assert run(env, "x = 1") == {"x": 1}  # the environment still works


def test_timeout_does_not_leak_into_the_next_run(env):
    with pytest.raises(ScriptTimeout):
        env.execute(LOOP, {})
    assert run(env, "n = 0\nwhile n < 1000:\n    n += 1") == {"n": 1000}
    assert restricted.BREACH[0] is None  # in this process nothing is ever pending


# Through SpiffWorkflow ------------------------------------------------------------------------

DEFINITIONS = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" '
    'targetNamespace="http://bpmn.io/schema/bpmn">'
    '<bpmn:process id="proc" isExecutable="true">{}</bpmn:process></bpmn:definitions>'
)


def script_task(task_id, script):
    return (
        f'<bpmn:scriptTask id="{task_id}" scriptFormat="python">'
        f"<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>"
    )


def flow(flow_id, source, target, condition=None):
    body = ""
    if condition is not None:
        body = (
            '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
            f"{escape(condition)}</bpmn:conditionExpression>"
        )
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"{body}</bpmn:sequenceFlow>"
    )


def workflow(xml, timeout=2.0):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(DEFINITIONS.format(xml).encode())
    limits = Limits(wall=timeout, cpu=timeout)
    return BpmnWorkflow(parser.get_spec("proc"), script_engine=SandboxScriptEngine(limits))


def linear(script, timeout=2.0):
    return workflow(
        '<bpmn:startEvent id="start"/>'
        + script_task("script", script)
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "script")
        + flow("f2", "script", "end"),
        timeout,
    )


def test_script_task_sets_data():
    wf = linear("import math\nroot = math.sqrt(16)\nwhen = date(2024, 5, 1).isoformat()")
    wf.do_engine_steps()
    assert wf.is_completed()
    assert wf.data == {"root": 4.0, "when": "2024-05-01"}


@pytest.mark.parametrize(
    ("script", "cause", "lines"),
    [
        ("x = 1\n__import__('os')", ScriptRefused, {2}),
        ("x = 1\nimport os", ImportError, {2}),
        ("x = 1\n\nopen('/etc/passwd')", ScriptRefused, {3}),
        ("x = {}\nx[1]", KeyError, {2}),  # non-str args[0] would crash spiff's own wrapper
        ("x = 1\nwhile True:\n    pass", ScriptTimeout, {2, 3}),  # the loop header or body
    ],
)
def test_hostile_script_task_fails_with_the_cause(script, cause, lines):
    wf = linear(script, timeout=0.2)
    with pytest.raises(WorkflowTaskException) as info:
        wf.do_engine_steps()
    assert isinstance(info.value.exception, cause)
    assert info.value.__cause__ is info.value.exception
    assert info.value.error_type == cause.__name__
    assert info.value.line_number in lines
    assert info.value.error_line == script.splitlines()[info.value.line_number - 1]
    assert not wf.is_completed()


def gateway(setup, condition):
    return workflow(
        '<bpmn:startEvent id="start"/>'
        + script_task("setup", setup)
        + '<bpmn:exclusiveGateway id="gw" default="f_small"/>'
        + script_task("big", "route = 'big'")
        + script_task("small", "route = 'small'")
        + '<bpmn:endEvent id="end"/>'
        + flow("f1", "start", "setup")
        + flow("f2", "setup", "gw")
        + flow("f_big", "gw", "big", condition)
        + flow("f_small", "gw", "small")
        + flow("f3", "big", "end")
        + flow("f4", "small", "end"),
        timeout=0.2,
    )


@pytest.mark.parametrize(
    ("setup", "route"),
    [
        ("amount = 150\napproved = True", "big"),
        ("amount = 150\napproved = False", "small"),
        ("amount = 50\napproved = True", "small"),
    ],
)
def test_exclusive_gateway_condition(setup, route):
    wf = gateway(setup, "amount > 100 and approved")
    wf.do_engine_steps()
    assert wf.is_completed()
    assert wf.data["route"] == route


@pytest.mark.parametrize(
    ("condition", "cause"),
    [
        ("().__class__", ScriptRefused),  # plain eval would happily accept this
        ("sum(range(10 ** 12)) > 0", ScriptTimeout),
        ("amount > limit", NameError),
    ],
)
def test_hostile_gateway_condition_fails_with_the_cause(condition, cause):
    wf = gateway("amount = 1", condition)
    with pytest.raises(WorkflowTaskException) as info:
        wf.do_engine_steps()
    assert isinstance(info.value.exception, cause)
    assert info.value.__cause__ is info.value.exception


def test_validate_keeps_spiffs_syntax_error_contract():
    engine = SandboxScriptEngine()
    assert engine.validate("amount > 5") is None
    with pytest.raises(SyntaxError):
        engine.validate("> 5")  # DMN's needs_eq catches exactly this
    with pytest.raises(ScriptRefused):
        engine.validate("__import__('os')")


def test_engine_passes_its_limits():
    limits = Limits(wall=5.0, cpu=0.25)
    engine = SandboxScriptEngine(limits)
    assert engine.environment.limits is limits
    with pytest.raises(ScriptTimeout, match=r"0\.25 s CPU time limit \(SCRIPT_CPU_SECONDS\)"):
        engine.environment.execute(LOOP, {})


def test_a_withheld_builtin_is_named_with_its_line_unless_the_script_binds_it():
    assert check("x = 1\n\nopen('/etc/passwd')") == "Line 3: open() is not available in scripts"
    assert check("def f(open):\n    return open(1)\nx = f(len)") is None
    assert check("x = sorted([2, 1])\nprint(x)\ny = Decimal('1.5') + len([1])") is None
