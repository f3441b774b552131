"""A YAML reader for untrusted spec files: YAML 1.2 scalars, bounded, in one flat pass.

``yaml.safe_load`` is not fit for files from strangers: it reads YAML 1.1 (``010`` is 8,
``1:04`` is 64, ``no`` is false), lets the last of two equal keys win silently, expands
aliases without bound (a 600-byte "billion laughs" file becomes gigabytes) and builds
nested values recursively (2,000 brackets deep is a RecursionError).

So the parser (libyaml's, when PyYAML has it, else PyYAML's own) only produces events,
and :func:`load_yaml` builds the Python values itself, with an explicit stack:

* plain scalars resolve by the YAML 1.2 core schema: ints ``[-+]?[0-9]+``, ``0o..``,
  ``0x..``; floats; ``true``/``false`` and ``null`` in their three spellings each; all
  else is text. A leading-zero int (``010``) is refused as ambiguous, and a number
  longer than :data:`~mncost.limits.MAX_NUMBER_CHARS` is refused before conversion;
* mapping keys are text, and a key given twice is refused with its line;
* nesting is bounded by :data:`~mncost.limits.MAX_SPEC_DEPTH`, aliases included;
* an alias shares its anchor's value (as PyYAML does), but counts as many nodes as the
  anchor holds: the whole document, expanded, may have at most
  :data:`~mncost.limits.MAX_SPEC_ALIAS_NODES` nodes; an alias inside its own anchor
  (a recursive structure) is refused;
* ``<<`` merge keys work as in PyYAML, so anchors can still repeat blocks of fields.

Every failure is a :class:`YamlSpecError` with a one-line message.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from mncost.limits import MAX_NUMBER_CHARS, MAX_SPEC_ALIAS_NODES, MAX_SPEC_DEPTH
from mncost.text import quote, shorten

__all__ = ["YamlSpecError", "load_yaml", "resolve_plain"]


class YamlSpecError(ValueError):
    """A YAML document that cannot be read, or that crosses one of the loader's bounds."""


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~20x faster

_STR_TAGS = frozenset({"!", "tag:yaml.org,2002:str"})
_SEQ_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq"})
_MAP_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map"})

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_WORDS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_OCTAL = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    **{s + inf: float(s + "inf") for s in ("", "+", "-") for inf in (".inf", ".Inf", ".INF")},
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}
_NUMBER_START = frozenset("0123456789+-.")


def _number(text: str, line: int, convert: Any) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise YamlSpecError(
            f"line {line}: the number {quote(text)} is longer than {MAX_NUMBER_CHARS} characters"
        )
    return convert(text)


def resolve_plain(text: str, line: int = 0) -> Any:
    """The value of a plain (unquoted, untagged) scalar under the YAML 1.2 core schema."""
    if text in _WORDS:
        return _WORDS[text]
    if text[:1] not in _NUMBER_START:  # most scalars are names: skip the patterns
        return text
    if _DECIMAL.fullmatch(text):
        if _LEADING_ZERO.fullmatch(text):
            raise YamlSpecError(
                f"line {line}: the number {quote(text)} has a leading zero, which YAML 1.1 "
                f"reads as octal and YAML 1.2 as decimal; write it without the zero "
                f"(or as 0o... for octal)"
            )
        return _number(text, line, int)
    if _OCTAL.fullmatch(text):
        return _number(text, line, lambda t: int(t[2:], 8))
    if _HEX.fullmatch(text):
        return _number(text, line, lambda t: int(t[2:], 16))
    if _FLOAT.fullmatch(text):
        return _number(text, line, float)
    return _SPECIAL_FLOATS.get(text, text)


class _Frame:
    """A mapping or sequence being built; ``count`` and ``height`` are of its expansion."""

    __slots__ = ("value", "anchor", "count", "height", "key", "lines", "merges")

    def __init__(self, value: Any, anchor: str | None) -> None:
        self.value = value
        self.anchor = anchor
        self.count = 1
        self.height = 1
        self.key: Any = _NO_KEY  # mappings only: the key whose value comes next
        self.lines: dict[str, int] = {}  # mappings only: where each key was given
        self.merges: list[Any] = []  # mappings only: values of << keys

    def add(self, value: Any, count: int, height: int, line: int) -> None:
        """Take the next item: a list element, a mapping key, or the value for that key."""
        self.count += count
        self.height = max(self.height, height + 1)
        if type(self.value) is list:
            self.value.append(value)
        elif self.key is _NO_KEY:
            name = "<<" if value is _MERGE else value
            if name in self.lines:
                raise YamlSpecError(
                    f"line {line}: duplicate key {quote(name)} "
                    f"(first given at line {self.lines[name]})"
                )
            self.lines[name] = line
            self.key = value
        else:
            key, self.key = self.key, _NO_KEY
            if key is _MERGE:
                self.merges.append(value)
            else:
                self.value[key] = value


_NO_KEY = object()
_MERGE = object()
_OPEN = object()  # an anchor whose collection is still being read


def _line(event: Any) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 0


