"""Run the examples of README.md and docs/, compare what they print, and regenerate them.

The documents' examples are tested (issue 20): a ``console`` block is a terminal session,
run command by command; a ``pycon`` block is a Python session, run as a doctest. A
changed output fails ``tests/test_docs.py``, and one command writes the fresh outputs
back into the documents::

    python tests/docs_examples.py            # check every document; exit 1 on a difference
    python tests/docs_examples.py --update   # rewrite the outputs that changed, in place
    python tests/docs_examples.py docs/memory.md --update   # one document

A ``console`` block:

- a line starting with ``$ `` is a command; a command ending in ``\\`` goes on in the
  next line; ``# ...`` ends it with a comment, as in a shell;
- the lines after it, up to the next command, are its expected output: standard output
  and standard error as a terminal shows them, with trailing blank lines ignored;
- a line ``...`` skips output lines until the next expected line matches (at the end:
  the rest of the output), so a long output can be shown short;
- the commands are ``mncost ...`` (run in-process, as ``tests/conftest.py``'s
  ``run_cli`` does), ``cat FILE``, ``cat > FILE <<'EOF'`` (a here-document: its lines
  are the file, up to ``EOF``) and ``echo $?`` (the previous command's exit code). A
  command that exits non-zero must be followed by ``$ echo $?``, so that a failure is
  shown, never hidden by an elision.

Every document runs in a fresh temporary folder holding a copy of ``examples/``, its
blocks in order (a later block may read a file an earlier one wrote), at a fixed width of
:data:`COLUMNS` characters, with no colour. The folder's path shows as :data:`HOME`.

``sh`` blocks are not run, and hold only installation commands (:data:`NOT_RUN`): they
change the environment the other examples run in. Other fences (``text``, ``python``,
``yaml``) are not shell sessions and are not run.
"""

from __future__ import annotations

import argparse
import difflib
import doctest
import importlib.util
import os
import re
import shlex
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

COLUMNS = 100
"""The terminal width every example runs at."""

HOME = "/home/me"
"""How the folder an example runs in is shown in its output."""

ELISION = "..."
"""An expected-output line that stands for any number of output lines."""

RUN = "console"
"""The fence of a terminal session that is run."""

PYTHON = "pycon"
"""The fence of a Python session that is run as a doctest."""

SHELLS = frozenset({"console", "sh", "bash", "shell", "zsh", "shell-session", "shellsession"})
"""Fences that hold shell commands: each must be run (``console``) or be installation."""

NOT_RUN = re.compile(r"^(pip install |\./tests/setup\.sh\b|apt-get |sudo apt-get )")
"""The commands a not-run (``sh``) block may hold: they install what the others need."""

ENV: dict[str, str | None] = {
    "COLUMNS": str(COLUMNS),
    "LINES": "50",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "DISPLAY": None,
    "WAYLAND_DISPLAY": None,
}
"""The environment of every ``mncost`` command (None: unset)."""

_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
_HEREDOC = re.compile(r"^cat\s*>\s*(?P<file>[^\s<>]+)\s*<<-?\s*(?P<q>['\"]?)(?P<end>\w+)(?P=q)\s*$")


def documents() -> list[Path]:
    """README.md, ARCHITECTURE.md and every page under docs/, in a stable order."""
    found = [ROOT / "README.md", ROOT / "ARCHITECTURE.md"]
    found += sorted((ROOT / "docs").rglob("*.md"))
    return [path for path in found if path.exists()]


# --- reading a document -----------------------------------------------------------------


@dataclass(frozen=True)
class Fence:
    """One fenced block: its info string and its lines (0-based line numbers)."""

    info: str
    start: int
    """The line of the opening fence."""
    lines: tuple[str, ...]
    """The lines between the fences."""

    @property
    def language(self) -> str:
        return self.info.split(",")[0].lower()


