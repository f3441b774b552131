"""The review page a new user can trust (issue 8, items 15-19).

- 15: the order of the page (summary, Pareto plot, by type, per layer; the audit only
  with --audit);
- 16: the footer (mncost's version, the command line as typed, quoted where it must be,
  the UTC date);
- 17: "same task" and "nearest published models", checked on hand-made published points
  whose every figure can be worked out in the comment beside it, and on the published
  set (counts of its rows read off the data files); no fixed example number in any text;
- 18: Markdown says nothing about hovering under a PNG, shows commands as code spans
  (never as an escaped "\\`"), and a missing image exporter is one warning line;
- 19: commands and flags are <code>, which never breaks (the browser check is in
  tests/test_browser.py).
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from mncost.analysis.review import (
    SIZE_FACTOR,
    Task,
    closest,
    nearest_models,
    review_data,
)
from mncost.present.model import Report
from mncost.present.views.review import (
    Code,
    Colophon,
    Section,
    code_spans,
    plain,
    review_html,
    review_markdown,
    review_page,
    review_report,
)
from mncost.sources.points import PublishedPoint
from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# A configuration whose cost is worked out by hand: one fc from a 1x1x100 input to 10
# classes is 100 x 10 = 1,000 mult-adds and 1,000 weights + 10 biases = 1,010 params.
FC_SPEC = """\
name: fc-only
input_channels: 100
resolution: 1
classes: 10
layers:
  - {kind: fc, name: fc}
