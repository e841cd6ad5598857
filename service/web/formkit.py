"""Build the fields a task form draws: schema + values + server-side errors, in one language."""

import json
import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from flask_babel import gettext as _

from . import formschema as fs

_choices_of_documents: ContextVar[list] = ContextVar("documents", default=())
INDEX = "__INDEX__"  # the row number placeholder of a row template (filled in by inbox-form.js)


@dataclass
class Field:
    path: str
    name: str
    widget: str
    label: str
    help: str | None = None
    required: bool = False
    value: object = None
    error: str | None = None
    options: list = field(default_factory=list)
    children: list["Field"] = field(default_factory=list)  # a group's fields
    rows: list[list["Field"]] = field(default_factory=list)  # an array's rows
    template: list["Field"] = field(default_factory=list)  # a blank row, path with INDEX
    attrs: dict = field(default_factory=dict)
    read_only: bool = False
    scalar_rows: bool = False  # rows of one value each, not of objects

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path)

    @property
    def text(self) -> str:
        """Return the value as an input shows it."""
        if self.value is None:
            return ""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    @property
    def kept(self) -> str:
        """Return a stored file reference as JSON, to keep it when no new file is chosen."""
        return json.dumps(self.value, ensure_ascii=False) if self.value else ""

    @property
    def display(self):
        """Return the value as a reader sees it: choice labels instead of stored values."""
        if self.widget in ("select", "radio", "multiselect", "documents") and self.options:
            names = {str(value): text for value, text in self.options}
            if isinstance(self.value, list):
                return "、".join(names.get(str(v), str(v)) for v in self.value)
            return names.get(str(self.value), self.value) if self.value is not None else None
        return self.value

    def selected(self, option) -> bool:
        if isinstance(self.value, list):
            return option in self.value
        return self.value is not None and str(self.value) == str(option)


def build(schema: dict, data: dict | None, errors: dict | None, lang: str,
          documents=None) -> list[Field]:
    """Return the top-level fields of an object schema, with values and errors in place.

    documents: the client's CRM documents, offered by fields that pick document ids.
    """
    _choices_of_documents.set([(d.id, f"#{d.id} {d.filename}") for d in documents or []])
    return _fields(schema, data or {}, errors or {}, lang, "")


def form_title(schema: dict, lang: str) -> str | None:
    return fs.label(schema, lang) or None


def _fields(schema: dict, data: dict, errors: dict, lang: str, prefix: str) -> list[Field]:
    required = fs.required(schema)
    data = data if isinstance(data, dict) else {}
    return [_field(prop, data.get(name), errors, lang, f"{prefix}{name}", name,
                   name in required) for name, prop in fs.properties(schema)]


def _field(schema, value, errors, lang, path, name, required) -> Field:
    widget = fs.widget(schema, name)
    if widget == "hidden":
        widget = "text"
    result = Field(path=path, name=name, widget=widget, label=fs.label(schema, lang, name),
                   help=fs.help_text(schema, lang), required=required, value=value,
                   read_only=bool(schema.get("readOnly")), attrs=_attrs(schema))
    if path in errors:
        result.error = fs.custom_error(schema, lang) or friendly(errors[path], schema)
    if widget in ("select", "radio"):
        result.options = fs.choices(schema, lang)
    elif widget == "scale":
        result.options = [(n, str(n)) for n in fs.scale(schema)]
    elif widget == "multiselect":
        result.options = fs.choices(fs.item_schema(schema), lang)
    elif widget == "documents":
        result.options = _choices_of_documents.get()
    elif widget == "group":
        result.children = _fields(schema, value, errors, lang, f"{path}.")
    elif widget == "rows":
        _rows(result, schema, value, errors, lang)
    return result


def _rows(result: Field, schema: dict, value, errors: dict, lang: str) -> None:
    item = fs.item_schema(schema)
    rows = value if isinstance(value, list) else []
    if fs.widget(item) == "group":
        result.rows = [_fields(item, row, errors, lang, f"{result.path}.{i}.")
                       for i, row in enumerate(rows)]
        result.template = _fields(item, {}, {}, lang, f"{result.path}.{INDEX}.")
    else:
        result.scalar_rows = True
        result.rows = [[_field(item, row, errors, lang, f"{result.path}.{i}", str(i), True)]
                       for i, row in enumerate(rows)]
        result.template = [_field(item, None, {}, lang, f"{result.path}.{INDEX}", INDEX, True)]
        for cell in [row[0] for row in result.rows] + result.template:
            # The row's number shows its place; a screen reader hears the list's name.
            cell.label = fs.label(item, lang) or result.label
    result.attrs["min_items"] = schema.get("minItems")
    result.attrs["max_items"] = schema.get("maxItems")


def _attrs(schema: dict) -> dict:
    attrs = {}
    for key, attr in (("minimum", "min"), ("maximum", "max"), ("minLength", "minlength"),
                      ("maxLength", "maxlength"), ("pattern", "pattern")):
        if key in schema:
            attrs[attr] = schema[key]
    if fs.type_of(schema) == "number":
        attrs["step"] = "any"
    if schema.get("x-placeholder"):
        attrs["placeholder"] = schema["x-placeholder"]
    return attrs


_MESSAGES = (
    (re.compile(r"is a required property"), lambda m, s: _("This field is required.")),
    (re.compile(r"does not match"), lambda m, s: _("The format is not valid.")),
    (re.compile(r"is not of type 'integer'"), lambda m, s: _("Enter a whole number.")),
    (re.compile(r"is not of type 'number'"), lambda m, s: _("Enter a number.")),
    (re.compile(r"is not one of|is not valid under any of"),
     lambda m, s: _("Choose one of the options.")),
    (re.compile(r"should be non-empty|is too short"), lambda m, s: _too_short(s)),
    (re.compile(r"is too long|expected at most"), lambda m, s: _too_long(s)),
    (re.compile(r"is less than the minimum of (\S+)"),
     lambda m, s: _("The smallest allowed value is %(n)s.", n=m.group(1))),
    (re.compile(r"is greater than the maximum of (\S+)"),
     lambda m, s: _("The largest allowed value is %(n)s.", n=m.group(1))),
    (re.compile(r"is not a 'date'"), lambda m, s: _("Enter a valid date.")),
    (re.compile(r"is not a 'email'"), lambda m, s: _("Enter a valid e-mail address.")),
)


def friendly(message: str, schema: dict) -> str:
    """Return a short message in the page's language for a JSON Schema validation message."""
    for pattern, make in _MESSAGES:
        match = pattern.search(message)
        if match:
            return make(match, schema)
    return message


def _too_short(schema: dict) -> str:
    if fs.type_of(schema) == "array":
        return _("Add at least %(n)s rows.", n=schema.get("minItems", 1))
    return _("Enter at least %(n)s characters.", n=schema.get("minLength", 1))


def _too_long(schema: dict) -> str:
    if fs.type_of(schema) == "array":
        return _("At most %(n)s rows.", n=schema.get("maxItems", 0))
    return _("Enter at most %(n)s characters.", n=schema.get("maxLength", 0))
