"""Escapes and bombs, and a diagram template for each place the engine evaluates an expression.

Each payload is (source, limits): limits is empty for an escape (it must be refused or fail),
else the budgets that may stop it (any one of them, named in the incident). A payload that is a
statement is refused at deploy in the expression places (it does not compile there).
"""

import io
from xml.sax.saxutils import escape, quoteattr

TIME = {"cpu", "wall"}
MEMORY = {"memory"}
BIG = {"memory", "result", "data"}  # a large value: whichever budget it meets first

ESCAPES = [
    "__import__('os').system('touch /tmp/linkpass-canary')",
    "().__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__mro__[1].__subclasses__()]",
    "(lambda: 0).__globals__",
    "(i for i in []).gi_frame.f_back",
    "f'{().__class__}'",
    "eval('1 + 1')",
    "exec('x = 1')",
    "compile('1', 'f', 'eval')",
    "getattr(1, '__class__')",
    "'{0.__class__}'.format(1)",
    "'{0.__init__.__globals__}'.format(len)",
    "str.format('{0.__class__}', 1)",
    "'{a}'.format_map({'a': 1})",
    "'{:>1000000000}'.format(1)",  # format strings are refused whole by the guard
    "open('/etc/passwd').read()",
    "open('/tmp/linkpass-canary', 'w').write('x')",
    "type('X', (), {})",
    "globals()",
    "vars()",
    "dir()",
    "breakpoint()",
    "input()",
    "exit()",
    "__builtins__",
    "__loader__",
    "json.loads.__globals__",
    "datetime.now.__self__",
    "re.compile('a').__class__",
    "math.__dict__",
    "json.codecs.open('/etc/passwd')",
    "datetime.sys.modules['os']",
    "re.enum",
    "re.sre_compile",
    "decimal.getcontext()",
    "Decimal.__subclasses__()",
    "setattr(math, 'pi', 3)",
    "delattr(math, 'pi')",
    "memoryview(b'x')",
    "bytearray(8)",
    "object.__subclasses__()",
    "sys.modules",
    "os.environ",
    "import os",
    "from json import codecs",
    "import importlib",
    "raise SystemExit(1)",
    "isinstance.__self__",
    "[x for x in (1,)][0].__class__",
    "hasattr(1, '__class__') and 1 .__class__",
]

BOMBS = [
    ("'ab' * 15 * 10**8", MEMORY),  # the 3 GB string
    ("list(range(4 * 10**7))", MEMORY),  # the 1.7 GB list
    ("re.match('(a+)+$', 'a' * 26 + 'b')", TIME),  # the backtracking condition
    ("f'{1:>{10**9}}'", MEMORY),  # the 1 GB format
    ("'a' * 10**8", BIG),  # the 100 MB of data
    ("10 ** 10 ** 8", TIME | MEMORY),
    ("pow(10, 10 ** 8)", TIME | MEMORY),
    ("math.factorial(10 ** 7)", TIME),
    ("math.comb(10 ** 7, 5 * 10 ** 6)", TIME),
    ("[0] * 10**9", MEMORY),
    ("bytes(10**9)", MEMORY),
    ("'%*d' % (10**9, 1)", MEMORY),
    ("'a'.ljust(10**9)", MEMORY),
    ("'x'.zfill(10**9)", MEMORY),
    ("'-'.join(['x'] * 10**8)", MEMORY),
    ("sum(range(10**12))", TIME),
    ("max(range(10**12))", TIME),
    ("sorted(range(10**8), reverse=True)", TIME | MEMORY),
    ("[[0] * 10**4 for i in range(10**4)]", TIME | MEMORY),
    ("{i: i for i in range(10**8)}", TIME | MEMORY),
    ("list(map(str, range(10**8)))", TIME | MEMORY),
    ("len(str([[[]] * 10**4] * 10**4))", TIME | MEMORY),
    ("(x := 'x' * 10**6)", BIG),  # fits in memory, not in the result or the data
    ("while True:\n    pass", TIME),
    ("try:\n    while True:\n        pass\nexcept:\n    pass\nx = sum(range(10 ** 12))", TIME),
    ("def f():\n    try:\n        f()\n    except:\n        f()\nf()", TIME),
    ("x = [1]\nx *= 10**9", MEMORY),
    ("x = 'x' * 10**6", BIG),
    ("x = ['y' * 1000] * 1000", BIG),
]

