"""Parse untrusted XML: no DTDs, no entities, no network, bounded size."""

import re

from lxml import etree

from .errors import DefinitionInvalid, Finding

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(content: bytes | str) -> etree._Element:
    """Return the root element, or raise DefinitionInvalid for hostile or malformed XML."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    # A BPMN or DMN file never needs a DTD: refuse before any parser sees the declarations.
    if _DECLARATION.search(content):
        raise DefinitionInvalid([Finding(None, "DOCTYPE and ENTITY declarations are not allowed")])
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_blank_text=False,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise DefinitionInvalid([Finding(None, f"not well-formed XML: {exc}")]) from None
    if root.getroottree().docinfo.doctype:
        raise DefinitionInvalid([Finding(None, "DOCTYPE declarations are not allowed")])
    return root
