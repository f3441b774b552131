"""calibrate reads any model reference in its CSV (issue 15 §1, issue 17 §2): a built-in
name, or a spec or ONNX file named by its path relative to the CSV's folder, and never a
file outside that folder (the CSV is a stranger's text)."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("onnx")

import mncost  # noqa: E402
from mncost.analysis import latency as lat  # noqa: E402
from mncost.arch.registry import get_model  # noqa: E402
from mncost.cost.result import count  # noqa: E402
from tests.conftest import cli_json, run_cli  # noqa: E402

_KNOWN = (2.0e-7, 5.0e-7, 3.0e-7, 0.01)
"""A device made up here: ms per MAC, per activation byte, per weight byte, per op. The
fit must recover it, whichever way each timed model was named."""

_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _known_ms(arch, alpha: str, res: int) -> float:
    r = count(arch, Fraction(alpha), res)
    return sum(c * sum(r.metric(f)) for c, f in zip(_KNOWN, lat.features("all")))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A CSV's folder with a spec beside it and an ONNX export in a subfolder."""
    shutil.copy(_EXAMPLES / "mobilenet-v1.yaml", tmp_path / "v1.yaml")
    (tmp_path / "nets").mkdir()
    mncost.export_onnx("mobilenet-v2", tmp_path / "nets" / "v2.onnx", alpha=1, resolution=224)
    return tmp_path


def _rows(folder: Path) -> list[str]:
    v1 = mncost.load_spec(folder / "v1.yaml")
    v2 = mncost.load_onnx(folder / "nets" / "v2.onnx", nest=False)
    rows = []
    for ref, arch in (("v1.yaml", v1), ("nets/v2.onnx", v2), ("resnet-18", None)):
        arch = arch if arch is not None else get_model(ref)
        for alpha, res in (("0.5", 128), ("1.0", 160), ("0.75", 224)):
            rows.append(f"{ref},{alpha},{res},{_known_ms(arch, alpha, res)!r}")
    return rows


def test_spec_and_onnx_files_in_the_csv_are_fitted(folder, monkeypatch):
    monkeypatch.chdir(folder)
    (folder / "measured.csv").write_text(
        "model,alpha,resolution,latency_ms\n" + "\n".join(_rows(folder)) + "\n"
    )
    result = run_cli("calibrate", "measured.csv", "-o", "dev.json")
    assert result.exit_code == 0, result.stderr
    saved = json.loads((folder / "dev.json").read_text())
    assert [saved["terms"][f] for f in lat.features("all")] == pytest.approx(_KNOWN, rel=1e-6)
    assert {p["model"] for p in saved["points"]} == {"v1.yaml", "nets/v2.onnx", "resnet-18"}
    # The profile loads without reading the files again (they may have moved) ...
    (folder / "v1.yaml").unlink()
    profile = lat.load_profile(folder / "dev.json")
    assert "v1.yaml" in profile.families and "nets/v2.onnx" in profile.families
    # ... and predicts a configuration it never saw.
    data = cli_json("latency", "mobilenet-v1", "-a", "0.25", "-r", "192", "--device", "dev.json")
    expected = _known_ms(get_model("mobilenet-v1"), "0.25", 192)
    assert data["total_ms"] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "ref, message",
    [
        ("/etc/passwd.yaml", "must be a path relative to the CSV's folder"),
        ("../outside.yaml", "must be a path relative to the CSV's folder"),
        ("nets/../../outside.yaml", "must be a path relative to the CSV's folder"),
        ("link.yaml", "leads out of the CSV's folder"),
        ("missing.onnx", "does not exist"),
        ("not-a-model", "unknown model 'not-a-model'"),
    ],
)
def test_a_model_file_outside_the_csvs_folder_is_never_read(tmp_path, ref, message):
    inner = tmp_path / "inner"
    inner.mkdir()
    outside = tmp_path / "outside.yaml"
    shutil.copy(_EXAMPLES / "mobilenet-v1.yaml", outside)
    (inner / "link.yaml").symlink_to(outside)
    csv = inner / "m.csv"
    csv.write_text(f"model,alpha,resolution,latency_ms\n{ref},1.0,224,10\n")
    result = run_cli("calibrate", str(csv), "-o", str(tmp_path / "p.json"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "m.csv line 2, model:" in result.stderr and message in result.stderr
    assert not (tmp_path / "p.json").exists()


def test_csv_text_without_a_folder_names_no_files():
    with pytest.raises(lat.LatencyError, match="only in a CSV read from a file"):
        lat.parse_measurements("model,alpha,resolution,latency_ms\nv1.yaml,1,224,5\n", "text")
