"""`mncost table`, `models`, `schema` and `--version`, driven as a user would."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

import mncost
from tests.conftest import cli_json, run_cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_terminal_table_has_table1_columns_totals_breakdown_and_conventions():
    result = run_cli("table", "--alpha", "0.75", "--res", "160", env={"COLUMNS": "120"})
    assert result.exit_code == 0
    out = result.stdout
    for header in (
        "Type / Stride",
        "Filter Shape",
        "Input Size",
        "Output Size",
        "Mult-Adds (MACs)",
        "Params",
        "% MACs",
        "Total",
        "By layer type",
        "Conventions:",
    ):
        assert header in out
    assert "Conv dw / s2" in out and "3x3x3x24" in out and "160x160x3" in out
    # 0.75 MobileNet-160 by the independent formula in test_core_numbers: 166,396,800 MACs
    # is checked there; here we check the terminal shows the same total as the JSON.
    total = cli_json("table", "--alpha", "0.75", "--res", "160")["total"]
    assert f"{total['mult_adds']:,}" in out and f"{total['params']:,}" in out


@pytest.mark.parametrize("columns", [80, 64, 40])
def test_narrow_terminals_never_cut_a_number(columns):
    result = run_cli("table", env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    grid = result.stdout.split("Conventions:")[0]
    assert max(len(line) for line in grid.splitlines()) <= columns
    # Every layer's exact count is still printed whole (pw_13: 1x1x1024x1024 at 7x7).
    assert "51,380,224" in grid and "1,048,576" in grid and "568,740,352" in grid
    if columns < 80:
        assert "hidden to fit" in result.stdout


def test_json_layout_and_integer_counts():
    data = cli_json("table", "--alpha", "0.5", "--res", "128")
    assert set(data) >= {
        "model",
        "alpha",
        "resolution",
        "classes",
        "conventions",
        "layers",
        "total",
        "by_type",
    }
    assert (data["model"], data["alpha"], data["resolution"], data["classes"]) == (
        "mobilenet-v1",
        0.5,
        128,
        1000,
    )
    first = data["layers"][0]
    assert set(first) >= {
        "name",
        "kind",
        "stride",
        "filter_shape",
        "input",
        "output",
        "mult_adds",
        "params",
    }
    assert first["filter_shape"] == "3x3x3x16" and first["input"] == [128, 128, 3]
    assert [item["kind"] for item in data["layers"][1:3]] == ["dw", "pw"]
    assert all(
        isinstance(item["mult_adds"], int) and isinstance(item["params"], int)
        for item in data["layers"]
    )
    assert sum(item["mult_adds"] for item in data["layers"]) == data["total"]["mult_adds"]
    assert sum(item["params"] for item in data["layers"]) == data["total"]["params"]


def test_csv_one_row_per_layer_summing_to_the_total():
    result = run_cli("table", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # 30 layers, then the totals row (kind "total").
    layers, total = rows[:-1], rows[-1]
    assert len(layers) == 30 and total["kind"] == "total"
    assert sum(int(r["mult_adds"]) for r in layers) == 568_740_352 == int(total["mult_adds"])
    assert sum(int(r["params"]) for r in layers) == 4_210_088 == int(total["params"])


def test_markdown_is_a_github_table():
    out = run_cli("table", "--format", "markdown").stdout
    lines = out.splitlines()
    assert lines[0].startswith("# mobilenet-v1")
    assert any(line.startswith("| Layer | Type / Stride |") for line in lines)
    assert "| 568,740,352 |" in out.replace("**", "")
    assert "Conventions:" in out


def test_html_is_self_contained():
    out = run_cli("table", "--format", "html").stdout
    assert out.startswith("<!DOCTYPE html>") and "</html>" in out
    assert "568,740,352" in out and "Conventions:" in out
    assert "http://" not in out and "https://" not in out and "<script" not in out


def test_flops_are_twice_the_macs_and_labelled():
    data = cli_json("table", "--flops")
    assert data["total"]["flops"] == 2 * data["total"]["mult_adds"] == 2 * 568_740_352
    out = run_cli("table", "--flops", env={"COLUMNS": "120"}).stdout
    assert "FLOPs" in out and "1,137,480,704" in out


def test_rho_and_classes_and_conventions_flags():
    assert cli_json("table", "--rho", "0.714")["resolution"] == 160
    assert cli_json("table", "--classes", "0")["total"] == {
        "mult_adds": 567_716_352,
        "params": 3_185_088,
    }
    assert cli_json("table", "--bn", "affine")["total"]["params"] == 4_231_976
    assert cli_json("table", "--no-fc-bias")["total"]["params"] == 4_209_088
    data = cli_json("table", "--classes", "120")
    assert data["layers"][-2]["filter_shape"] == "1024x120"


def test_output_file_format_from_extension(tmp_path):
    target = tmp_path / "layers.csv"
    result = run_cli("table", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert "wrote" in result.stderr
    assert target.read_text().startswith("name,kind,type,block,stride,filter_shape")
    md = tmp_path / "layers.md"
    run_cli("table", "-o", str(md))
    assert md.read_text().startswith("# mobilenet-v1")
    txt = tmp_path / "layers.txt"
    run_cli("table", "-o", str(txt))
    assert "\x1b[" not in txt.read_text() and "Filter Shape" in txt.read_text()


def test_spec_file_via_cli():
    data = cli_json("table", "--spec", str(EXAMPLES / "tiny-cifar.yaml"))
    assert data["model"] == "tiny-cifar" and data["classes"] == 10
    assert (
        data["total"]["mult_adds"]
        == mncost.cost(mncost.load_spec(EXAMPLES / "tiny-cifar.yaml")).total.mult_adds
    )


def test_user_supplied_names_are_escaped_in_html_and_neutralized_in_csv(tmp_path):
    spec = tmp_path / "evil.yaml"
    spec.write_text(
        "name: '<img src=x onerror=alert(1)>'\nresolution: 8\nclasses: 2\nlayers:\n"
        "  - {kind: conv, name: '<script>alert(1)</script>', kernel: 3, filters: 4}\n"
        "  - {kind: pw, name: '=HYPERLINK(\"http://x\")', filters: 4}\n"
        "  - {kind: pw, name: '+1', filters: 4}\n"
        "  - {kind: pw, name: '@SUM(A1)', filters: 4}\n"
        "  - {kind: pw, name: '-2', filters: 4}\n"
        "  - {kind: avgpool, name: pool}\n  - {kind: fc, name: fc}\n"
    )
    page = run_cli("table", "--spec", str(spec), "-f", "html").stdout
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page
    rows = list(csv.reader(io.StringIO(run_cli("table", "--spec", str(spec), "-f", "csv").stdout)))
    names = [row[0] for row in rows[1:]]
    assert names[1:5] == ['\'=HYPERLINK("http://x")', "'+1", "'@SUM(A1)", "'-2"]
    md = run_cli("table", "--spec", str(spec), "-f", "markdown").stdout
    assert "<script>" not in md


def test_models_schema_version():
    result = run_cli("models")
    assert result.exit_code == 0 and "mobilenet-v1" in result.stdout
    assert cli_json("models")[0]["name"] == "mobilenet-v1"
    schema = json.loads(run_cli("schema").stdout)
    assert schema["title"] == "mncost architecture spec"
    version = run_cli("--version")
    assert version.exit_code == 0 and mncost.__version__ in version.stdout


def test_every_command_has_help_with_examples():
    import click

    from mncost.cli import cli

    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        result = run_cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage:" in result.stdout and len(result.stdout.splitlines()) > 5, name


# -- bad input: one line on stderr, exit code 2, no traceback --------------------------

BAD_INPUTS = [
    (["table", "--alpha", "0"], "alpha"),
    (["table", "--alpha", "-1"], "alpha"),
    (["table", "--alpha", "nan"], "alpha"),
    (["table", "--alpha", "inf"], "alpha"),
    (["table", "--alpha", "abc"], "alpha"),
    (["table", "--alpha", "0.001"], "0 channels"),
    (["table", "--res", "0"], "resolution"),
    (["table", "--res", "-5"], "resolution"),
    (["table", "--res", "1.5"], "resolution"),
    (["table", "--res", "abc"], "resolution"),
    (["table", "--rho", "0"], "rho"),
    (["table", "--rho", "0.0001"], "rho"),
    (["table", "--res", "160", "--rho", "0.5"], "not both"),
    (["table", "--classes", "-1"], "classes"),
    (["table", "nope"], "unknown model 'nope'"),
    (["table", "mobilenet-v1", "--spec", "x.yaml"], "not both"),
    (["table", "--spec", "does-not-exist.yaml"], "does not exist"),
    (["table", "--format", "pdf"], "pdf"),
    (["table", "-o", "/nonexistent-folder/x.csv"], "does not exist"),
    (["table", "-o", "out.xlsx"], "cannot tell the format"),
    (["nope"], "No such command"),
]


@pytest.mark.parametrize("args,needle", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr


def test_malformed_spec_files_name_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlayers:\n  - {kind: conv, name: c, kernel: 3, filter: 8}\n")
    result = run_cli("table", "--spec", str(bad))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "layers[0]" in result.stderr
    notyaml = tmp_path / "bad.json"
    notyaml.write_text("not json")
    result = run_cli("table", "--spec", str(notyaml))
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_unwritable_output_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "keep.csv"
    target.write_text("precious\n")

    def failing_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    result = run_cli("table", "-o", str(target))
    assert result.exit_code == 2 and "Permission denied" in result.stderr
    assert target.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv"]  # no temp file left


def test_output_under_a_regular_file(tmp_path):
    # A path whose "folder" is a file cannot be written, even by root.
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    result = run_cli("table", "-o", str(blocker / "x.csv"))
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert blocker.read_text() == "x"


def test_output_path_that_is_a_directory(tmp_path):
    result = run_cli("table", "-o", str(tmp_path), "-f", "csv")
    assert result.exit_code == 2 and "directory" in result.stderr


def test_table_path_does_not_import_heavy_packages():
    # Start-up speed: pandas, plotly and torch stay off the `mncost table` path (and YAML
    # off it unless --spec is used). Checked in a fresh interpreter.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mncost.cli import cli\n"
        "try:\n"
        "    cli.main(['table', '--alpha', '0.75', '--res', '160'], standalone_mode=False)\n"
        "finally:\n"
        "    heavy = [m for m in ('pandas', 'plotly', 'torch', 'yaml', 'numpy')\n"
        "             if m in sys.modules]\n"
        "    sys.stderr.write('HEAVY=' + ','.join(heavy) + '\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY=\n" in done.stderr, done.stderr


def test_terminal_styles_only_decorate_the_same_layout():
    import re

    from mncost.present.terminal import render_terminal
    from mncost.present.views.cost_table import cost_report

    report = cost_report(mncost.cost(alpha=0.5))
    plain = render_terminal(report, width=90, color=False)
    styled = render_terminal(report, width=90, color=True)
    assert "\x1b[" not in plain and "\x1b[1m" in styled
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled) == plain
    # A width too small to be useful is raised to 20 rather than failing.
    assert render_terminal(report, width=0, color=False)


def test_help_and_import_do_not_build_the_spec_language():
    # `mncost --help` and `import mncost` need no model: pydantic's BaseModel (its import
    # alone costs more than click's) and the spec kinds stay unimported until used.
    import subprocess
    import sys

    code = (
        "import sys, io, contextlib\n"
        "import mncost\n"
        "from mncost.cli import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        cli.main(['--help'], standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = [m for m in ('pydantic.main', 'mncost.arch.ops', 'mncost.api', 'numpy')\n"
        "          if m in sys.modules]\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded) + '\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED=\n" in done.stderr, done.stderr


def test_mncost_cost_is_the_function_after_the_subpackage_is_imported():
    # The subpackage mncost.cost binds itself on the package when imported; the public
    # function keeps the name, as it did when the package imported everything eagerly.
    import importlib

    importlib.import_module("mncost.cost.geometry")
    from mncost.api import cost

    assert mncost.cost is cost


def test_the_console_entry_freezes_its_objects_at_exit_and_cli_never_does():
    # Start-up: `mncost` (the console entry, mncost.cli.main) freezes the process's objects
    # when the command is done, so the interpreter's last full collection skips them;
    # `cli`, which tests and programs drive in their own process, never freezes it.
    import gc
    import subprocess
    import sys

    code = (
        "import gc, sys, atexit, io, contextlib\n"
        "atexit.register(lambda: sys.stderr.write(f'FROZEN={gc.get_freeze_count()}\\n'))\n"
        "sys.argv = ['mncost', 'table', '-f', 'csv']\n"
        "from mncost.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    frozen = [line for line in done.stderr.splitlines() if line.startswith("FROZEN=")]
    assert done.returncode == 0 and frozen and int(frozen[0].split("=")[1]) > 10_000, done.stderr
    before = gc.get_freeze_count()
    assert run_cli("table", "-f", "csv").exit_code == 0
    assert gc.get_freeze_count() == before