def fences(text: str) -> list[Fence]:
    """Every fenced code block of a Markdown text, outermost only."""
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        close = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        found.append(Fence(opening["info"], i, tuple(lines[i + 1 : j])))
        i = j + 1
    return found


@dataclass(frozen=True)
class Command:
    """One ``$`` command of a console block and the output the document shows for it."""

    text: str
    """The command as the shell would read it (continuation lines joined)."""
    line: int
    """Its first line in the document (0-based)."""
    heredoc: str | None
    """A here-document's content, for ``cat > FILE <<'EOF'``."""
    expected: tuple[str, ...]
    out_start: int
    """The first line of the expected output in the document (0-based)."""

    @property
    def out_end(self) -> int:
        return self.out_start + len(self.expected)


class DocError(ValueError):
    """A document's example is written in a way this runner cannot read."""


def commands(block: Fence, where: str = "") -> list[Command]:
    """The commands of a console block, each with its expected output."""
    found: list[Command] = []
    lines = block.lines
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            if lines[i].strip():
                raise DocError(f"{where}:{block.start + 2 + i}: output before any `$ ` command")
            i += 1
            continue
        first = i
        text = lines[i][2:]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1].rstrip() + " " + lines[i].strip().removeprefix("> ")
        i += 1
        heredoc = None
        here = _HEREDOC.match(text)
        if here is not None:
            body = []
            while i < len(lines) and lines[i] != here["end"]:
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise DocError(f"{where}:{block.start + 2 + first}: no {here['end']} line")
            i += 1
            heredoc = "".join(line + "\n" for line in body)
        start = i
        while i < len(lines) and not lines[i].startswith("$ "):
            i += 1
        found.append(
            Command(text, block.start + 1 + first, heredoc, lines[start:i], block.start + 1 + start)
        )
    return found


# --- running a command ------------------------------------------------------------------


def _mncost(argv: list[str]) -> tuple[str, int]:
    from click.testing import CliRunner

    from mncost.cli import cli

    # click's CliRunner lays out help at 80 columns unless given a width; a terminal of
    # COLUMNS columns gets COLUMNS - 2 (click's margin), so that is what it is given.
    result = CliRunner().invoke(
        cli, argv, prog_name="mncost", env=ENV, terminal_width=COLUMNS - 2, catch_exceptions=True
    )
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        output += "".join(traceback.format_exception(*result.exc_info))
    return output, result.exit_code


def run(command: Command, previous_code: int) -> tuple[list[str], int]:
    """Run one command in the current folder: its output lines and exit code."""
    if command.heredoc is not None:
        here = _HEREDOC.match(command.text)
        assert here is not None
        Path(here["file"]).write_text(command.heredoc, encoding="utf-8")
        return [], 0
    argv = shlex.split(command.text, comments=True)
    if argv == ["echo", "$?"]:
        return [str(previous_code)], 0
    if len(argv) == 2 and argv[0] == "cat":
        return Path(argv[1]).read_text(encoding="utf-8").splitlines(), 0
    if not argv or argv[0] != "mncost":
        raise DocError(f"not a command the docs test runs: {command.text!r}")
    output, code = _mncost(argv[1:])
    folder = str(Path.cwd())
    lines = [line.rstrip().replace(folder, HOME) for line in output.splitlines()]
    return lines, code


# --- comparing --------------------------------------------------------------------------


def _trimmed(lines: Sequence[str]) -> list[str]:
    out = list(lines)
    while out and not out[-1].strip():
        out.pop()
    return out


def matches(expected: Sequence[str], actual: Sequence[str]) -> bool:
    """Whether ``actual`` is ``expected``, each ``...`` line standing for any lines."""
    want, got = _trimmed(expected), _trimmed(actual)
    w = g = 0
    star, resume = -1, 0  # the last elision seen, and where its match started
    while g < len(got):
        if w < len(want) and want[w] == ELISION:
            star, resume = w, g
            w += 1
        elif w < len(want) and want[w] == got[g]:
            w += 1
            g += 1
        elif star >= 0:  # let the last elision take one more line, and retry
            resume += 1
            w, g = star + 1, resume
        else:
            return False
    return all(line == ELISION for line in want[w:])