PAYLOADS = [(source, set()) for source in ESCAPES] + BOMBS

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')


def diagram(key: str, body: str, flows: list[tuple[str, str]], extra: str = "",
             conditions: dict | None = None) -> str:
    arrows = ""
    for number, (source, target) in enumerate(flows):
        condition = (conditions or {}).get(number)
        inner = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                 f"{escape(condition)}</bpmn:conditionExpression>") if condition else ""
        arrows += (f'<bpmn:sequenceFlow id="f{number}" sourceRef="{source}" '
                   f'targetRef="{target}">{inner}</bpmn:sequenceFlow>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions {NS} id="d_{key}" '
            f'targetNamespace="http://bpmn.io/schema/bpmn">{extra}'
            f'<bpmn:process id="{key}" isExecutable="true"><bpmn:startEvent id="start">'
            f"<bpmn:extensionElements>{_properties(startableBy='advisor')}"
            f"</bpmn:extensionElements></bpmn:startEvent>"
            f'{body}<bpmn:endEvent id="end"/>{arrows}</bpmn:process></bpmn:definitions>')


def _line(key, element):
    return diagram(key, element, [("start", "place"), ("place", "end")])


def _properties(**values) -> str:
    props = "".join(f"<spiffworkflow:property name={quoteattr(n)} value={quoteattr(v)}/>"
                    for n, v in values.items())
    return f"<spiffworkflow:properties>{props}</spiffworkflow:properties>"


def _mi(key, inner):
    return _line(key, '<bpmn:scriptTask id="place" scriptFormat="python">'
                      f"<bpmn:multiInstanceLoopCharacteristics>{inner}"
                      "</bpmn:multiInstanceLoopCharacteristics>"
                      "<bpmn:script>done = True</bpmn:script></bpmn:scriptTask>")


def decision(key: str, input_expression: str, output_entry: str, entry: str = "-") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
            f'id="dd_{key}" name="{key}" namespace="http://linkpass.example/dmn">'
            f'<decision id="decide_{key}" name="decide"><decisionTable id="table_{key}">'
            f'<input id="in_{key}"><inputExpression id="input_{key}">'
            f"<text>{escape(input_expression)}</text></inputExpression></input>"
            f'<output id="out_{key}" name="outcome"/>'
            f'<rule id="rule_{key}"><inputEntry id="entry_in_{key}"><text>{escape(entry)}</text>'
            "</inputEntry>"
            f'<outputEntry id="cell_{key}"><text>{escape(output_entry)}</text></outputEntry>'
            "</rule></decisionTable></decision></definitions>")


def rule_task(key):
    """A diagram whose business rule task "place" calls the decision of decision(key, ...)."""
    return _place(key, "businessRuleTask",
                  f"<spiffworkflow:calledDecisionId>decide_{key}</spiffworkflow:calledDecisionId>")


def _place(key, tag: str, extensions: str = "", inner: str = "") -> str:
    """A diagram whose element "place" (a `tag`) holds the payload somewhere."""
    if extensions:
        extensions = f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>"
    return _line(key, f'<bpmn:{tag} id="place">{extensions}{inner}</bpmn:{tag}>')


def _with_message(key, text: str) -> str:
    return text.replace("<bpmn:process ", f'<bpmn:message id="msg_{key}" name="msg_{key}"/>'
                                          "<bpmn:process ", 1)


def _script(key, p):
    return _line(key, '<bpmn:scriptTask id="place" scriptFormat="python">'
                      f"<bpmn:script>{escape(p)}</bpmn:script></bpmn:scriptTask>")


