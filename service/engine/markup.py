"""Refuse active markup in a diagram: whatever a browser would run if it rendered the XML.

Other modelers' extensions (camunda:, modeler:, bioc:, color:, flowable:...) are data and stay
allowed; HTML, SVG and MathML elements, any script element (but bpmn:script, a script task's
body), event-handler attributes, XLink attributes and style sheets that may carry script are
refused, each named with its element.
"""

import re

from lxml import etree

from .errors import Finding

ACTIVE = {
    "http://www.w3.org/1999/xhtml": "XHTML",
    "http://www.w3.org/2000/svg": "SVG",
    "http://www.w3.org/1998/Math/MathML": "MathML",
}
XLINK = "http://www.w3.org/1999/xlink"
# bpmn:script is a script task's body, run by the engine's sandbox; no browser runs it.
BPMN_SCRIPT = "{http://www.omg.org/spec/BPMN/20100524/MODEL}script"
# In XML, where names are case-sensitive, an event handler is "on" and lower-case letters
# (onload, onclick); camel-case names such as flowable's onTransaction are not handlers.
HANDLER = re.compile(r"on[a-z]+")
MAX_FINDINGS = 50


def _label(node) -> str:
    local = etree.QName(node).localname
    return f"<{node.prefix}:{local}>" if node.prefix else f"<{local}>"


def _owner(node) -> str | None:
    """Return the id of the nearest element holding node that is not active markup itself."""
    while node is not None:
        if node.get("id") and etree.QName(node).namespace not in ACTIVE:
            return node.get("id")
        node = node.getparent()
    return None


def _element_findings(node) -> list[Finding]:
    found = []
    qname = etree.QName(node)
    if qname.namespace in ACTIVE:
        found.append(Finding(_owner(node.getparent()), f"active markup is not allowed: "
                             f"{_label(node)} is an {ACTIVE[qname.namespace]} element"))
    elif qname.localname.lower() == "script" and node.tag != BPMN_SCRIPT:
        found.append(Finding(_owner(node.getparent()),
                             f"active markup is not allowed: {_label(node)} is a script"))
    for name in node.attrib:
        attribute = etree.QName(name)
        if HANDLER.fullmatch(attribute.localname) or attribute.namespace == XLINK:
            found.append(Finding(_owner(node), f"active markup is not allowed: attribute "
                                 f"{attribute.localname!r} on {_label(node)}"))
    return found


def active_markup(root) -> list[Finding]:
    """Return a finding for each piece of active markup in a parsed diagram (empty: none)."""
    found = []
    outside = [*root.itersiblings(preceding=True), *root.itersiblings()]
    for node in [*outside, *root.iter()]:
        if isinstance(node, etree._ProcessingInstruction):
            if node.target.lower() == "xml-stylesheet":
                found.append(Finding(None, "active markup is not allowed: an xml-stylesheet "
                                     "processing instruction"))
        elif isinstance(node.tag, str):
            found.extend(_element_findings(node))
        if len(found) >= MAX_FINDINGS:
            break
    return found[:MAX_FINDINGS]
