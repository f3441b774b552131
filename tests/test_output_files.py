"""Issue 7, output side: devices, links, inputs, temporary files, odd names, stdout.

Every case runs in tmp_path. Cases that need a real process (a closed or full standard
output, a pipe whose reader leaves, a link to /proc/self/fd/1) run ``python -m mncost``;
device nodes are made in tmp_path (root only), never taken from the real /dev.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import run_cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CSV_HEADER = "name,kind,type,block,stride"  # first line of `mncost table -f csv`


def mncost(
    *args: str | bytes, cwd: Path, env: dict[str, str] | None = None, **streams: object
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m mncost ARGS`` as a real process in ``cwd``; output captured
    unless ``streams`` (stdout=, stderr=) say otherwise."""
    if not streams:
        streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run(
        [sys.executable, "-m", "mncost", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
        **streams,
    )  # type: ignore[call-overload]


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def make_char_device(path: Path, minor: int) -> None:
    """A memory character device (1, minor) at ``path``: 3 is null, 7 is full."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("this system does not allow device nodes here")


def entries(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# --- 1. devices, FIFOs, /proc links and "-" ---------------------------------------------


def test_a_device_node_is_written_into_not_replaced(tmp_path):
    node = tmp_path / "null"
    make_char_device(node, 3)
    result = run_cli("table", "-f", "csv", "-o", str(node))
    assert result.exit_code == 0, result.stderr
    info = os.lstat(node)
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert entries(tmp_path) == ["null"]  # no temporary file, nothing renamed


def test_a_full_device_is_one_line_and_exit_2(tmp_path):
    node = tmp_path / "full"
    make_char_device(node, 7)
    result = run_cli("table", "-f", "csv", "-o", str(node))
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert "cannot write" in line and "No space left on device" in line
    assert stat.S_ISCHR(os.lstat(node).st_mode) and entries(tmp_path) == ["full"]


def test_a_fifo_is_written_into(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # Our end is open (non-blocking) before mncost starts, so its open never waits, and
    # the CSV (2.5 kB) fits in the pipe: read it once mncost is done.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        done = mncost("table", "-f", "csv", "-o", "fifo", cwd=tmp_path)
        try:
            data = os.read(reader, 1 << 20)
        except BlockingIOError:
            data = b""
    finally:
        os.close(reader)
    assert done.returncode == 0, done.stderr
    assert data.decode().startswith(CSV_HEADER)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and entries(tmp_path) == ["fifo"]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_a_link_to_proc_self_fd_1_writes_to_standard_output(tmp_path):
    # What /dev/stdout is, made in tmp_path so a regression cannot replace the real one.
    os.symlink("/proc/self/fd/1", tmp_path / "stdout")
    piped = mncost("table", "-f", "csv", "-o", "stdout", cwd=tmp_path)
    assert piped.returncode == 0 and piped.stdout.decode().startswith(CSV_HEADER)
    # Standard output redirected (>>) to a regular file: added to it, not renamed over it.
    out = tmp_path / "out.txt"
    out.write_text("header line\n")
    inode = os.stat(out).st_ino
    with open(out, "ab") as handle:
        done = mncost(
            "table",
            "-f",
            "csv",
            "-o",
            "stdout",
            cwd=tmp_path,
            stdout=handle,
            stderr=subprocess.PIPE,
        )
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "header line" and lines[1].startswith(CSV_HEADER)
    assert os.stat(out).st_ino == inode
    assert os.readlink(tmp_path / "stdout") == "/proc/self/fd/1"
    assert entries(tmp_path) == ["out.txt", "stdout"]


@pytest.mark.parametrize(
    "args, start",
    [
        (["table", "-f", "csv"], CSV_HEADER),
        (["table", "-f", "json"], "{"),
        (["schema"], "{"),
        (["models", "-f", "csv"], "name,description"),
        (["report", "-a", "0.5", "-r", "128"], "<!DOCTYPE html>"),
        (["plot", "pareto", "--source", "paper"], "<!DOCTYPE html>"),
    ],
)
def test_dash_means_standard_output(args, start, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli(*args, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.lstrip().startswith(start)
    assert entries(tmp_path) == []  # no file called "-", no default review/pareto.html


def test_plot_to_standard_output_cannot_be_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("plot", "pareto", "-o", "-", "--show")
    assert result.exit_code == 2 and "--show" in one_line(result.stderr)


# --- 2. links -----------------------------------------------------------------------------


def test_a_symlink_is_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "t.csv"
    target.write_text("old\n")
    os.symlink("real/t.csv", tmp_path / "link.csv")
    result = run_cli("table", "-o", str(tmp_path / "link.csv"))
    assert result.exit_code == 0, result.stderr
    assert os.readlink(tmp_path / "link.csv") == "real/t.csv"  # still the same link
    assert target.read_text().startswith(CSV_HEADER)
    assert entries(tmp_path / "real") == ["t.csv"] and entries(tmp_path) == ["link.csv", "real"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    os.symlink("new.csv", tmp_path / "link.csv")
    result = run_cli("table", "-o", str(tmp_path / "link.csv"))
    assert result.exit_code == 0, result.stderr
    assert os.path.islink(tmp_path / "link.csv")
    assert (tmp_path / "new.csv").read_text().startswith(CSV_HEADER)


def test_a_symlink_into_a_missing_folder_is_one_line(tmp_path):
    os.symlink("nowhere/new.csv", tmp_path / "link.csv")
    result = run_cli("table", "-o", str(tmp_path / "link.csv"))
    assert result.exit_code == 2 and "does not exist" in one_line(result.stderr)
    assert entries(tmp_path) == ["link.csv"]


def test_a_symlink_loop_is_one_line(tmp_path):
    os.symlink("b.csv", tmp_path / "a.csv")
    os.symlink("a.csv", tmp_path / "b.csv")
    result = run_cli("table", "-o", str(tmp_path / "a.csv"))
    assert result.exit_code == 2 and "symbolic links" in one_line(result.stderr)


def test_hard_links_all_see_the_new_content(tmp_path):
    first, second = tmp_path / "one.csv", tmp_path / "two.csv"
    first.write_text("old\n")
    os.link(first, second)
    inode = os.stat(first).st_ino
    result = run_cli("table", "-o", str(first))
    assert result.exit_code == 0, result.stderr
    assert os.stat(first).st_ino == os.stat(second).st_ino == inode
    assert os.stat(first).st_nlink == 2
    assert second.read_text().startswith(CSV_HEADER) and first.read_text() == second.read_text()
    assert entries(tmp_path) == ["one.csv", "two.csv"]


# --- 3. an output is never an input -------------------------------------------------------


def _spec(tmp_path: Path, name: str) -> Path:
    spec = tmp_path / name
    spec.write_bytes((EXAMPLES / "tiny-cifar.json").read_bytes())
    return spec


@pytest.mark.parametrize("command", [["table"], ["verify"]])
@pytest.mark.parametrize("how", ["same", "dot-slash", "symlink", "hard link"])
def test_writing_over_the_spec_is_refused(command, how, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = _spec(tmp_path, "mine.json")
    before = spec.read_bytes()
    output = {"same": "mine.json", "dot-slash": "./mine.json"}.get(how, "other.json")
    if how == "symlink":
        os.symlink("mine.json", tmp_path / output)
    elif how == "hard link":
        os.link(spec, tmp_path / output)
    result = run_cli(*command, "--spec", "mine.json", "-o", output)
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert "--spec" in line and "reads" in line
    assert spec.read_bytes() == before


def test_report_refuses_to_write_over_its_spec(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = _spec(tmp_path, "mine.html")  # a spec file may have any ending (read as YAML)
    before = spec.read_bytes()
    result = run_cli("report", "--spec", "mine.html", "-o", "mine.html")
    assert result.exit_code == 2 and "--spec" in one_line(result.stderr)
    assert spec.read_bytes() == before and entries(tmp_path) == ["mine.html"]


def test_report_markdown_checks_its_chart_files_too(tmp_path, monkeypatch):
    # review.md puts its charts in review-by-type.png and review-pareto.png beside it.
    monkeypatch.chdir(tmp_path)
    spec = _spec(tmp_path, "review-by-type.png")
    before = spec.read_bytes()
    result = run_cli("report", "--spec", "review-by-type.png", "-o", "review.md")
    assert result.exit_code == 2 and "review-by-type.png" in one_line(result.stderr)
    assert spec.read_bytes() == before and entries(tmp_path) == ["review-by-type.png"]


def test_any_option_of_the_input_file_type_is_protected(tmp_path):
    # How a later command that reads a file (a profile, a CSV) gets the same protection.
    from mncost.cli.files import InputFile, write_output
    from mncost.cli.process import MncostGroup

    @click.group(cls=MncostGroup)
    def group() -> None:
        pass

    @group.command("convert")
    @click.option("--profile", type=InputFile())
    @click.option("-o", "output", type=click.Path(path_type=Path))
    def convert(profile: Path, output: Path) -> None:
        write_output(output, "new\n")

    profile = tmp_path / "device.yaml"
    profile.write_text("old\n")
    result = CliRunner().invoke(group, ["convert", "--profile", str(profile), "-o", str(profile)])
    assert result.exit_code == 2 and "--profile" in result.stderr
    assert profile.read_text() == "old\n"
    other = tmp_path / "out.txt"
    result = CliRunner().invoke(group, ["convert", "--profile", str(profile), "-o", str(other)])
    assert result.exit_code == 0 and other.read_text() == "new\n"


# --- 4. temporary files -------------------------------------------------------------------


def test_temporary_files_say_they_are_mncosts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []

    def stop(src: str, dst: str) -> None:
        seen.append(os.path.basename(src))
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", stop)
    result = run_cli("report", "-o", "review.html")
    assert result.exit_code == 2 and "Permission denied" in one_line(result.stderr)
    assert len(seen) == 1 and re.fullmatch(r"\.review\.html\.mncost-\w+\.tmp", seen[0])
    assert entries(tmp_path) == []


@pytest.mark.parametrize(
    "where, error, code",
    [
        ("fsync", OSError(5, "Input/output error"), 2),
        ("replace", KeyboardInterrupt(), 1),  # Ctrl-C just before the rename
    ],
)
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    where, error, code, tmp_path, monkeypatch
):
    target = tmp_path / "keep.csv"
    target.write_text("precious\n")

    def fail(*args: object) -> None:
        raise error

    monkeypatch.setattr(os, where, fail)
    result = run_cli("table", "-o", str(target))
    assert result.exit_code == code
    assert target.read_text() == "precious\n" and entries(tmp_path) == ["keep.csv"]


# --- 13. names that are not UTF-8 ---------------------------------------------------------


def test_an_undecodable_spec_and_output_name_work_and_print_escaped(tmp_path):
    spec = os.path.join(os.fsencode(tmp_path), b"spec-\xff.yaml")
    with open(spec, "wb") as handle:
        handle.write((EXAMPLES / "tiny-cifar.yaml").read_bytes())
    out = os.path.join(os.fsencode(tmp_path), b"out-\xff\x1b[31m.csv")
    done = mncost("table", "--spec", spec, "-o", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stderr = done.stderr.decode("utf-8")  # strict: no raw undecodable byte was printed
    assert "\x1b" not in stderr and "out-\\xff\\x1b[31m.csv" in one_line(stderr)
    with open(out, "rb") as handle:
        assert handle.read().decode().startswith(CSV_HEADER)
    # The HTML report names the spec file: escaped, not a crash on encoding.
    page = os.path.join(os.fsencode(tmp_path), b"r-\xff.html")
    done = mncost("report", "--spec", spec, "-o", page, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with open(page, "rb") as handle:
        assert "spec file spec-\\xff.yaml" in handle.read().decode("utf-8")


def test_a_missing_undecodable_spec_is_one_clean_line(tmp_path):
    done = mncost("table", "--spec", b"nope-\xff\x1b]0;T\x07.yaml", cwd=tmp_path)
    assert done.returncode == 2
    stderr = done.stderr.decode("utf-8")
    assert "\x1b" not in stderr and "\x07" not in stderr and "nope-" in one_line(stderr)


# --- 14. standard output ------------------------------------------------------------------


def _closed_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize(
    "args",
    [
        ["table"],
        ["table", "-f", "csv"],
        ["table", "-f", "json"],
        ["schema"],
        ["reproduce", "7"],
        ["--help"],
    ],
)
def test_a_closed_standard_output_is_one_line_and_exit_2(args, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mncost", *args],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_closed_stdout,
        timeout=120,
    )
    assert done.returncode == 2
    line = one_line(done.stderr.decode())
    assert line.endswith("error: cannot write to standard output: it is closed")
    assert line.startswith(f"mncost {args[0]}: " if args[0] != "--help" else "mncost: ")


def test_a_closed_standard_output_does_not_matter_with_o(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mncost", "table", "-o", "t.csv"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        preexec_fn=_closed_stdout,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "t.csv").read_text().startswith(CSV_HEADER)
    assert entries(tmp_path) == ["t.csv"]


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_a_full_standard_output_is_one_line_and_exit_2(tmp_path, buffered):
    # Python buffers standard output unless PYTHONUNBUFFERED is set. Buffered, its final
    # flush at exit wrote the failed bytes again after mncost's message: exit 120 and an
    # "Exception ignored" line.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    node = tmp_path / "full"
    make_char_device(node, 7)
    with open(node, "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "mncost", "table", "-f", "csv"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
    assert done.returncode == 2
    line = one_line(done.stderr.decode())
    assert line == "mncost table: error: cannot write to standard output: No space left on device"


def _big_spec(path: Path) -> None:
    """A valid spec of 3,002 layers: its table is far more than a pipe holds (64 KiB)."""
    layers = [{"kind": "conv", "name": "conv_0", "kernel": 3, "stride": 2, "filters": 32}]
    for i in range(1500):
        layers += [
            {"kind": "dw", "name": f"dw_{i}", "stride": 1},
            {"kind": "pw", "name": f"pw_{i}", "filters": 32},
        ]
    layers += [{"kind": "avgpool", "name": "pool"}, {"kind": "fc", "name": "fc"}]
    path.write_text(json.dumps({"name": "big", "resolution": 32, "classes": 10, "layers": layers}))


@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["PYTHONUNBUFFERED", "buffered"])
def test_a_reader_that_leaves_gives_exit_1_and_nothing_on_stderr(unbuffered, tmp_path):
    _big_spec(tmp_path / "big.json")
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    whole = subprocess.run(
        [sys.executable, "-m", "mncost", "table", "--spec", "big.json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert whole.returncode == 0 and len(whole.stdout) > 4 * 65536  # the premise
    proc = subprocess.Popen(
        [sys.executable, "-m", "mncost", "table", "--spec", "big.json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = proc.stdout.read(10)  # `| head -c 10`
    proc.stdout.close()
    assert proc.wait(timeout=120) == 1
    assert head == whole.stdout[:10] and proc.stderr.read() == b""


# --- error lines ----------------------------------------------------------------------------


def _failing_group(message: str) -> click.Group:
    """A one-command CLI whose command fails with ``message`` as a UserError."""
    from mncost.cli.process import MncostGroup, UserError

    @click.group(cls=MncostGroup)
    def group() -> None:
        pass

    @group.command("fail")
    def fail() -> None:
        raise UserError(message)

    return group


def test_an_error_line_escapes_controls_and_newlines():
    result = CliRunner().invoke(_failing_group("bad name 'x\x1b[2J\ny\r'"), ["fail"])
    assert result.exit_code == 2
    # mncost.text.escape_controls writes every C0 control as \xNN: a newline is \x0a.
    assert result.stderr == "group fail: error: bad name 'x\\x1b[2J\\x0ay\\x0d'\n"


def test_an_error_line_is_capped():
    from mncost.cli.process import ERROR_LINE_LIMIT

    result = CliRunner().invoke(_failing_group("y" * 50_000), ["fail"])
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert line.startswith("group fail: error: yyy") and len(line) == ERROR_LINE_LIMIT


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_a_narrow_locale_gets_the_ascii_fallback_not_an_error(encoding, tmp_path):
    # The Markdown list of published results has the column headings "α/res" and
    # "Δ MACs (mncost - pub.)"; mncost.text's fallback shows them as "alpha/res" and
    # "d MACs (mncost - pub.)".
    done = mncost("published", "-f", "markdown", cwd=tmp_path, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode(encoding)
    assert "| alpha/res |" in text and "| d MACs (mncost - pub.) |" in text and "\\u" not in text
