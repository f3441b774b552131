"""Issue 8's rendering and packaging items: HTML that fits a 1,280 px window (5), terminal
tables that wrap between words (6), the --rho help (20), -o without an ending (22), the
public namespace (24), the torch extra (25) and verify's progress (26).
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import click
import pytest

import mncost
from mncost.cli import cli
from mncost.present.model import Column, Report, Table
from mncost.present.render import html_table, render
from mncost.present.terminal import compose, fold_cell, word_pieces
from tests.conftest import require_browser, run_cli

ROOT = Path(__file__).resolve().parent.parent
MNCOST = shutil.which("mncost")


# -- 6: terminal tables wrap between words --------------------------------------------


def _captured_report(monkeypatch: pytest.MonkeyPatch, *args: str) -> Report:
    """The Report a command prints to a terminal, caught on its way to the renderer."""
    from mncost.present import terminal

    seen: list[Report] = []
    original = terminal.render_terminal

    def spy(report: Report, *a: Any, **k: Any) -> str:
        seen.append(report)
        return original(report, *a, **k)

    monkeypatch.setattr(terminal, "render_terminal", spy)
    result = run_cli(*args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert len(seen) == 1
    return seen[0]


def _report_words(report: Report) -> set[str]:
    """Every whitespace-separated word the report holds, as a terminal shows it."""
    texts = [report.title, *report.notes]
    for table in report.tables:
        texts += [table.title, table.caption]
        for column in table.columns:
            texts += [column.header, column.short_header or ""]
        for row in table.rows + table.footer:
            texts += [column.show(value) for column, value in zip(table.columns, row)]
    return {word for text in texts for word in text.split()}


def _runs(word: str) -> set[str]:
    """The parts a word may show as when it breaks at its separators: runs of pieces."""
    pieces = word_pieces(word)
    return {"".join(pieces[i:j]) for i in range(len(pieces)) for j in range(i + 1, len(pieces) + 1)}


def _split_words(lines: list[str], words: set[str], allowed: set[str]) -> list[str]:
    """Tokens of ``lines`` that are neither a word of the report, nor one of ``allowed``,
    nor a word of a note about hidden columns: that is, words cut in the middle."""
    text = "\n".join(lines)
    notes = re.finditer(r"\(hidden\s+to\s+fit\s.*?\severy\s+column\)", text, re.DOTALL)
    extra = {word for note in notes for word in note.group().split()}
    return [
        token
        for line in lines
        for token in line.split()
        if token not in words | allowed | extra and set(token) != {"─"}
    ]


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_reproduce_2_never_splits_a_word(monkeypatch, width):
    # The case: at 60 columns "convention" showed as "conventi" / "on" and
    # "Connected" as "Connecte" / "d". Every word of the audit fits at these widths.
    report = _captured_report(monkeypatch, "reproduce", "2")
    lines = [text for text, _ in compose(report, width)]
    assert max(map(len, lines)) <= width
    assert _split_words(lines, _report_words(report), set()) == []
    assert any("Connected" in line for line in lines)


@pytest.mark.parametrize("width", [40, 60, 80, 120])
@pytest.mark.parametrize(
    "args",
    [("table",), ("table", "inception-v3"), ("models",), ("reproduce",), ("verify",)],
    ids=" ".join,
)
def test_wide_tables_break_words_only_at_their_separators(monkeypatch, args, width):
    if args == ("verify",):
        pytest.importorskip("torch")
    report = _captured_report(monkeypatch, *args)
    lines = [text for text, _ in compose(report, width)]
    assert max(map(len, lines)) <= width
    words = _report_words(report)
    # A name longer than its column ("Mixed_7b.branch3x3dbl.branch3x3dbl_3a") may break
    # after a separator, never inside a run of letters or digits.
    allowed = {run for word in words for run in _runs(word)}
    assert _split_words(lines, words, allowed) == []


def test_the_command_wraps_at_the_terminals_width():
    out = run_cli("reproduce", "2", env={"COLUMNS": "60"}).stdout
    assert max(map(len, out.splitlines())) <= 60
    assert "conventi\n" not in out and "Connecte\n" not in out
    assert "convention" in out and "Connected" in out


def test_fold_breaks_between_words_then_at_separators_then_inside():
    assert fold_cell("Fully Connected", 9) == ["Fully", "Connected"]
    assert fold_cell("% mult-adds", 9) == ["%", "mult-adds"]
    assert fold_cell("% mult-adds", 6) == ["%", "mult-", "adds"]
    assert fold_cell("Mixed_7b.branch3x3dbl.branch3x3dbl_3a", 24) == [
        "Mixed_7b.branch3x3dbl.",
        "branch3x3dbl_3a",
    ]
    # No break point inside digits: "1.0" and "64-192" stay whole; a word that cannot
    # fit any other way is cut, at the width.
    assert word_pieces("squeezenet-1.0") == ["squeezenet-1.0"]
    assert word_pieces("64-192-384") == ["64-192-384"]
    assert fold_cell("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def _grid(rows: list[list[Any]], columns: list[Column], width: int) -> list[str]:
    report = Report(title="t", tables=[Table(title="", columns=columns, rows=rows)])
    return [text for text, _ in compose(report, width)][2:]


def test_text_columns_narrow_to_their_longest_word_before_anything_is_hidden():
    columns = [Column("Name"), Column("Why"), Column("MACs", "right")]
    rows = [["conv_0", "a reason that is much longer than the space", 10_838_016]]
    # Full width needs 6 + 43 + 10 + gaps; at 40 the reason wraps, at word boundaries.
    lines = _grid(rows, columns, 40)
    assert max(map(len, lines)) <= 40
    assert "10,838,016" in lines[2] and "hidden" not in " ".join(lines)
    tokens = " ".join(lines).split()
    assert {"a", "reason", "that", "is", "much", "longer", "than", "the", "space"} <= set(tokens)


def test_then_text_columns_are_hidden_from_the_right_before_numbers():
    columns = [
        Column("Layer"),
        Column("Filter"),
        Column("MACs", "right"),
        Column("Params", "right"),
    ]
    rows = [["pw_13", "1x1x1024x1024", 51_380_224, 1_048_576]]
    # 5 + 13 + 10 + 9 and three gaps of 1 is 40: one column too many for 38.
    lines = _grid(rows, columns, 38)
    text = "\n".join(lines)
    assert "51,380,224" in text and "1,048,576" in text and "pw_13" in text
    assert "1x1x1024x" not in text and "hidden to fit 38 columns: Filter" in " ".join(text.split())


def test_a_word_longer_than_the_terminal_is_the_only_word_cut():
    columns = [Column("Path")]
    word = "x" * 30
    lines = _grid([[f"see {word} here"]], columns, 20)
    assert max(map(len, lines)) <= 20
    tokens = " ".join(lines).split()
    assert "see" in tokens and "here" in tokens
    assert [len(t) for t in tokens if set(t) == {"x"}] == [20, 10]


# -- 5: HTML wraps text, never numbers, and fits 1,280 px -----------------------------


class _Cells(HTMLParser):
    """Each <td> and <th> as (class, the text a reader sees and copies)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self._open, self._class = [], dict(attrs).get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._open is not None:
            self.cells.append((self._class, "".join(self._open)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def _cells(fragment: str) -> list[tuple[str, str]]:
    parser = _Cells()
    parser.feed(fragment)
    return parser.cells


def test_html_cells_keep_their_text_and_say_how_they_wrap():
    path = "checkpoints nets/mobilenet_v1.md"
    table = Table(
        title="",
        columns=[Column("Model"), Column("Source"), Column("MACs", "right")],
        rows=[
            ["mobilenet-v3-small-minimalistic", path, 52_288_448],
            ["<b>x</b>", "a note long enough to wrap, about --source", 1],
        ],
    )
    fragment = html_table(table)
    cells = _cells(fragment)
    # What a reader copies is the cell's text exactly: <wbr> adds no character.
    assert [text for _, text in cells] == [
        "Model",
        "Source",
        "MACs",
        "mobilenet-v3-small-minimalistic",
        path,
        "52,288,448",
        "<b>x</b>",
        "a note long enough to wrap, about --source",
        "1",
    ]
    # Names (one word, however long) and short texts are labels, kept on one line;
    # the rest is prose, which wraps; numbers never do.
    assert [cls for cls, _ in cells][3:6] == ["k", "", "r"]
    # In prose, a path may break after its "/".
    assert "nets/<wbr>mobilenet_v1.md" in fragment
    assert "<b>" not in fragment and "&lt;b&gt;x&lt;/b&gt;" in fragment
    page = render(Report(title="t", tables=[table]), "html")
    assert "td.r,td.k{white-space:nowrap}" in page


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("MNCOST_SHOTS", "/tmp/shots"))

# Per page: the document's width, the widest right edge of a table, every number cell
# that takes more than one line, and every long-text cell that does (some must).
_GEOMETRY = """() => {
  // Lines of text in a cell: the distinct tops of its text's boxes (the cell itself is
  // as tall as its row's tallest cell).
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size;
  };
  const cells = Array.from(document.querySelectorAll('td'));
  return {
    width: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    right: Math.max(0, ...Array.from(document.querySelectorAll('table'),
                                     (t) => t.getBoundingClientRect().right)),
    wrappedNumbers: cells.filter((c) => c.classList.contains('r') && lines(c) > 1)
                         .map((c) => c.textContent),
    wrappedLabels: cells.filter((c) => c.classList.contains('k') && lines(c) > 1)
                        .map((c) => c.textContent),
    wrappedText: cells.filter((c) => !c.className && lines(c) > 1).length,
  };
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium (never a downloaded browser)."""
    require_browser()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize(
    "args",
    [
        ("reproduce",),
        ("published",),
        ("table", "mobilenet-v2"),
        ("table", "inception-v3"),
        ("models",),
    ],
    ids=" ".join,
)
def test_html_pages_fit_a_1280_px_window(browser, tmp_path, args):
    out = tmp_path / "page.html"
    result = run_cli(*args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(out.as_uri(), wait_until="load")
        geometry = page.evaluate(_GEOMETRY)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"html-{'-'.join(args)}.png"))
    finally:
        page.close()
    # No horizontal scroll: the page is no wider than the window, and no table sticks
    # out of it (reproduce's Note column once made it ~4,800 px wide).
    assert geometry["width"] <= 1280 and geometry["right"] <= geometry["client"]
    assert geometry["wrappedNumbers"] == []
    assert geometry["wrappedLabels"] == []
    if args in (("reproduce",), ("models",)):
        assert geometry["wrappedText"] > 0  # the long notes and descriptions wrap