"""


def _point(
    label: str,
    macs: int,
    *,
    params: int | None = None,
    resolution: int = 224,
    classes: int = 1000,
    dataset: str = "imagenet",
    precision: str = "float32",
    source: str = "paper",
    model: str | None = None,
) -> PublishedPoint:
    """A published point mncost has not counted (no ``computed``), so its printed figures
    are used: ``macs`` and ``params`` whole counts, printed in millions."""
    return PublishedPoint(
        label=label,
        family="other",
        source=source,
        dataset=dataset,  # type: ignore[arg-type]
        precision=precision,
        provenance=(),
        alpha=Fraction(1),  # type: ignore[arg-type]
        model=model,
        resolution=resolution,
        classes=classes,
        top1=Decimal("50.0"),
        mult_adds_m=Decimal(macs) / 10**6,
        params_m=None if params is None else Decimal(params) / 10**6,
    )


@pytest.fixture(scope="module")
def fc_result(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "fc.yaml"
    path.write_text(FC_SPEC)
    result = mncost.cost(path)
    assert (result.total.mult_adds, result.total.params) == (1_000, 1_010)
    return result


# --- 17: the same task --------------------------------------------------------------------


def test_the_size_band_is_a_factor_of_2_either_way():
    assert SIZE_FACTOR == 2
    assert Task(1000, 160, 160, 3).sides == (80, 320)
    assert Task(1000, 224, 224, 3).sides == (112, 448)
    assert Task(10, 32, 32, 3).sides == (16, 64)
    # An odd side: half of 225 is 112.5, and a 112 input is more than 2x smaller.
    assert Task(1000, 225, 225, 3).sides == (113, 450)


@pytest.mark.parametrize(
    "task, point, same",
    [
        # 160 admits 80..320: 224 and 96 are in.
        (Task(1000, 160, 160, 3), _point("a", 1, resolution=224), True),
        (Task(1000, 160, 160, 3), _point("a", 1, resolution=96), True),
        # 224 admits 112..448: 112 is exactly half (in), 96 is not.
        (Task(1000, 224, 224, 3), _point("a", 1, resolution=112), True),
        (Task(1000, 224, 224, 3), _point("a", 1, resolution=96), False),
        (Task(1000, 224, 224, 3), _point("a", 1, resolution=448), True),
        (Task(1000, 224, 224, 3), _point("a", 1, resolution=449), False),
        # Another number of classes: never, whatever the size.
        (Task(10, 224, 224, 3), _point("a", 1, resolution=224), False),
        (Task(1000, 224, 224, 3), _point("a", 1, classes=120), False),
        # A CIFAR-sized input (32 admits 16..64) is no ImageNet input, even with 1000 classes.
        (Task(1000, 32, 32, 3), _point("a", 1, resolution=96), False),
        # No classifier; a grey-scale input: no published result is of that task.
        (Task(0, 224, 224, 3), _point("a", 1, classes=0), False),
        (Task(1000, 224, 224, 1), _point("a", 1), False),
    ],
)
def test_same_task_means_same_classes_rgb_and_size_within_2x(task, point, same):
    assert task.admits(point) is same


def test_a_cifar_net_is_compared_with_nothing(tmp_path):
    result = mncost.cost(EXAMPLES / "tiny-cifar.yaml")
    data = review_data(result, "spec file tiny-cifar.yaml", match_published=False)
    assert data.task == Task(10, 32, 32, 3)
    assert data.dataset is None and data.comparable == () and data.pareto is None
    assert data.nearest == () and data.closest is None
    review = review_page(data)
    assert [s.title for s in review.sections] == ["Summary", "By layer type", "Per-layer cost"]
    intro = plain(review.sections[0].intro)
    assert "No published result is of the same task" in intro
    assert "10 classes from an RGB input of 16x16 to 64x64 pixels" in intro
    assert "no comparison and no Pareto plot" in intro
    # What there is, from the data: ImageNet's inputs run 96 (V2's smallest checkpoints)
    # to 224, Stanford Dogs' (Table 10) 192 to 299 (Inception V3).
    assert (
        "ImageNet (1,000 classes, inputs 96x96 to 224x224) and Stanford Dogs (120 "
        "classes, inputs 192x192 to 299x299)" in intro
    )
    page = review_html(review)
    assert page.count("Plotly.newPlot(") == 1  # the by-type chart only
    assert not re.search(r"\d\.\d+x\b", page.split("<script")[0])  # no ratio anywhere
    assert not re.search(r"\bratio", review_markdown(review, {}).lower())


def test_a_1000_class_net_at_32x32_is_not_put_among_imagenet_models():
    data = review_data(mncost.cost(resolution=32), "built-in model")
    assert data.dataset is None and data.pareto is None


def test_a_120_class_mobilenet_is_compared_with_stanford_dogs():
    # Table 10: 1.0 MobileNet-224, 0.75 MobileNet-224, 1.0 MobileNet-192, 0.75
    # MobileNet-192 and Inception V3 (299x299), all 120 classes; 224 admits 112..448.
    data = review_data(mncost.cost(classes=120), "built-in model")
    assert data.dataset == "stanford_dogs" and len(data.comparable) == 5
    assert data.published_self is not None and data.published_self.top1 == Decimal("83.3")
    assert data.pareto is not None and len(data.pareto.points) == 5


def test_imagenet_inputs_more_than_2x_smaller_are_left_out_and_said_so():
    # The published ImageNet set: 14 paper rows, 32 v1, 22 v2 and 9 V3 checkpoints = 77.
    # The only 96x96 results are MobileNet_v2_{1.0,0.75,0.5,0.35}_96; 224 admits 112..448.
    data = review_data(mncost.cost(), "built-in model")
    assert data.dataset == "imagenet"
    assert len(data.comparable) == 73 and len(data.other_size) == 4
    assert {p.resolution for p in data.other_size} == {96}
    review = review_page(data)
    notes = [plain(n) for n in review.sections[2].notes]
    assert (
        "73 published ImageNet results of the same task; 4 more at an input of 96x96 "
        "are left out" in " ".join(notes)
    )
    # At 128 (admits 64..256) every ImageNet result is comparable.
    assert len(review_data(mncost.cost(resolution=128), "b").comparable) == 77


# --- 17: the nearest published models -----------------------------------------------------


def test_nearest_is_the_cost_ratio_either_way_up(fc_result):
    # This configuration: 1,000 MACs. Distance = max(a/b, b/a):
    # 900 -> 1.11, 1,000 -> 1, 1,500 -> 1.5, 500 -> 2, 3,000 -> 3, 250 -> 4, 4,000 -> 4.
    points = [
        _point("p250", 250),
        _point("p4000", 4000),
        _point("p1500", 1500),
        _point("p500", 500),
        _point("p1000", 1000, params=2020),
        _point("p900", 900),
        _point("p3000", 3000),
    ]
    rows = nearest_models(fc_result, points, k=3)
    labels = [row.point.label if row.point else "this" for row in rows]
    # The 3 nearest (1,000; 900; 1,500) and this configuration, cheapest first; at equal
    # cost this configuration comes first.
    assert labels == ["p900", "this", "p1000", "p1500"]
    by = {label: row for label, row in zip(labels, rows, strict=True)}
    assert by["p900"].mult_adds_ratio == Fraction(1000, 900)
    assert by["p1500"].mult_adds_ratio == Fraction(2, 3)
    assert by["p1000"].params_ratio == Fraction(1010, 2020)  # 1,010 / 2,020 = 1/2
    assert by["p900"].params_ratio is None  # no published params
    assert not by["p900"].counted and by["this"].counted
    assert closest(rows, 1000).point.label == "p1000"
    # A tie (250 and 4,000 are both 4x away) goes to the earlier candidate.
    five = nearest_models(fc_result, points, k=7)
    assert [r.point.label for r in five if r.point] == [
        "p250",
        "p500",
        "p900",
        "p1000",
        "p1500",
        "p3000",
        "p4000",
    ]
    six = nearest_models(fc_result, points, k=6)
    assert "p250" in [r.point.label for r in six if r.point]
    assert "p4000" not in [r.point.label for r in six if r.point]


def test_nearest_lists_each_model_once_and_not_this_configuration(fc_result):
    paper = _point("same model (paper)", 1200, model="m")
    checkpoint = _point("same model (checkpoint)", 1200, source="checkpoints", model="m")
    quantised = _point("same model (8-bit)", 1100, precision="int8", model="m")
    itself = _point("this very configuration", 1000, resolution=1, model="m")
    other = _point("another", 2000, resolution=192, model="m")
    rows = nearest_models(fc_result, [paper, checkpoint, quantised, itself, other], exclude=itself)
    # Same (model, alpha, resolution, classes): the paper's row is kept; the 8-bit one is
    # the float model quantised; the configuration's own published result is excluded.
    assert [r.point.label if r.point else "this" for r in rows] == [
        "this",
        "same model (paper)",
        "another",
    ]


def test_a_zero_cost_configuration_is_nearest_the_cheapest(tmp_path):
    path = tmp_path / "zero.yaml"
    path.write_text(
        "name: zero\nresolution: 32\nclasses: 10\nlayers:\n  - {kind: avgpool, name: pool}\n"
    )
    result = mncost.cost(path)
    assert result.total.mult_adds == 0
    rows = nearest_models(result, [_point("b", 300), _point("a", 200), _point("c", 900)], k=2)
    assert [r.point.label if r.point else "this" for r in rows] == ["this", "a", "b"]
    assert rows[0].mult_adds_ratio is None and rows[1].mult_adds_ratio == 0


def test_the_summary_ratio_is_the_tables_nearest_row():
    # No fixed example: every "N.NNx" in the page's prose is a ratio the table shows.
    review = review_page(review_data(mncost.cost(alpha="0.75", resolution=160), "b"))
    nearest = review.sections[1]
    table = nearest.tables[0]
    shown = {
        column.show(value)
        for row in table.rows
        for column, value in zip(table.columns, row, strict=True)
        if "ratio" in column.header
    }
    prose = (
        [plain(s.intro) for s in review.sections]
        + [plain(n) for s in review.sections for n in s.notes]
        + [table.caption for s in review.sections for table in s.tables]
    )
    found = [m for text in prose for m in re.findall(r"\b\d+\.\d+x\b", text)]
    assert found and set(found) <= shown
    assert "0.29x" not in " ".join(prose)  # the old fixed example


# --- 15: the order --------------------------------------------------------------------------


def test_the_summary_comes_first_and_the_layers_last(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("report", "-a", "0.75", "-r", "160", "-o", "r.md", "--no-images")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if re.match(r"#{2,3} ", line)]
    assert headings == [
        "## Summary",
        "### Against the nearest published models",
        "### Memory and latency",
        "## Among published results (Pareto plot)",
        "## By layer type",
        "## Per-layer cost",
    ]
    # The totals (the formula's 166,396,800 for 0.75/160) are in the summary, before
    # the first layer row.
    assert text.index("| Mult-adds | 166,396,800 MACs") < text.index("| conv")


# --- 16: the footer -------------------------------------------------------------------------

COLOPHON = Colophon(
    version="9.8.7",
    command=(
        "mncost",
        "report",
        "--spec",
        "my net.yaml",
        "-o",
        "it's.md",
        "--rho",
        "0.5",
        "<b>x</b>",
        "esc\x1b[31m",
    ),
    generated=datetime(2024, 3, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))),
)
"""01:30 at UTC+2 is 23:30 UTC the day before."""


def _review_with_footer() -> Report:
    return review_report("t", [Section(title="s", tables=[])], {}, COLOPHON)


def test_the_footer_names_version_command_and_utc_date_in_markdown():
    text = review_markdown(_review_with_footer(), {})
    footer = text.split("\n---\n", 1)[1]
    assert "mncost 9.8.7" in footer and "2024-02-29 23:30 UTC" in footer
    # Quoted as a shell needs: a space and a quote ('"'"' is a quote inside quotes),
    # markup as it is inside a code span, the escape character shown, not sent.
    assert (
        "`mncost report --spec 'my net.yaml' -o 'it'\"'\"'s.md' --rho 0.5 "
        "'<b>x</b>' 'esc\\x1b[31m'`"
    ) in footer
    assert "\x1b" not in text


def test_the_footer_in_html_escapes_markup_and_breaks_only_between_words():
    page = review_html(_review_with_footer())
    footer = page.split("<footer>", 1)[1]
    assert "mncost 9.8.7" in footer and "2024-02-29 23:30 UTC" in footer
    assert "<b>" not in footer and "&#x27;&lt;b&gt;x&lt;/b&gt;&#x27;" in footer
    assert "<span>&#x27;my net.yaml&#x27;</span>" in footer  # one unbreakable word
    assert "\x1b" not in page


def test_the_cli_footer_is_the_command_as_typed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    result = run_cli("report", "--alpha", "0.5", "-r", "128", "-o", "my review.md", "--no-images")
    after = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "my review.md").read_text(encoding="utf-8")
    footer = text.split("\n---\n", 1)[1]
    assert f"mncost {mncost.__version__}" in footer
    assert "`mncost report --alpha 0.5 -r 128 -o 'my review.md' --no-images`" in footer
    assert before in footer or after in footer


# --- 18: Markdown -----------------------------------------------------------------------------


def test_code_spans_of_mncosts_own_messages():
    assert code_spans("run `mncost reproduce` now") == ("run ", Code("mncost reproduce"), " now")
    assert code_spans("an odd ` tick") == ("an odd ` tick",)


def test_markdown_prose_escapes_text_and_keeps_code_literal():
    review = review_report(
        "t",
        [
            Section(
                title="s",
                tables=[],
                intro=("a *b* <i>c</i> ", Code("x`y"), " then ", Code("--source"), "."),
            )
        ],
        {},
    )
    text = review_markdown(review, {})
    assert "a \\*b\\* &lt;i&gt;c&lt;/i&gt; ``x`y`` then `--source`." in text


def test_markdown_has_no_escaped_backticks_and_no_hover(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "kaleido", None)
    result = run_cli("report", "-o", "r.md", "--audit")
    assert result.exit_code == 0
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "\\`" not in text and "hover" not in text.lower()
    assert "`mncost published`" in text and "`mncost reproduce`" in text
    assert "`apt-get install chromium`" in text
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "r.md has no charts" in warnings[0]


# --- 19: code in HTML ------------------------------------------------------------------------


def test_html_shows_commands_as_code_that_never_wraps():
    review = review_page(review_data(mncost.cost(alpha="0.75", resolution=160), "b"))
    page = review_html(review)
    assert "<code>mncost plot pareto</code>" in page and "`" not in page.split("<script")[0]
    assert re.search(r"code\{[^}]*white-space:nowrap", page)
