"""Writing a spec as YAML a person can edit: one line per primitive layer, composites as
indented blocks, the way the examples are written (``examples/mobilenet-v2.yaml``).

The text is what :func:`mncost.arch.load.load_spec` reads back to the same spec: every
string that YAML could read as something else (``true``, ``1e3``, ``a: b``, a name with a
quote or a leading dash) is double-quoted, with JSON's escapes, which YAML shares.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["spec_yaml"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*")
_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}
"""Words some YAML reader takes for a boolean or a null (YAML 1.1 and 1.2)."""
_WIDTH = 110
"""A flow mapping longer than this is written as a block."""
_CHILDREN = ("layers", "body", "shortcut", "branches")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(layer: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in layer.items()) + "}"


def _layer(layer: dict[str, Any], indent: str, out: list[str]) -> None:
    if not any(k in layer for k in _CHILDREN):
        line = _flow(layer)
        if len(indent) + 2 + len(line) <= _WIDTH:
            out.append(f"{indent}- {line}")
            return
        first = True
        for key, value in layer.items():
            out.append(f"{indent}{'- ' if first else '  '}{key}: {_scalar(value)}")
            first = False
        return
    first = True
    for key, value in layer.items():
        lead = f"{indent}{'- ' if first else '  '}"
        first = False
        if key == "branches":
            out.append(f"{lead}branches:")
            for branch in value:
                if not branch:
                    out.append(f"{indent}    - []")
                    continue
                out.append(f"{indent}    -")
                for child in branch:
                    _layer(child, indent + "      ", out)
        elif key in _CHILDREN:
            out.append(f"{lead}{key}:")
            for child in value:
                _layer(child, indent + "    ", out)
        else:
            out.append(f"{lead}{key}: {_scalar(value)}")


def spec_yaml(spec: dict[str, Any], comments: list[str] = ()) -> str:  # type: ignore[assignment]
    """``spec`` (spec data: what a spec file holds) as YAML text, after ``comments`` (one
    ``#`` line each)."""
    out = [f"# {line}".rstrip() for line in comments]
    for key, value in spec.items():
        if key == "layers":
            out.append("layers:")
            for layer in value:
                _layer(layer, "  ", out)
        elif isinstance(value, dict):
            out.append(f"{key}: {_flow(value)}")
        else:
            out.append(f"{key}: {_scalar(value)}")
    return "\n".join(out) + "\n"
