"""Notes in HTML set a command in backticks as code (issue 16 §5): compare.html showed
"(`mncost memory` shows it" with its backticks."""

from __future__ import annotations

from mncost.present.render import html_prose
from tests.conftest import run_cli


def test_backticks_become_code_and_user_text_stays_escaped():
    assert html_prose("see `mncost memory` <b>") == ("see <code>mncost memory</code> &lt;b&gt;")
    assert html_prose("a lone ` stays") == "a lone ` stays"
    assert "<script>" not in html_prose("`<script>`")


def test_the_compare_page_shows_no_literal_backticks(tmp_path):
    page = tmp_path / "cmp.html"
    result = run_cli("compare", "mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128", "-o", str(page))
    assert result.exit_code == 0, result.stderr
    text = page.read_text()
    assert "<code>mncost memory</code>" in text
    body = text.split("<body", 1)[1]
    assert "`" not in body.split("<script", 1)[0]