def _scalar(event: Any) -> Any:
    tag = event.tag
    if tag is None and not event.style:  # plain: libyaml says "", PyYAML None
        return resolve_plain(event.value, _line(event))
    if tag is None or tag in _STR_TAGS:
        return event.value  # quoted, block or !!str: text as written
    raise YamlSpecError(
        f"line {_line(event)}: the YAML tag {quote(tag)} is not supported (write plain values)"
    )


def _merged(frame: _Frame, line: int) -> dict[str, Any]:
    # As PyYAML: explicit keys beat merged ones; of the merged, the earlier mapping wins.
    result: dict[str, Any] = {}
    for source in frame.merges:
        for mapping in source if isinstance(source, list) else [source]:
            if not isinstance(mapping, dict):
                raise YamlSpecError(
                    f"line {line}: a << merge key needs a mapping or a list of mappings"
                )
            for key, value in mapping.items():
                result.setdefault(key, value)
    result.update(frame.value)
    return result


def _syntax_error(exc: yaml.YAMLError) -> YamlSpecError:
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or "cannot parse"
    mark = getattr(exc, "problem_mark", None)
    if "nesting depth" in str(problem):
        # libyaml 0.2.5 and newer (PyYAML 6.0.4's wheels) stop at 1,000 levels of nesting
        # in its scanner, which reads a flow collection ahead of the events that
        # _build counts: the same refusal, said as mncost says it whatever the parser.
        line = f"line {mark.line + 1}: " if mark is not None else ""
        return YamlSpecError(f"{line}nested deeper than {MAX_SPEC_DEPTH} levels")
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    if mark is None and isinstance(getattr(exc, "position", None), int):
        at = f" at character {exc.position + 1}"  # type: ignore[attr-defined]
    return YamlSpecError(f"not valid YAML: {shorten(str(problem), 160)}{at}")


def load_yaml(text: str) -> Any:
    """The value of the single YAML document in ``text`` (None if there is none)."""
    try:
        return _build(yaml.parse(text, Loader=_LOADER))
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from None


def _build(events: Any) -> Any:
    stack: list[_Frame] = []
    anchors: dict[str, Any] = {}  # name -> (value, count, height), or _OPEN
    total = 0  # nodes so far, aliases expanded
    documents = 0
    root: Any = None
    for event in events:
        # Each event yields one finished value (a scalar, an alias, a closed collection)
        # that is checked against the bounds, then added to the collection it is in.
        kind = type(event)
        frame = stack[-1] if stack else None
        awaiting_key = frame is not None and frame.key is _NO_KEY and type(frame.value) is dict
        if kind is yaml.ScalarEvent:
            if awaiting_key:
                is_merge = (
                    event.value == "<<"
                    and not event.style
                    and event.tag is None
                    and event.anchor is None
                )
                value: Any = _MERGE if is_merge else event.value
            else:
                value = _scalar(event)
            count, height, anchor = 1, 0, event.anchor
            total += 1
        elif kind is yaml.AliasEvent:
            target = anchors.get(event.anchor)
            if target is None or target is _OPEN:
                what = "undefined" if target is None else "recursive"
                raise YamlSpecError(
                    f"line {_line(event)}: {what} alias {quote('*' + event.anchor)}"
                )
            value, count, height = target
            anchor = None
            total += count
            if awaiting_key and not isinstance(value, str):
                raise YamlSpecError(f"line {_line(event)}: a mapping key must be text")
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if awaiting_key:
                raise YamlSpecError(f"line {_line(event)}: a mapping key must be text")
            is_map = kind is yaml.MappingStartEvent
            if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
                raise YamlSpecError(
                    f"line {_line(event)}: the YAML tag {quote(event.tag)} is not supported"
                )
            if len(stack) >= MAX_SPEC_DEPTH:
                raise YamlSpecError(
                    f"line {_line(event)}: nested deeper than {MAX_SPEC_DEPTH} levels"
                )
            total += 1
            if event.anchor is not None:
                anchors[event.anchor] = _OPEN
            stack.append(_Frame({} if is_map else [], event.anchor))
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            done = stack.pop()
            if done.merges:
                done.value = _merged(done, _line(event))
            value, count, height, anchor = done.value, done.count, done.height, done.anchor
            frame = stack[-1] if stack else None
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlSpecError(
                    f"line {_line(event)}: more than one YAML document (a spec file holds one)"
                )
            continue
        else:
            continue
        if total > MAX_SPEC_ALIAS_NODES:
            raise YamlSpecError(
                f"line {_line(event)}: more than {MAX_SPEC_ALIAS_NODES:,} values (aliases expanded)"
            )
        if len(stack) + height > MAX_SPEC_DEPTH:
            raise YamlSpecError(
                f"line {_line(event)}: nested deeper than {MAX_SPEC_DEPTH} "
                f"levels once aliases are expanded"
            )
        if anchor is not None:
            anchors[anchor] = (value, count, height)
        if frame is None:
            root = value
            continue
        frame.add(value, count, height, _line(event))
    return root
