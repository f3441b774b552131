"""Figures as plain data, and what an HTML page needs of plotly without importing it.

mncost builds every figure of its pages as plain data: a list of trace dicts and a
layout dict, the JSON that plotly.js draws. :class:`Figure` holds them; nothing here
imports plotly's Python package (importing ``plotly.graph_objects`` and building a
``go.Figure`` cost a page about as much as the rest of the command). What a page needs
of plotly is read from the files the plotly package ships: the minified plotly.js
bundle (:func:`plotly_js`) and the white template (:func:`white_template`), found with
:func:`importlib.util.find_spec`, which locates the package without running its
``__init__``. :func:`figure_json` writes the JSON as plotly's own ``to_json_plotly``
does, strict and safe inside a ``<script>`` element.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

__all__ = ["Figure", "FigureLike", "figure_json", "plotly_js", "white_template"]


class FigureLike(Protocol):
    """A figure as plotly's ``to_dict()`` gives it: ``{"data": [...], "layout": {...}}``
    (a plain :class:`Figure`, or a validated ``plotly.graph_objects.Figure``)."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Figure:
    """A plotly figure as plain data: ``data`` the traces (one dict each, with its
    ``type``), ``layout`` the layout, exactly as plotly.js reads them."""

    data: list[dict[str, Any]]
    layout: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """``{"data": ..., "layout": ...}``, as ``go.Figure.to_dict()`` has it (the same
        lists and dicts, not copies)."""
        return {"data": self.data, "layout": self.layout}


@cache
def _package_data() -> Path:
    """plotly's ``package_data`` folder, found without importing plotly."""
    from importlib.util import find_spec

    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "HTML figures need plotly.js, which comes with the plotly package; "
            "it is not installed: pip install plotly",
            name="plotly",
        )
    for location in spec.submodule_search_locations:
        folder = Path(location) / "package_data"
        if (folder / "plotly.min.js").is_file():
            return folder
    raise FileNotFoundError(
        "the installed plotly package has no package_data/plotly.min.js "
        f"(looked in {', '.join(spec.submodule_search_locations)}): reinstall plotly"
    )


def plotly_js() -> str:
    """The minified plotly.js bundle that ships with plotly (what
    ``plotly.offline.get_plotlyjs()`` returns), read from its file."""
    return (_package_data() / "plotly.min.js").read_bytes().decode("utf-8")


@cache
def _white_template_text() -> str:
    return (_package_data() / "templates" / "plotly_white.json").read_text(encoding="utf-8")


def white_template() -> dict[str, Any]:
    """plotly's "plotly_white" template as plain data (what
    ``plotly.io.templates["plotly_white"].to_plotly_json()`` gives): a new dict on every
    call, so no figure can change another's; the file is read once."""
    template: dict[str, Any] = json.loads(_white_template_text())
    return template


_SWAPS = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("/", "\\u002f"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
"""plotly's swaps (``plotly.io._json._swap_orjson``): no ``</script>``, ``<!--`` or line
separator in the JSON can end or break the script element it is written into."""


def _json_value(obj: object) -> Any:
    """A numpy array or scalar (or anything else with ``tolist`` or ``item``) as plain
    data; anything else is refused, never written as its str()."""
    for method in ("tolist", "item"):
        convert = getattr(obj, method, None)
        if callable(convert):
            return convert()
    raise TypeError(f"a figure holds a {type(obj).__name__}, which is not JSON: {obj!r:.80}")


def _no_constant(name: str) -> None:
    return None  # NaN, Infinity and -Infinity: no number to draw


def figure_json(obj: object) -> str:
    """``obj`` as the compact, strict JSON plotly's ``to_json_plotly`` writes (its json
    engine): numpy arrays and scalars as lists and numbers, NaN and +-Infinity as null,
    non-ASCII as ``\\u`` escapes, and ``<``, ``>``, ``/``, U+2028 and U+2029 escaped, so
    that the text can be put in a ``<script>`` element as it is. TypeError for anything
    else that is not JSON (a Fraction, a date, an object)."""
    text = json.dumps(obj, separators=(",", ":"), default=_json_value)
    if "NaN" in text or "Infinity" in text:  # maybe a non-finite float: null, as plotly
        text = json.dumps(json.loads(text, parse_constant=_no_constant), separators=(",", ":"))
    for unsafe, safe in _SWAPS:
        if unsafe in text:
            text = text.replace(unsafe, safe)
    return text