def _prescript(key, p):
    return _place(key, "userTask",
                  f"<spiffworkflow:preScript>{escape(p)}</spiffworkflow:preScript>")


def _postscript(key, p):
    # Spiff runs no pre- or post-script on script tasks: a user task's runs when it completes
    return _place(key, "userTask",
                  f"<spiffworkflow:postScript>{escape(p)}</spiffworkflow:postScript>")


def _condition(key, p):
    return diagram(key, '<bpmn:exclusiveGateway id="place" default="f2"/><bpmn:endEvent id="e2"/>',
                   [("start", "place"), ("place", "end"), ("place", "e2")], conditions={1: p})


def _timer(key, p):
    return _place(key, "intermediateCatchEvent",
                  inner=f'<bpmn:timerEventDefinition id="timer_{key}"><bpmn:timeDuration '
                        f'xsi:type="bpmn:tFormalExpression">{escape(p)}</bpmn:timeDuration>'
                        "</bpmn:timerEventDefinition>")


def _assignee(key, p):
    return _place(key, "userTask", _properties(assignee=p))


def _correlation(key, p):
    return _with_message(key, _place(
        key, "intermediateCatchEvent", _properties(correlationKey=p),
        f'<bpmn:messageEventDefinition id="m_{key}" messageRef="msg_{key}"/>'))


def _payload(key, p):
    return _with_message(key, _place(
        key, "intermediateThrowEvent",
        inner=f'<bpmn:messageEventDefinition id="m_{key}" messageRef="msg_{key}">'
              "<bpmn:extensionElements><spiffworkflow:messagePayload>"
              f"{escape(p)}</spiffworkflow:messagePayload></bpmn:extensionElements>"
              "</bpmn:messageEventDefinition>"))


def _service(key, p):
    return _place(key, "serviceTask",
                  '<spiffworkflow:serviceTaskOperator id="crm.open_engagement" '
                  'resultVariable="engagement"><spiffworkflow:parameters>'
                  f'<spiffworkflow:parameter id="channel" type="str" value={quoteattr(p)}/>'
                  "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>")


# place: (diagram(key, payload), decision(key, payload) or None, where a refusal or an
# incident is expected: the element id)
PLACES = {
    "script": (_script, None, "place"),
    "pre-script": (_prescript, None, "place"),
    "post-script": (_postscript, None, "place"),
    "gateway condition": (_condition, None, "place"),  # refused at deploy: the flow, f1
    "timer": (_timer, None, "place"),
    "assignee": (_assignee, None, "place"),
    "correlation key": (_correlation, None, "place"),
    "cardinality": (
        lambda k, p: _mi(k, f"<bpmn:loopCardinality>{escape(p)}</bpmn:loopCardinality>"),
        None, "place"),
    "completion condition": (
        lambda k, p: _mi(k, "<bpmn:loopCardinality>2</bpmn:loopCardinality>"
                            f"<bpmn:completionCondition>{escape(p)}</bpmn:completionCondition>"),
        None, "place"),
    "service parameter": (_service, None, "place"),
    "message payload": (_payload, None, "place"),
    "DMN input expression": (lambda k, p: rule_task(k),
                             lambda k, p: decision(k, p, '"x"', "? != None"), "place"),
    "DMN output cell": (lambda k, p: rule_task(k), lambda k, p: decision(k, "1", p), "place"),
}


def deploy(owner, name: str, text: str):
    """Deploy a diagram or decision given as text; assert it was accepted."""
    response = owner.post("/api/v1/processes", data={"file": (io.BytesIO(text.encode()), name)},
                          content_type="multipart/form-data")
    assert response.status_code in (200, 201), response.json
    return response


def script_then_task(key: str, script: str) -> str:
    """A process that runs `script` in the script task "place", then waits at a user task."""
    body = ('<bpmn:scriptTask id="place" scriptFormat="python">'
            f'<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:userTask id="after"/>')
    return diagram(key, body, [("start", "place"), ("place", "after"), ("after", "end")])
