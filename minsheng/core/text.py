"""Text hygiene shared by the forms, the API schemas and the exports (plain Python, no Django inside)."""

from __future__ import annotations

import re

# A text starting with one of these is run as a formula by a spreadsheet (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# C0 controls, DEL and C1 controls (Unicode category Cc); the multi-line set keeps tab, line feed and
# carriage return. The single-line set is a superset of what openpyxl refuses (ILLEGAL_CHARACTERS_RE).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control(value: str, *, multiline: bool = False) -> str:
    """`value` without control characters. A multi-line text keeps tab, line feed and carriage return;
    a single-line one (a title, a name) keeps none."""
    return (_CONTROL_MULTILINE if multiline else _CONTROL).sub("", value)


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a control character that `strip_control` would remove."""
    return (_CONTROL_MULTILINE if multiline else _CONTROL).search(value) is not None
