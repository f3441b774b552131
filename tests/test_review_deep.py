"""A deep spec's review page lists its first layers and says where every one is (issue 14,
item 3: a 100,000-layer spec's page was 26 MB of HTML, four times its load time to write).

A page (HTML, Markdown) lists at most 2,000 rows of the per-layer table and says so;
the totals in its footer count every layer, and the report's CSV and JSON list every
one. The spec: a stem conv, then n - 3 alternating depthwise and 1x1 convs of 8
channels, a pool and a 10-class FC (n layers in all).
"""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import chain_spec, run_cli

LIMIT = 2000  # the page's limit, as docs/report.md states it


def _spec(tmp_path, n: int):
    path = tmp_path / f"chain{n}.json"
    path.write_text(json.dumps(chain_spec(n)))
    return path


def _body_rows(html: str) -> int:
    table = html.split("<h2>Per-layer cost</h2>", 1)[1].split("</table>", 1)[0]
    return table.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


@pytest.mark.parametrize("n", [LIMIT, LIMIT + 1])
def test_a_page_lists_at_most_the_limit_and_says_so(tmp_path, n):
    spec = _spec(tmp_path, n)
    page = tmp_path / "review.html"
    assert run_cli("report", "--spec", str(spec), "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert _body_rows(html) == min(n, LIMIT)
    said = f"This page lists the first {LIMIT:,} of the {n:,} layers"
    assert (said in html) is (n > LIMIT)
    # The footer's totals count every layer. MACs: the stem 3*3*3*8 * 16*16 = 55,296;
    # each dw 3*3*8 * 256 = 18,432; each pw 8*8 * 256 = 16,384; the FC 8*10 = 80.
    middle = n - 3
    dws, pws = (middle + 1) // 2, middle // 2
    total = 55_296 + dws * 18_432 + pws * 16_384 + 80
    footer = html.split("<h2>Per-layer cost</h2>", 1)[1].split("<tfoot>", 1)[1]
    assert f"{total:,}" in footer.split("</tfoot>", 1)[0]


def test_the_data_formats_list_every_layer(tmp_path):
    n = LIMIT + 5
    spec = _spec(tmp_path, n)
    rows = tmp_path / "review.csv"
    assert run_cli("report", "--spec", str(spec), "-o", str(rows)).exit_code == 0
    with rows.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert len(read) == n and read[-1]["name"] == "fc" and read[0]["name"] == "c0"
    data = json.loads(run_cli("report", "--spec", str(spec), "-f", "json", "-o", "-").stdout)
    assert len(data["Per-layer cost"]) == n


def test_the_markdown_page_says_it_too(tmp_path):
    spec = _spec(tmp_path, LIMIT + 1)
    text = run_cli("report", "--spec", str(spec), "-f", "markdown", "-o", "-").stdout
    assert f"first {LIMIT:,} of the {LIMIT + 1:,} layers" in text
    # The 2,001 layers: c0, d0 to p1997, pool, then fc, the one left out.
    assert "| pool | Avg Pool" in text and "| fc | FC" not in text
