"""The unified social credit code of GB 32100-2015: 18 characters, the last a check character."""

import re

from jsonschema import FormatChecker

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
FORMAT = "uscc"


def check_character(first17: str) -> str:
    """Return the check character that completes the first 17 characters of a code."""
    total = sum(CHARS.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARS[(31 - total % 31) % 31]


def is_valid(code) -> bool:
    """Return whether code is a well-formed credit code with a correct check character."""
    return (isinstance(code, str) and PATTERN.match(code) is not None
            and check_character(code[:17]) == code[17])


def register_format() -> None:
    """Let form schemas say `"format": "uscc"` (checked by every later FormatChecker)."""
    # Formats apply to strings only; other types are the "type" keyword's business.
    FormatChecker.checkers[FORMAT] = (lambda value: not isinstance(value, str)
                                      or is_valid(value), ())
