"""Read what the studio needs from a BPMN file before it is deployable: key, name, layout."""

from dataclasses import dataclass

from lxml import etree

from .definitions import BPMN_NS, NS
from .errors import DefinitionInvalid, Finding
from .xmlsafe import parse_xml

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"


@dataclass(frozen=True)
class DiagramOutline:
    """The process a BPMN file holds, as far as an editor cares."""

    key: str
    name: str
    executable: bool
    has_layout: bool  # diagram interchange (shapes and edges) present: the modeler can draw it


def _main_process(root):
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DefinitionInvalid([Finding(None, "not a BPMN 2.0 document (root must be "
                                         "bpmn:definitions)")])
    processes = root.findall("bpmn:process", NS)
    if not processes:
        raise DefinitionInvalid([Finding(None, "the file defines no process")])
    executable = [p for p in processes if p.get("isExecutable", "false").lower() == "true"]
    return (executable or processes)[0]


def outline(content: bytes) -> DiagramOutline:
    """Return the key, name and layout state of a BPMN file's main process."""
    root = parse_xml(content)
    process = _main_process(root)
    key = process.get("id") or ""
    return DiagramOutline(
        key=key, name=process.get("name") or key,
        executable=process.get("isExecutable", "false").lower() == "true",
        has_layout=root.find(f".//{{{BPMNDI_NS}}}BPMNShape") is not None)


def make_executable(content: bytes) -> bytes:
    """Mark the main process executable, as modelers such as bpmn.io leave it false."""
    root = parse_xml(content)
    process = _main_process(root)
    if process.get("isExecutable", "false").lower() == "true":
        return content
    process.set("isExecutable", "true")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