def _score(old: Sequence[str], new: Sequence[str]) -> float:
    return sum(difflib.SequenceMatcher(None, a, b).ratio() for a, b in zip(old, new))


def regenerate(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    """The expected output, rewritten from ``actual`` and keeping its elisions.

    Unchanged when it still matches. Otherwise the lines before the first ``...`` become
    as many first lines of the output, the lines after the last as many last lines, and
    each run of lines between two elisions the run of output lines most like it.
    """
    actual = _trimmed(actual)
    if matches(expected, actual):
        return list(expected)
    if ELISION not in expected:
        return actual
    parts: list[list[str]] = [[]]
    for line in _trimmed(expected):
        if line == ELISION:
            parts.append([])
        else:
            parts[-1].append(line)
    head, middle, tail = parts[0], parts[1:-1], parts[-1]
    out = actual[: len(head)]
    pos = len(out)
    tail_at = max(pos, len(actual) - len(tail))
    for run_ in middle:
        out.append(ELISION)
        k = len(run_)
        starts = range(pos, tail_at - k + 1)
        if not k or not starts:
            continue
        best = max(starts, key=lambda s: _score(run_, actual[s : s + k]))
        out += actual[best : best + k]
        pos = best + k
    out.append(ELISION)
    out += actual[tail_at:]
    return out if matches(out, actual) else actual


# --- running a document -----------------------------------------------------------------


@dataclass
class Outcome:
    """What running one document found."""

    path: Path
    failures: list[str] = field(default_factory=list)
    """One message per example whose output differs from a fresh run's."""
    errors: list[str] = field(default_factory=list)
    """One message per example that could not run, or failed without saying so."""
    replacements: list[tuple[int, int, list[str]]] = field(default_factory=list)
    """(first line, end line, new lines) for each output that differs."""


def requirements(text: str) -> list[str]:
    """What a document's runnable examples need beyond mncost's own dependencies and is
    missing: PyTorch for verify, onnxruntime for measure, onnx for ONNX files, kaleido and
    a Chromium for PNG and SVG images (the pages write HTML instead, which needs none)."""
    needs = []
    words = set(re.findall(r"[\w.-]+", " ".join(_commands_text(text))))
    if "verify" in words:
        needs.append("torch")
    if "measure" in words:
        needs.append("onnxruntime")
    if {"export", "import", "measure"} & words or any(w.endswith(".onnx") for w in words):
        needs.append("onnx")
    if any(w.endswith((".png", ".svg")) for w in words) or re.search(
        r"mncost report[^\n]*-o \S+\.md", "\n".join(_commands_text(text))
    ):
        needs.append("kaleido")
    return [name for name in needs if importlib.util.find_spec(name) is None] + (
        ["chromium"] if "kaleido" in needs and not _have_chromium() else []
    )


def _have_chromium() -> bool:
    return shutil.which("chromium") is not None or Path("/usr/bin/chromium").exists()


def _commands_text(text: str) -> Iterator[str]:
    for block in fences(text):
        if block.language == RUN:
            for command in commands(block):
                yield command.text


class _Recorder(doctest.DocTestRunner):
    """A doctest runner that keeps what each example printed."""

    def __init__(self) -> None:
        super().__init__(optionflags=doctest.ELLIPSIS)
        self.got: list[tuple[doctest.Example, str, bool]] = []

    def report_success(
        self, out: Any, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self.got.append((example, got, True))

    def report_failure(
        self, out: Any, test: doctest.DocTest, example: doctest.Example, got: str
    ) -> None:
        self.got.append((example, got, False))

    def report_unexpected_exception(
        self, out: Any, test: doctest.DocTest, example: doctest.Example, exc_info: Any
    ) -> None:
        text = "".join(traceback.format_exception(*exc_info))
        self.got.append((example, text, False))


def _python(block: Fence, globs: dict[str, Any], where: str, outcome: Outcome) -> None:
    source = "".join(line + "\n" for line in block.lines)
    test = doctest.DocTestParser().get_doctest(source, globs, where, where, block.start + 1)
    recorder = _Recorder()
    recorder.run(test, out=lambda _: None, clear_globs=False)
    globs.update(test.globs)
    for example, got, ok in recorder.got:
        if ok:
            continue
        first = block.start + 1 + example.lineno + example.source.count("\n")
        old = example.want.splitlines()
        new = got.splitlines()
        message = _message(where, first, ">>> " + example.source.strip(), old, new)
        if got.startswith("Traceback (most recent call last)"):
            outcome.errors.append(message)  # an example that fails is no output to keep
        else:
            outcome.failures.append(message)
            outcome.replacements.append((first, first + len(old), new))


def _message(where: str, line: int, command: str, old: Sequence[str], new: Sequence[str]) -> str:
    diff = difflib.unified_diff(list(old), list(new), "shown", "fresh run", lineterm="", n=2)
    return f"{where}:{line + 1}: {command}\n" + "\n".join(diff)


def check(path: Path) -> Outcome:
    """Run every example of one document, each block in order, in a fresh folder."""
    text = path.read_text(encoding="utf-8")
    where = _shown(path)
    outcome = Outcome(path)
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="mncost-docs-") as folder:
        shutil.copytree(ROOT / "examples", Path(folder) / "examples")
        os.chdir(folder)
        try:
            globs: dict[str, Any] = {}
            for block in fences(text):
                if block.language == PYTHON:
                    _python(block, globs, where, outcome)
                if block.language != RUN:
                    continue
                code = 0
                shown = commands(block, where)
                for n, command in enumerate(shown):
                    try:
                        actual, new_code = run(command, code)
                    except (DocError, OSError) as exc:
                        outcome.errors.append(f"{where}:{command.line + 1}: {exc}")
                        continue
                    followed = n + 1 < len(shown) and shown[n + 1].text.strip() == "echo $?"
                    if new_code != 0 and not followed:
                        outcome.errors.append(
                            f"{where}:{command.line + 1}: `{command.text}` exited with "
                            f"{new_code}: show it with a `$ echo $?` after it\n" + "\n".join(actual)
                        )
                    code = new_code
                    if not matches(command.expected, actual):
                        new = regenerate(command.expected, actual)
                        outcome.failures.append(
                            _message(where, command.out_start, command.text, command.expected, new)
                        )
                        outcome.replacements.append((command.out_start, command.out_end, new))
        finally:
            os.chdir(here)
    return outcome


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def update(outcome: Outcome) -> int:
    """Write an outcome's fresh outputs into its document; the number rewritten."""
    if not outcome.replacements:
        return 0
    lines = outcome.path.read_text(encoding="utf-8").splitlines()
    for start, end, new in sorted(outcome.replacements, reverse=True):
        # The blank lines between an output and the next command stay.
        trailing = (end - start) - len(_trimmed(lines[start:end]))
        lines[start:end] = _trimmed(new) + [""] * trailing
    outcome.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(outcome.replacements)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("files", nargs="*", type=Path, help="documents (default: all)")
    parser.add_argument("--update", action="store_true", help="write the fresh outputs back")
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.files] or documents()
    failed = 0
    for path in paths:
        outcome = check(path)
        shown = outcome.errors if args.update else outcome.errors + outcome.failures
        for message in shown:
            print(message + "\n", file=sys.stderr)
        failed += len(shown)
        if args.update and update(outcome):
            print(f"{_shown(path)}: {len(outcome.replacements)} output(s) rewritten")
    what = "error(s) left" if args.update else "difference(s) and error(s)"
    print(f"{len(paths)} document(s), {failed} {what}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
