"""Read a form's JSON Schema and UI hints: which widget, which label, which choices."""

TEXTAREA_LENGTH = 255


def label(schema: dict, lang: str, fallback: str = "") -> str:
    """Return the field's label in the page's language (x-title-en for English)."""
    if lang == "en" and schema.get("x-title-en"):
        return schema["x-title-en"]
    return schema.get("title") or schema.get("x-title-en") or fallback


def help_text(schema: dict, lang: str) -> str | None:
    if lang == "en" and schema.get("x-description-en"):
        return schema["x-description-en"]
    return schema.get("description") or schema.get("x-description-en")


def custom_error(schema: dict, lang: str) -> str | None:
    """Return the form author's own message for any fault of this field, if written."""
    if lang == "en" and schema.get("x-error-en"):
        return schema["x-error-en"]
    return schema.get("x-error") or schema.get("x-error-en")


def type_of(schema: dict) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the non-null type decides the widget
        kind = next((k for k in kind if k != "null"), None)
    return kind


def choices(schema: dict, lang: str) -> list[tuple[object, str]] | None:
    """Return [(value, label)] for enum or oneOf-of-consts schemas, else None."""
    if isinstance(schema.get("enum"), list):
        values = schema["enum"]
        titles = None
        if lang == "en":
            titles = schema.get("x-enum-titles-en")
        titles = titles or schema.get("x-enum-titles") or schema.get("enumNames")
        if not isinstance(titles, list) or len(titles) != len(values):
            titles = [str(v) for v in values]
        return [(v, str(t)) for v, t in zip(values, titles, strict=True) if v is not None]
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list) and options and all(
            isinstance(o, dict) and "const" in o for o in options):
        return [(o["const"], label(o, lang, str(o["const"]))) for o in options]
    return None


DOCUMENT_FIELDS = ("documents", "attachments")


def widget(schema: dict, name: str | None = None) -> str:
    """Return the widget that draws a schema: text, textarea, number, date, select, ..."""
    hint = schema.get("x-widget") or schema.get("ui:widget")
    kind = type_of(schema)
    if hint in ("file",) or schema.get("format") == "data-url":
        return "file"
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        # Ids of the client's CRM documents: chosen from the list, not typed.
        if type_of(items) == "integer" and (hint == "documents" or name in DOCUMENT_FIELDS):
            return "documents"
        if choices(items, "zh_CN") is not None:
            return "multiselect"
        return "rows"
    if kind == "object":
        return "group"
    if choices(schema, "zh_CN") is not None:
        return "radio" if hint == "radio" else "select"
    if kind == "boolean":
        return "checkbox"
    if kind == "integer" and hint != "number" and scale(schema):
        return "scale"
    if kind in ("integer", "number"):
        return "number"
    if hint in ("textarea", "date", "email", "datetime", "hidden"):
        return hint
    fmt = schema.get("format")
    if fmt == "date":
        return "date"
    if fmt == "date-time":
        return "datetime"
    if fmt == "email":
        return "email"
    if (schema.get("maxLength") or 0) > TEXTAREA_LENGTH:
        return "textarea"
    return "text"


SCALE_STEPS = 11  # 0-10 is the longest scale drawn as buttons; beyond, a number field


def scale(schema: dict) -> list[int]:
    """Return the choices of a small whole-number range (a 1-5 score), else []."""
    low, high = schema.get("minimum"), schema.get("maximum")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        return []
    return list(range(low, high + 1)) if 1 < high - low + 1 <= SCALE_STEPS else []


def properties(schema: dict) -> list[tuple[str, dict]]:
    """Return the (name, schema) pairs of an object schema in the author's order."""
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    order = schema.get("x-order") or schema.get("ui:order")
    names = list(props)
    if isinstance(order, list):
        names = [n for n in order if n in props] + [n for n in names if n not in order]
    return [(name, props[name]) for name in names if isinstance(props[name], dict)]


def required(schema: dict) -> set[str]:
    value = schema.get("required")
    return set(value) if isinstance(value, list) else set()


def item_schema(schema: dict) -> dict:
    items = schema.get("items")
    return items if isinstance(items, dict) else {"type": "string"}
