"""Validate submitted task data against a form's JSON Schema."""

import json
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker

from .definitions import GENERIC_FORM


@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=FormatChecker())


def validate(schema: dict | None, data: dict) -> dict[str, str]:
    """Return {field path: message} for every fault in data; empty when valid."""
    schema = schema or GENERIC_FORM
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        path = ".".join(str(p) for p in error.path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            path = f"{path}.{missing}" if path else missing
        errors.setdefault(path or "_", error.message)
    return errors
