"""Refuse text no database stores: NUL, or a lone UTF-16 surrogate, in any request's text.

PostgreSQL refuses NUL in text and JSON values (SQLite keeps it), and a lone surrogate (JSON
allows "\\ud800") cannot be encoded for either; without this guard such a request is a 500. A
name in the path holding one names nothing (404); a query, form or JSON field is invalid (422,
by field; a page for a browser outside the API). It runs after the CSRF check.
"""

from flask import request
from werkzeug.exceptions import NotFound

from service.errors import InvalidData

NUL = "\x00"
MESSAGE = "must not contain a NUL character or a lone surrogate"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def unstorable(text: str) -> bool:
    """Return whether a database cannot store this text."""
    if NUL in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unstorable_fields(value, field: str):
    """Yield the dotted names of the strings (keys included) in value a database refuses."""
    if isinstance(value, str):
        if unstorable(value):
            yield field or "_"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            if unstorable(str(key)):
                yield name
            yield from _unstorable_fields(item, name)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _unstorable_fields(item, f"{field}.{position}" if field else str(position))


def refuse_unstorable_text() -> None:
    """Before any view: answer 404 or 422 for text a database refuses."""
    if any(isinstance(v, str) and unstorable(v) for v in (request.view_args or {}).values()):
        raise NotFound()
    found = {}
    sources = [("query", request.args)]
    if request.mimetype in FORM_TYPES:  # only these have a form; asking costs even a JSON call
        sources.append(("form", request.form))
    for location, multidict in sources:
        fields = sorted({str(name) for name, values in multidict.lists()
                         if any(isinstance(t, str) and unstorable(t) for t in (name, *values))})
        if fields:
            found[location] = {name: [MESSAGE] for name in fields}
    if request.is_json:
        fields = sorted(set(_unstorable_fields(request.get_json(silent=True), "")))
        if fields:
            found["json"] = {name: [MESSAGE] for name in fields}
    if found:
        raise InvalidData("a field holds a NUL character or a lone surrogate, which cannot be "
                          "stored; remove it and send again", found)
