"""The documents' examples are true (issue 20): every shell block of README.md and docs/
is run and its output compared with a fresh run, and the ``>>>`` examples of
mncost/api.py run as doctests.

The runner, its block format and the regeneration command (``python
tests/docs_examples.py --update``) are in tests/docs_examples.py; docs/README.md says
the same for readers.
"""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path

import pytest

import mncost
import mncost.api
from mncost.cli import cli
from tests import docs_examples as de

IN_CI = bool(os.environ.get("CI"))
UPDATE = "python tests/docs_examples.py --update"


def _id(path: Path) -> str:
    return str(path.relative_to(de.ROOT))


DOCUMENTS = de.documents()


# --- every document's examples ----------------------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS, ids=_id)
def test_examples_print_what_the_page_shows(path: Path) -> None:
    missing = de.requirements(path.read_text(encoding="utf-8"))
    if missing:
        why = f"{_id(path)} runs commands that need {', '.join(missing)}"
        if IN_CI:
            pytest.fail(why)
        pytest.skip(why + "; tests/setup.sh installs them, and in CI (CI=1) this fails instead")
    outcome = de.check(path)
    problems = outcome.errors + outcome.failures
    assert not problems, (
        f"{len(problems)} example(s) of {_id(path)} differ from a fresh run or cannot run; "
        f"if the new output is right, regenerate with: {UPDATE} {_id(path)}\n\n"
        + "\n\n".join(problems)
    )


def test_every_shell_block_is_run_or_installs() -> None:
    # The acceptance: every shell block is run. The only blocks that are not hold the
    # installation commands the others need, which must not run in a test.
    wrong = []
    for path in DOCUMENTS:
        for block in de.fences(path.read_text(encoding="utf-8")):
            if block.language not in de.SHELLS or block.language == de.RUN:
                continue
            where = f"{_id(path)}:{block.start + 1}"
            if block.language != "sh":
                wrong.append(f"{where}: a `{block.language}` block: use `console` (run) or `sh`")
                continue
            for line in block.lines:
                command = line.split("#", 1)[0].strip()
                if command and not de.NOT_RUN.match(command):
                    wrong.append(f"{where}: `{command}` is not an installation command")
    assert wrong == [], "\n".join(wrong)


def test_every_command_has_a_run_example() -> None:
    shown = set()
    for path in DOCUMENTS:
        for text in de._commands_text(path.read_text(encoding="utf-8")):
            words = text.split()
            if words[:1] == ["mncost"] and len(words) > 1:
                shown.add(words[1])
    commands = set(cli.commands) | set(cli.lazy_commands)
    assert commands - shown == set()


SET_UP = (
    "pip install . && mncost table --alpha 0.75 --res 160",
    "./tests/setup.sh && python -m pytest",
)
"""The README's two set-up commands, kept verbatim (.ci/run runs the second)."""


