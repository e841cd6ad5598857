"""Values between the server and its sandbox processes: JSON, plus a few tagged types.

Task data is plain JSON (it is saved as JSON): a script that leaves anything else in it, or
data nested too deeply, fails with a message naming the key and the type. An expression's
value may also be a date, time, duration or Decimal (a DMN input, a timer's date), sent
tagged; any other value (a set, a regex match, a generator) comes back as an Opaque that
keeps only its truth, so a condition like `re.match(...)` still works.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import struct

from .script_limits import MAX_DATA_DEPTH

# A frame between server and sandbox: length of the JSON body, then flags.
HEADER = struct.Struct(">IB")
TAGGED, LAST = 1, 2  # the body holds tagged values; the sandbox process exits after this frame
TAG = "$lp"
_TAGGED = {
    "datetime": (_dt.datetime, _dt.datetime.isoformat, _dt.datetime.fromisoformat),
    "date": (_dt.date, _dt.date.isoformat, _dt.date.fromisoformat),
    "time": (_dt.time, _dt.time.isoformat, _dt.time.fromisoformat),
    "timedelta": (_dt.timedelta, lambda v: [v.days, v.seconds, v.microseconds],
                  lambda v: _dt.timedelta(*v)),
    "decimal": (decimal.Decimal, str, decimal.Decimal),
}
_NAMES = {kind: name for name, (kind, _, _) in _TAGGED.items()}
_PLAIN = (str, int, float, bool, type(None))
NOT_JSON = "task data must be JSON (text, numbers, true/false, null, lists and objects)"


class Opaque:
    """An expression's value that is not data: only its truth and its type cross over."""

    def __init__(self, type_name: str, truth: bool):
        self.type_name = type_name
        self.truth = truth

    def __bool__(self) -> bool:
        return self.truth

    def __repr__(self) -> str:
        return f"<{self.type_name}>"

    __str__ = __repr__


class Unsendable(TypeError):
    """A value that cannot cross between server and sandbox."""


class _Encoder:
    """json.dumps with tags for dates, times, durations and Decimals; remembers using one."""

    def __init__(self):
        self.tagged = False

    def default(self, value):
        name = _NAMES.get(type(value))
        if name is None:
            raise Unsendable(type(value).__name__)
        self.tagged = True
        return {TAG: name, "v": _TAGGED[name][1](value)}

    def dumps(self, value) -> str:
        return json.dumps(value, default=self.default, allow_nan=False, ensure_ascii=False)


def _untag(obj: dict):
    if len(obj) == 2 and TAG in obj and "v" in obj:
        name = obj[TAG]
        if name == "opaque":
            return Opaque(*obj["v"])
        return _TAGGED[name][2](obj["v"])
    return obj


def encode(value) -> tuple[str, bool]:
    """Return value as JSON text and whether it holds tagged values; raise Unsendable."""
    encoder = _Encoder()
    try:
        return encoder.dumps(value), encoder.tagged
    except Unsendable:
        raise
    except (TypeError, ValueError, RecursionError) as exc:  # a tuple key, NaN, deep nesting
        raise Unsendable(_problem(value) or str(exc)) from None


def encode_value(value) -> tuple[str, bool]:
    """Encode an expression's value; what cannot be sent becomes an opaque truth value."""
    try:
        return encode(value)
    except Unsendable:
        truth = bool(value)
        return json.dumps({TAG: "opaque", "v": [type(value).__name__, truth]}), True


def decode(text: str | bytes, tagged: bool):
    """Return the value of JSON text written by encode()."""
    return json.loads(text, object_hook=_untag) if tagged else json.loads(text)


def plain_problem(key: str, value, text: str | None) -> str | None:
    """Return why value (under key) cannot be task data, or None; text is its encoding."""
    if text is None:
        found = _problem(value)
        return f"{_a(found)} in {key!r}" if found else f"a value that is not JSON in {key!r}"
    if text.count("[") + text.count("{") > MAX_DATA_DEPTH and _depth(value) > MAX_DATA_DEPTH:
        return f"data nested more than {MAX_DATA_DEPTH} levels deep in {key!r}"
    return None


def problem_in(values: dict) -> str | None:
    """Name the first value of a dict that cannot be task data, with its key, or None."""
    for key, value in values.items():
        found = _problem(value)
        if found:
            return f"{_a(found)} in {key!r}"
    return None


def _a(noun: str) -> str:
    return f"{'an' if noun[0].lower() in 'aeiou' else 'a'} {noun}"


def _problem(value) -> str | None:
    """Name the first thing in value that is not plain JSON (a type, NaN, a huge number)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DATA_DEPTH:
            return f"nesting deeper than {MAX_DATA_DEPTH} levels"
        kind = type(item)
        if kind is float and (item != item or item in (float("inf"), float("-inf"))):
            return "non-finite number"
        if kind is int and item.bit_length() > 14_000:  # past int_max_str_digits (4300)
            return "number too large to write"
        if kind in (list, tuple):
            stack.extend((child, depth + 1) for child in item)
        elif kind is dict:
            for k, child in item.items():
                if not isinstance(k, _PLAIN):
                    return f"dict with a {type(k).__name__} key"
                stack.append((child, depth + 1))
        elif kind not in _PLAIN:
            return kind.__name__
    return None


def _depth(value) -> int:
    """Return how deeply lists and dicts nest in value."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def size(text: str) -> int:
    """Return the bytes of JSON text in UTF-8."""
    return len(text) if text.isascii() else len(text.encode())
