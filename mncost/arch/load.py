"""Reading architecture spec files (YAML or JSON) into an :class:`Architecture`.

Every failure is a :class:`SpecError` whose message is one line naming the file, the
field (as a path such as ``layers[3].kernel``) and the reason.

Spec files come from strangers, so reading one is bounded at every step: only a regular
file of at most :data:`~mncost.limits.MAX_SPEC_BYTES` is read (never a FIFO or a device,
which could block or never end); it must be UTF-8 (one leading byte-order mark is
dropped); nesting, numbers, duplicate keys and (in YAML) alias expansion are checked
while parsing (see :mod:`mncost.arch.safe_yaml` for YAML); and every piece of the file
quoted in a message is escaped and cut short by :func:`mncost.text.quote`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mncost.arch import ops
from mncost.arch.ops import KINDS, Architecture
from mncost.bounded import BoundedReadError, read_bounded
from mncost.limits import MAX_SPEC_BYTES
from mncost.safe_json import StrictJsonError, load_json
from mncost.text import quote, shorten

__all__ = [
    "ONNX_ENDINGS",
    "SPEC_ENDINGS",
    "SpecError",
    "architecture_schema",
    "load_spec",
    "parse_spec",
]

SPEC_ENDINGS = (".yaml", ".yml", ".json")
"""A model given as text with one of these endings is a spec file's path."""
ONNX_ENDINGS = (".onnx",)
"""A model given as text with this ending is an ONNX file's path (read by
:func:`mncost.cost.onnx_import.load_onnx`)."""


class SpecError(ValueError):
    """A spec file that is missing, unreadable, not YAML/JSON, or not a valid architecture."""


_MISSING = object()


def _field_path(loc: tuple[int | str, ...], data: Any) -> str:
    # pydantic puts the union tag into the location ("layers", 3, "conv", "kernel"), and
    # a union field's member labels after it ("size", "literal['global']"); neither is a
    # field of the file, so both are dropped from the path.
    path = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else _MISSING
            continue
        if isinstance(node, dict):
            if part not in node and node.get("kind") == part:
                continue
            node = node.get(part, _MISSING)
        elif node is not _MISSING:
            break
        path += f".{shorten(part)}" if path else shorten(part)
    return path or "(top level)"


def _show(value: Any) -> str:
    """A value from the file as a message shows it: short, and never rendered in full."""
    if isinstance(value, str):
        return f"the text {quote(value)}"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):  # a library caller's int can be too big to print
        return f"the number {value}" if value.bit_length() <= 128 else "a very large number"
    if isinstance(value, float):
        return f"the number {value!r}"
    if value is None:
        return "null"
    kinds: dict[type, str] = {dict: "a mapping", list: "a list"}
    return kinds.get(type(value), f"a {type(value).__name__}")


_SHOWS_INPUT = (
    "literal_error",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
)


_MAX_LISTED = 20
"""A message lists at most this many problems (a stranger's file can hold thousands)."""
_MAX_CHARS = 800
"""... in at most this many characters, so that the one line is never cut."""

_OTHER_NAMES: dict[str, tuple[str, ...]] = {
    # Keras, PyTorch and TF-slim names for the spec's fields, best match first.
    "kernel_size": ("kernel",),
    "pool_size": ("kernel", "size"),
    "out_channels": ("filters",),
    "num_filters": ("filters",),
    "depth": ("filters",),
    "out_features": ("units",),
    "num_outputs": ("units", "filters"),
    "filters": ("units",),  # on an fc layer
    "strides": ("stride",),
    "dilation_rate": ("dilation",),
    "depth_multiplier": ("multiplier",),
    "expand_ratio": ("expansion",),
    "expansion_ratio": ("expansion",),
    "activation": ("act",),
    "activation_fn": ("act",),
    "use_bias": ("bias",),
    "num_classes": ("classes",),
    "type": ("kind",),
    "op": ("kind",),
}
_INFERRED = ("in_channels", "in_features", "input_shape", "in_chs")


def _fields_of(kind: object) -> tuple[str, ...]:
    """The fields a layer of ``kind`` takes (the top level's for None)."""
    if kind is None:
        return tuple(Architecture.model_fields)
    for obj in vars(ops).values():
        fields = getattr(obj, "model_fields", None)
        if isinstance(obj, type) and fields and "kind" in fields:
            if fields["kind"].default == kind:
                return tuple(fields)
    return ()


def _unknown_field(loc: tuple[int | str, ...], data: Any) -> str:
    import difflib

    name = loc[-1] if loc else ""
    kind = loc[-2] if len(loc) >= 2 and isinstance(loc[-2], str) and loc[-2] in KINDS else None
    allowed = _fields_of(kind)
    hint = ""
    if isinstance(name, str):
        if name in _INFERRED:
            hint = "; not needed: a layer's input comes from the layer before"
        else:
            match = next((f for f in _OTHER_NAMES.get(name, ()) if f in allowed), None)
            if match is None:
                close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.75)
                match = close[0] if close else None
            if match is not None:
                hint = f"; did you mean {match!r}?"
    if hint or not allowed:
        return f"unknown field{hint or ' (see `mncost schema`)'}"
    where = f"{kind} layer" if kind else "spec's top level"
    return f"unknown field (a {where} takes {', '.join(f for f in allowed if f != 'kind')})"