def test_the_readme_is_a_landing_page() -> None:
    lines = (de.ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 170, f"README.md has {len(lines)} lines; move detail into docs/"
    text = "\n".join(lines)
    for command in SET_UP:
        assert f"\n{command}\n" in text, f"README.md no longer shows {command!r}"


# --- links between the pages ------------------------------------------------------------

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    found = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if de._FENCE.match(line):
            in_fence = not in_fence
        if in_fence or not line.startswith("#"):
            continue
        title = line.lstrip("#").strip().lower().replace("`", "")
        found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_relative_links_lead_somewhere() -> None:
    broken = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        prose = "\n".join(line for line in _outside_fences(text) if not line.startswith("    "))
        for target in _LINK.findall(prose):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            goal = (path.parent / file).resolve() if file else path
            if not goal.exists():
                broken.append(f"{_id(path)}: {target} (no such file)")
            elif anchor and goal.suffix == ".md" and anchor not in _anchors(goal):
                broken.append(f"{_id(path)}: {target} (no such heading)")
    assert broken == [], "\n".join(broken)


def _outside_fences(text: str) -> list[str]:
    lines = text.splitlines()
    inside: set[int] = set()
    for block in de.fences(text):
        inside.update(range(block.start, block.start + len(block.lines) + 2))
    return [line for n, line in enumerate(lines) if n not in inside]


def test_the_anchors_follow_github(tmp_path: Path) -> None:
    # The rule the link check relies on: lower case, punctuation dropped, spaces to -.
    path = tmp_path / "page.md"
    path.write_text(
        "# `mncost calibrate`: a profile\n```sh\n# not a heading\n```\n"
        "## A misprint in the paper's Table 1\n",
        encoding="utf-8",
    )
    assert _anchors(path) == {"mncost-calibrate-a-profile", "a-misprint-in-the-papers-table-1"}


# --- the Python API's examples ----------------------------------------------------------


def _api_doctests() -> list[doctest.DocTest]:
    # The module docstring of mncost/api.py is an overview whose calls show no output
    # (a DataFrame, a result object): not a doctest. Every function's examples are.
    finder = doctest.DocTestFinder()
    tests = finder.find(mncost.api, globs={"mncost": mncost})
    tests += finder.find(mncost, "mncost", globs={"mncost": mncost})[:1]  # the package's
    return [
        t
        for t in tests
        if t.name != "mncost.api" and any(not e.options.get(doctest.SKIP) for e in t.examples)
    ]


API_DOCTESTS = _api_doctests()


def test_the_api_has_examples_to_run() -> None:
    names = {t.name.rsplit(".", 1)[-1] for t in API_DOCTESTS}
    assert {"memory", "patch_search", "latency", "choose", "compare"} <= names


@pytest.mark.parametrize("test", API_DOCTESTS, ids=lambda t: t.name)
def test_api_examples_run_as_doctests(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    result = runner.run(test, out=report.append)
    assert result.failed == 0, "".join(report)


# --- the runner itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["a", "..."], ["a", "b", "c"], True),
        (["...", "c"], ["a", "b", "c"], True),
        (["a", "...", "c"], ["a", "c"], True),
        (["a", "...", "c", "...", "e"], ["a", "b", "c", "d", "e"], True),
        (["a", "...", "d"], ["a", "b", "c"], False),
        (["a", "..."], ["b"], False),
        (["a", "", ""], ["a"], True),  # trailing blank lines are not compared
        (["", "a"], ["a"], False),  # leading ones are
        (["...", "x", "..."], ["x", "y", "x"], True),
    ],
)
def test_elisions_skip_lines(expected: list[str], actual: list[str], ok: bool) -> None:
    assert de.matches(expected, actual) is ok


def test_regeneration_keeps_the_elisions() -> None:
    old = ["Title (19)", "head", "...", "Total 10", "...", "footer"]
    new = ["Title (20)", "head", "row", "row", "Total 12", "x", "footer"]
    assert de.regenerate(old, new) == ["Title (20)", "head", "...", "Total 12", "...", "footer"]
    assert de.regenerate(["a", "b"], ["a", "c", ""]) == ["a", "c"]
    assert de.regenerate(["a", "..."], ["a", "z"]) == ["a", "..."]  # still true: unchanged


_PAGE = """\
# A page

```console
$ mncost table --alpha 0.75 \\
    --res 160        # a comment
mobilenet-v1  alpha=0.5  160x160  1000 classes
...
$ cat > bad.yaml <<'EOF'
name: bad
EOF
$ mncost table --spec bad.yaml
mncost table: error: an old message
```

```sh
pip install .
```
"""


def test_a_page_is_checked_and_regenerated(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(_PAGE, encoding="utf-8")
    (console,) = [b for b in de.fences(_PAGE) if b.language == de.RUN]
    shown = de.commands(console)
    assert [c.text.split("#")[0].split() for c in shown] == [
        ["mncost", "table", "--alpha", "0.75", "--res", "160"],
        ["cat", ">", "bad.yaml", "<<'EOF'"],
        ["mncost", "table", "--spec", "bad.yaml"],
    ]
    assert shown[1].heredoc == "name: bad\n" and shown[1].expected == ()

    outcome = de.check(page)
    # The title is wrong (alpha=0.5), the error message is new, and the failing command
    # is not followed by `echo $?`.
    assert len(outcome.failures) == 2
    assert len(outcome.errors) == 1 and "exited with 2" in outcome.errors[0]
    de.update(outcome)
    text = page.read_text(encoding="utf-8")
    assert "mobilenet-v1  alpha=0.75  160x160  1000 classes\n...\n$ cat" in text
    assert "mncost table: error: bad.yaml: layers: missing (a required field)" in text
    assert de.check(page).failures == []


def test_an_unknown_command_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```console\n$ ls -l\n```\n", encoding="utf-8")
    outcome = de.check(page)
    assert outcome.errors and "not a command the docs test runs" in outcome.errors[0]


def test_the_folder_shows_as_home(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```console\n$ mncost table -o t.csv\n```\n", encoding="utf-8")
    outcome = de.check(page)
    assert outcome.replacements[0][2] == [f"wrote {de.HOME}/t.csv (csv)"]
