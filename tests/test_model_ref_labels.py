"""Model references as a stranger gives them (issue 15, found trying it as a new user): a
file is labelled as a file, a directory is named as one, and a file's name never stops
it from being imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.fixture
def onnx_file(tmp_path: Path) -> Path:
    pytest.importorskip("onnx")
    path = tmp_path / "mine.onnx"
    result = run_cli("export", "mobilenet-v2", "--alpha", "0.5", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    return path


def test_a_file_is_labelled_as_the_file_not_as_the_model_it_came_from(onnx_file: Path):
    # mine.onnx is mobilenet-v2 at alpha 0.5, and its graph is named mobilenet-v2: at
    # "alpha 1" it is not the built-in at 1, so the labels must tell the two apart.
    result = run_cli("compare", f"{onnx_file}@1/224", "mobilenet-v2@1/224", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert "mine.onnx@1.0/224" in result.stdout and "mobilenet-v2@1.0/224" in result.stdout
    table = run_cli("table", str(onnx_file))
    assert "mine.onnx" in table.stdout.splitlines()[0]


def test_a_directory_is_named_as_one(tmp_path: Path):
    folder = tmp_path / "adir"
    folder.mkdir()
    result = run_cli("table", str(folder))
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "'adir' is a directory" in result.stderr


def test_a_file_name_with_control_characters_imports(onnx_file: Path, tmp_path: Path):
    odd = tmp_path / "esc\x1b[31mred.onnx"
    odd.write_bytes(onnx_file.read_bytes())
    out = tmp_path / "back.yaml"
    result = run_cli("import", str(odd), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\\x1b" in text  # escaped, never raw


def test_a_bad_size_in_a_sweep_list_names_the_hxw_form():
    result = run_cli("sweep", "mobilenet-v2", "--res", "0")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "or HxW, such as 320x240" in result.stderr
