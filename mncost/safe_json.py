"""Strict, bounded JSON for files strangers write (spec files, device profiles).

:func:`load_json` is ``json.loads`` with the input limits of :mod:`mncost.limits`: nesting
is measured before parsing (``json.loads`` recurses once per level), a number longer than
:data:`~mncost.limits.MAX_NUMBER_CHARS` is refused before Python converts it, and a key
given twice in one object is refused instead of the last one silently winning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from mncost.limits import MAX_NUMBER_CHARS, MAX_SPEC_DEPTH
from mncost.text import quote

__all__ = ["StrictJsonError", "load_json"]


class StrictJsonError(ValueError):
    """Why a text is refused, as one line without the file's name (the caller adds it)."""


# JSON strings (also one left open at the end) and runs of anything but brackets: what
# is left once both are removed is the nesting, which a flat loop can measure.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")


def _too_deep(text: str, limit: int) -> bool:
    depth = 0
    for char in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        if depth > limit:
            return True
    return False


def _number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(digits: str) -> Any:
        if len(digits) > MAX_NUMBER_CHARS:
            raise StrictJsonError(
                f"the number {quote(digits)} is longer than {MAX_NUMBER_CHARS} characters"
            )
        return convert(digits)

    return parse


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise StrictJsonError(f"duplicate key {quote(key)} in a JSON object")
            seen.add(key)
    return result


def load_json(text: str, max_depth: int = MAX_SPEC_DEPTH) -> Any:
    """Parse ``text``; StrictJsonError (one line) when it is not valid JSON or crosses a
    limit."""
    if _too_deep(text, max_depth):
        raise StrictJsonError(f"not valid JSON: nested deeper than {max_depth} levels")
    try:
        return json.loads(
            text, parse_int=_number(int), parse_float=_number(float), object_pairs_hook=_mapping
        )
    except json.JSONDecodeError as exc:
        raise StrictJsonError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
