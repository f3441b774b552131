"""Reading architecture spec files (YAML or JSON) into an :class:`Architecture`.

Every failure is a :class:`SpecError` whose message is one line naming the file, the
field (as a path such as ``layers[3].kernel``) and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mncost.spec.layers import Architecture

__all__ = ["SpecError", "architecture_schema", "load_spec", "parse_spec"]


class SpecError(ValueError):
    """A spec file that is missing, unreadable, not YAML/JSON, or not a valid architecture."""


def _field_path(loc: tuple[int | str, ...], data: Any) -> str:
    # pydantic puts the union tag into the location ("layers", 3, "conv", "kernel");
    # the tag is not a field of the file, so it is dropped from the path.
    path = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue
        path += f".{part}" if path else str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return path or "(top level)"


def _describe(error: ValidationError, data: Any) -> str:
    first = error.errors(include_url=False)[0]
    where = _field_path(tuple(first["loc"]), data)
    msg = first["msg"]
    if first["type"] == "union_tag_invalid":
        msg = f"unknown layer kind {first['input'].get('kind')!r} (expected one of " \
              f"{first['ctx']['expected_tags']})"
        where = where.removesuffix(".kind") + ".kind"
    elif first["type"] == "union_tag_not_found":
        msg = "missing field 'kind' (the layer's type: conv, dw, pw, avgpool, fc or softmax)"
    elif first["type"] == "extra_forbidden":
        msg = "unknown field (not part of the spec format; see `mncost schema`)"
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{where}: {msg}{suffix}"


def parse_spec(data: Any, source: str = "spec") -> Architecture:
    """Validate already-parsed spec data; SpecError names the field and the reason."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: expected a mapping with name, layers, ... at the top level, "
                        f"got {type(data).__name__}")
    try:
        return Architecture.model_validate(data)
    except ValidationError as exc:
        raise SpecError(f"{source}: {_describe(exc, data)}") from None


def load_spec(path: str | Path) -> Architecture:
    """Read a YAML (.yaml/.yml) or JSON spec file; any other ending is tried as YAML."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec file {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise SpecError(f"spec file {str(path)!r} is a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read spec file {str(path)!r}: {exc}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}") from None
    else:
        import yaml  # only on the --spec path

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "cannot parse"
            raise SpecError(f"{path}: not valid YAML: {problem}{at}") from None
    return parse_spec(data, str(path))


def architecture_schema() -> dict[str, Any]:
    """The JSON Schema of the spec-file format."""
    schema = Architecture.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mncost architecture spec"
    return schema
