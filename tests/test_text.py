"""mncost.text: what counts as a character to escape, checked against Unicode itself."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mncost.text import CONTROL_CLASS, escape_controls, html_escape, printable_ascii, quote

_CLASS = re.compile(f"[{CONTROL_CLASS}]")


def test_every_format_and_control_character_of_this_python_is_escaped():
    # The class is written out (scanning 1.1 M code points at import would cost start-up);
    # Unicode's own categories, as this Python knows them, are the independent source.
    missing = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp")
        and not _CLASS.match(chr(code))
    ]
    assert missing == []


@pytest.mark.parametrize(
    "char,shown",
    [
        ("\u200b", "\\u200b"),  # zero width space
        ("\xad", "\\xad"),  # soft hyphen
        ("\ufeff", "\\ufeff"),  # byte order mark
        ("\u2066", "\\u2066"),  # left-to-right isolate
        ("\U000e0041", "\\U000e0041"),  # tag latin capital A
    ],
)
def test_a_format_character_is_shown_as_an_escape(char, shown):
    assert escape_controls(f"a{char}b") == f"a{shown}b"
    assert quote(f"a{char}b") == f"'a{shown}b'"


def test_letters_marks_and_symbols_are_left_alone():
    text = "café Ünïcødé µ α → ✓ 中文 ज़"  # a combining nukta is a mark (Mn), not a format
    assert escape_controls(text) == text


@given(st.text(st.characters(max_codepoint=0x2100)), st.sampled_from(["", "&<>\"'", "|`*"]))
def test_printable_ascii_is_the_escaping_pattern_on_ascii(text, special):
    # The quick test agrees with the definition: ASCII, and no control character (Cc or
    # Cf, as unicodedata says) nor any of ``special``.
    expected = text.isascii() and not any(
        unicodedata.category(c) in ("Cc", "Cf") or c in special for c in text
    )
    assert printable_ascii(text, special) is expected
    if expected:
        assert escape_controls(text) == text


@given(st.text())
def test_html_text_escapes_as_the_html_package_does(text):
    # mncost's pages escape without importing html (its entity table costs start-up);
    # the result is the standard library's, after the controls are shown escaped.
    import html

    from mncost.present.render import html_prose, html_text

    assert html_escape(text) == html.escape(text)
    assert html_escape(text, quote=False) == html.escape(text, quote=False)
    assert html_text(text) == html.escape(escape_controls(text))
    if "`" not in text:
        assert html_prose(text) == html.escape(escape_controls(text))