# -- 20: --rho's help names the architecture's own resolution -------------------------


def test_rho_help_says_base_is_the_architectures_resolution():
    text = " ".join(run_cli("table", "--help").stdout.split())
    assert "R = round(base x P)" in text or "R = round(base × P)" in text
    assert "224" in text and "299" in text


# -- 22: -o without an ending needs --format ------------------------------------------


def _commands() -> Iterator[tuple[list[str], click.Command]]:
    ctx = click.Context(cli)

    def walk(group: click.Group, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                yield from walk(command, [*path, name])
            elif command is not None:
                yield [*path, name], command

    yield from walk(cli, [])


# What each command needs besides -o to get as far as choosing a format.
_REQUIRED = {
    "latency": ["--device", "pixel1-cpu"],
    "compare": ["mobilenet-v1", "mobilenet-v2"],
    "import": ["model.onnx"],
}
# Commands whose -o writes one format only: no ending can be ambiguous.
_ONE_FORMAT = {
    "schema": "JSON Schema",
    "calibrate": "a JSON device profile",
    "measure": "a measurements CSV",
}


def test_every_command_with_o_is_listed():
    with_o = [
        " ".join(path)
        for path, command in _commands()
        if any(p.name == "output" for p in command.params)
    ]
    assert {"table", "published", "reproduce", "verify", "plot pareto", "report"} <= set(with_o)


@pytest.mark.parametrize(
    "path",
    [
        p
        for p, c in _commands()
        if any(x.name == "output" for x in c.params) and p[-1] not in _ONE_FORMAT
    ],
    ids=" ".join,
)
def test_o_without_an_ending_is_refused_unless_a_format_is_given(tmp_path, path):
    command = {tuple(p): c for p, c in _commands()}[tuple(path)]
    target = tmp_path / "x"
    result = run_cli(*path, *_REQUIRED.get(path[-1], []), "-o", str(target))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1
    has_format = any(p.name == "fmt" for p in command.params)
    if has_format:
        assert "--format" in result.stderr and "no file ending" in result.stderr
    else:  # plot, report: the ending is the format
        assert "no file ending" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize("path", [["table"], ["models"], ["reproduce"]])
def test_o_without_an_ending_uses_the_format_given(tmp_path, path):
    target = tmp_path / "x"
    result = run_cli(*path, "-o", str(target), "--format", "json")
    assert result.exit_code == 0, result.stderr
    json.loads(target.read_text())


# -- 24: the namespace is the public API ----------------------------------------------


def test_dir_and_star_import_are_exactly_the_public_api():
    assert dir(mncost) == sorted(mncost.__all__)
    for leak in ("Fraction", "Path", "annotations", "arch", "api", "text"):
        assert leak not in dir(mncost)
    namespace: dict[str, Any] = {}
    exec("from mncost import *", namespace)  # noqa: S102 - what a user's star import does
    assert set(namespace) - {"__builtins__"} == set(mncost.__all__)
    assert all(hasattr(mncost, name) for name in mncost.__all__)


# -- 25: the torch extra is a range; the tests' CPU wheel is pinned in setup.sh -------


def test_torch_extra_is_a_range_that_admits_the_tested_torch():
    from packaging.requirements import Requirement

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (spec,) = project["optional-dependencies"]["torch"]
    requirement = Requirement(spec)
    assert requirement.name == "torch"
    assert not any(s.operator in ("==", "===", "<", "<=", "~=") for s in requirement.specifier)
    assert "2.13.0" in requirement.specifier  # the version the suite runs on
    torch = pytest.importorskip("torch")
    assert torch.__version__.split("+")[0] in requirement.specifier


def test_setup_pins_the_cpu_wheel_in_the_same_install():
    script = (ROOT / "tests" / "setup.sh").read_text().replace("\\\n", " ")
    installs = [
        line
        for line in script.splitlines()
        if "pip install" in line and not line.lstrip().startswith("#")
    ]
    assert any("'torch==2.13.0'" in line and "[test,torch]" in line for line in installs)
    # ... and every other dependency moves to its newest release: a new user's pip gets
    # those, so the suite must run on them (issue 14: a PyYAML release broke a test).
    assert any("--upgrade --upgrade-strategy eager" in line for line in installs)


# -- 26: verify shows progress on a terminal, nowhere else ----------------------------

SPEC = str(ROOT / "examples" / "tiny-cifar.yaml")


def test_verify_prints_no_progress_off_a_terminal():
    pytest.importorskip("torch")
    result = run_cli("verify", "--spec", SPEC, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["verdict"]


@pytest.mark.skipif(MNCOST is None, reason="the mncost console script is not installed")
def test_verify_piped_has_a_silent_stderr_and_clean_csv():
    pytest.importorskip("torch")
    done = subprocess.run(
        [MNCOST, "verify", "--spec", SPEC, "-f", "csv"],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert b"PyTorch" not in done.stdout and b"\x1b" not in done.stdout
    assert done.stdout.decode().splitlines()[0].startswith(("layer", "name"))


@pytest.mark.skipif(MNCOST is None, reason="the mncost console script is not installed")
def test_verify_shows_its_stages_on_a_terminal_and_keeps_stdout_clean():
    pytest.importorskip("torch")
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen(
        [MNCOST, "verify", "--spec", SPEC, "-f", "json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read() if proc.stdout else b""
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "Loading PyTorch" in text and "measuring each layer" in text
    assert "'tiny-cifar'" in text or "tiny" in text
    # The progress line is erased at the end (rich's transient display)...
    assert text.rstrip("\r\n").endswith("\x1b[2K")
    # ...and the report on stdout is exactly the JSON.
    data = json.loads(out)
    assert data["verdict"] and b"\x1b" not in out