def _describe(error: ValidationError, data: Any) -> str:
    """Every problem, one after another on one line (at most _MAX_LISTED of them)."""
    errors = error.errors(include_url=False)
    if errors[0]["type"] == "value_error" and not errors[0]["loc"]:
        return str(errors[0]["ctx"]["error"])  # a model-wide check: its message names the field
    groups: dict[str, list[Any]] = {}
    for e in errors:
        groups.setdefault(_field_path(tuple(e["loc"]), data), []).append(e)
    problems = [_one(where, same, data) for where, same in groups.items()]
    if len(problems) == 1:
        return problems[0]
    listed: list[str] = []
    for problem in problems[:_MAX_LISTED]:  # and within one line a terminal can show
        if listed and sum(len(p) + 2 for p in listed) + len(problem) > _MAX_CHARS:
            break
        listed.append(problem)
    rest = len(problems) - len(listed)
    tail = f"; and {rest:,} more (fix these first)" if rest else ""
    return f"{len(problems):,} problems: " + "; ".join(listed) + tail


def _one(where: str, same: list[Any], data: Any) -> str:
    """One field's problem; a union field (avgpool's size) fails once per member, so
    ``same`` may hold several errors: one message for all of them."""
    first = same[0]
    checked = [e for e in same if e["type"] == "value_error"]
    if checked:  # a member whose own check failed says more than "should be ... or ..."
        first, same = checked[0], checked[:1]
    msg = " or ".join(
        [same[0]["msg"]] + [e["msg"].removeprefix("Input should be ") for e in same[1:]]
    )
    kind = first["type"]
    if kind == "union_tag_invalid":
        tag = first["input"].get("kind") if isinstance(first["input"], dict) else None
        shown = quote(tag) if isinstance(tag, str) else _show(tag)
        msg = f"unknown layer kind {shown} (expected one of {first['ctx']['expected_tags']})"
        where = where.removesuffix(".kind") + ".kind"
    elif kind == "union_tag_not_found":
        msg = f"missing field 'kind' (the layer's type: {', '.join(KINDS)})"
    elif kind == "extra_forbidden":
        msg = _unknown_field(tuple(first["loc"]), data)
    elif kind == "missing":
        msg = "missing (a required field)"
    elif kind == "value_error":
        msg = str(first["ctx"]["error"])
        # A layer-wide check names its field first ("filters: ..."): put it in the path.
        field = re.match(r"([a-z_]+): (.*)", msg, re.DOTALL)
        if field is not None and where != "(top level)":
            where, msg = f"{where}.{field[1]}", field[2]
    elif kind.endswith("_type") or kind in _SHOWS_INPUT:
        msg += f", got {_show(first['input'])}"
    return f"{where}: {msg}"


def parse_spec(data: Any, source: str = "spec") -> Architecture:
    """Validate already-parsed spec data; SpecError names the field and the reason."""
    source = shorten(source)
    if not isinstance(data, dict):
        raise SpecError(
            f"{source}: expected a mapping with name, layers, ... at the top level, "
            f"got {type(data).__name__}"
        )
    try:
        return Architecture.model_validate(data)
    except ValidationError as exc:
        raise SpecError(f"{source}: {_describe(exc, data)}") from None


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, if it is a regular file of at most MAX_SPEC_BYTES."""
    try:
        return read_bounded(path, MAX_SPEC_BYTES, "spec file")
    except BoundedReadError as exc:
        raise SpecError(str(exc)) from None


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(
            f"{source}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")  # a byte-order mark, as some editors write


def _load_json(text: str, source: str) -> Any:
    try:
        return load_json(text)
    except StrictJsonError as exc:
        raise SpecError(f"{source}: {exc}") from None


def load_spec(path: str | Path) -> Architecture:
    """Read a YAML (.yaml/.yml) or JSON spec file; any other ending is tried as YAML.
    SpecError (one line) for a file that cannot be read or is not a valid spec;
    TypeError for a ``path`` that is no path."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a spec file's path, got a {type(path).__name__}")
    path = Path(path)
    source = shorten(str(path))
    text = _decode(_read_bytes(path), source)
    if path.suffix.lower() == ".json":
        data = _load_json(text, source)
    else:
        from mncost.arch.safe_yaml import YamlSpecError, load_yaml  # imports yaml: --spec only

        try:
            data = load_yaml(text)
        except YamlSpecError as exc:
            raise SpecError(f"{source}: {exc}") from None
    return parse_spec(data, str(path))


def architecture_schema() -> dict[str, Any]:
    """The JSON Schema of the spec-file format."""
    schema = Architecture.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mncost architecture spec"
    return schema
