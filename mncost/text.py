"""How mncost shows text that came from a user: control characters escaped, long text cut.

Spec files, file names and option values come from strangers. Whatever of them mncost
prints (a layer name in a table, a path in an error, an option value echoed back) goes
through :func:`escape_controls` first, so a name can never clear the screen, retitle
the terminal, plant a link, move the cursor or start a Markdown heading. Error messages
quote user text with :func:`quote`, which also cuts it to about 80 characters, so a
hostile value cannot make an error message huge.

:func:`ascii_fallback` maps the few non-ASCII characters mncost itself prints (rules,
Greek letters, check marks) to ASCII for streams whose encoding cannot show them (a
Latin-1 or ASCII locale); :func:`install_fallback` makes stdout and stderr use it.

This module is a leaf: it imports nothing from mncost, so every layer can use it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "CONTROL_CLASS",
    "QUOTE_LIMIT",
    "ascii_fallback",
    "header_problem",
    "html_escape",
    "can_encode",
    "escape_controls",
    "install_fallback",
    "printable_ascii",
    "quote",
    "shorten",
]

QUOTE_LIMIT = 80
"""User text quoted in a message is cut to this many characters (plus an ellipsis)."""

# C0 controls (tab, newline and carriage return included: a cell or a message is one
# line), DEL, C1 controls, the Unicode line and paragraph separators, and every format
# character (category Cf, Unicode 15): the bidi embedding, override and isolate controls
# that reorder what a reader sees, and the invisible ones (zero width space U+200B, soft
# hyphen U+00AD, word joiner, BOM, tags) that make two names look the same.
# tests/test_text.py checks that this covers every Cf character of the running Python.
CONTROL_CLASS = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
"""The characters :func:`escape_controls` escapes, as the inside of a regex class."""
_CONTROLS = re.compile(f"[{CONTROL_CLASS}]")


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    """``text`` with every control and format character shown as an escape: ESC is
    ``\\x1b``, a zero width space ``\\u200b``.

    Printable text, including non-ASCII letters, is left as it is.
    """
    return _CONTROLS.sub(_escape_one, text)


_PRINTABLE = {"": bytes(range(0x20, 0x7F))}


def printable_ascii(text: str, special: str = "") -> bool:
    """Whether ``text`` is printable ASCII with none of the characters of ``special``:
    then no control needs escaping (nor any of ``special``). A quick test before the
    escaping pattern, a tenth of its time on a long text (a 100,000-row column joined)."""
    if not text.isascii():
        return False
    keep = _PRINTABLE.get(special)
    if keep is None:
        keep = _PRINTABLE[special] = bytes(c for c in range(0x20, 0x7F) if chr(c) not in special)
    return not text.encode("ascii").translate(None, keep)


def html_escape(text: str, quote: bool = True) -> str:
    """``html.escape``, written out: importing the html package loads its table of 2,000
    entities, a millisecond of every command's start."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("'", "&#x27;")
    return text


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` with controls escaped, cut to ``limit`` characters with "…" if longer."""
    text = escape_controls(text[: limit * 4 + 16])  # escapes lengthen; never scan a huge text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """User text quoted for a message: ``'text'``, controls escaped, cut to ``limit``."""
    text = value if isinstance(value, str) else str(value)
    return "'" + shorten(text, limit) + "'"


# What mncost prints beyond ASCII, and how to show it on a stream that cannot encode it.
_ASCII = {
    "─": "-",
    "━": "=",
    "│": "|",
    "…": "...",
    "·": ".",
    "×": "x",
    "−": "-",
    "–": "-",
    "—": "-",
    "→": "->",
    "←": "<-",
    "≤": "<=",
    "≥": ">=",
    "≈": "~",
    "±": "+/-",
    "✓": "ok",
    "✗": "X",
    "★": "*",
    "²": "^2",
    "³": "^3",
    "µ": "u",
    "α": "alpha",
    "ρ": "rho",
    "Δ": "d",
    "δ": "d",
    "σ": "sigma",
    "γ": "gamma",
    "β": "beta",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
}


def can_encode(text: str, encoding: str) -> bool:
    """Whether ``encoding`` can represent every character of ``text``."""
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def ascii_fallback(text: str, encoding: str = "ascii") -> str:
    """``text`` with each character ``encoding`` cannot show replaced by an ASCII stand-in.

    Known characters get a readable stand-in ("α" -> "alpha", "─" -> "-"); any other
    becomes a backslash escape ("\\u4e2d"). Text the encoding can show is unchanged.
    """
    if can_encode(text, encoding):
        return text
    out = []
    for char in text:
        if can_encode(char, encoding):
            out.append(char)
        else:
            out.append(_ASCII.get(char) or char.encode("ascii", "backslashreplace").decode())
    return "".join(out)


def _fallback_handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return ascii_fallback(bad, "ascii"), error.end


_HANDLER = "mncost-ascii"
codecs.register_error(_HANDLER, _fallback_handler)


def install_fallback(*streams: Any) -> None:
    """Make each text stream show what its encoding cannot as ASCII, never fail on it.

    A stream whose encoding is UTF-8 is left alone. Streams that cannot be
    reconfigured (a test runner's buffers, a closed stream) are skipped.
    """
    for stream in streams:
        try:
            if codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name == "utf-8":
                continue
        except LookupError:
            pass
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=_HANDLER)
        except (ValueError, OSError):
            pass


def header_problem(
    cells: Sequence[str], columns: Sequence[str], optional: Sequence[str] = ()
) -> str | None:
    """What is wrong with a CSV header that must hold ``columns`` (in any order), may
    hold ``optional`` ones and no others, in words for a one-line error ("missing the
    column top1; expected ..."), or None when it is right. Shared by every CSV mncost
    reads from a stranger."""
    expected = ", ".join(columns) + (f" (and optionally {', '.join(optional)})" if optional else "")
    allowed = (*columns, *optional)
    unknown = [c for c in cells if c not in allowed]
    if unknown:
        return f"unknown column {quote(unknown[0])}; expected the columns {expected}"
    repeated = [c for c in allowed if list(cells).count(c) > 1]
    if repeated:
        return f"the column {repeated[0]} appears twice"
    missing = [c for c in columns if c not in cells]
    if missing:
        return (
            f"missing the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"expected {expected}"
        )
    return None
