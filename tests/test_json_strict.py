"""Every command's JSON is strict JSON: no NaN, no Infinity, numbers as numbers (issue 14,
item 5).

Each command that writes JSON runs here on ordinary input and on the edges that once
produced NaN or Infinity (extrapolated top-1, a profile at its largest coefficients,
counts past int64), and its output is read by a parser that refuses the non-standard
constants Python's json module would otherwise accept.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mncost.analysis.latency import MAX_COEFFICIENT, builtin_profile, profile_json
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
TINY = str(ROOT / "examples" / "tiny-cifar.yaml")


def strict_json(text: str):
    """``text`` parsed as RFC 8259 JSON: NaN, Infinity and -Infinity are errors."""

    def refuse(constant: str):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


COMMANDS = {
    "table": ["table"],
    "table-spec": ["table", "--spec", TINY],
    "table-flops": ["table", "mobilenet-v2", "--flops"],
    "models": ["models"],
    "memory": ["memory", "mobilenet-v2", "--dtype", "int8", "--dw-inplace"],
    "latency": ["latency", "mobilenet-v2", "--device", "pixel1-cpu"],
    "latency-fit": ["latency", "--device", "pixel1-cpu", "--fit-report"],
    "sweep": ["sweep", "mobilenet-v2", "--alpha", "0.35,1,1.4", "--res", "96,224"],
    "sweep-extrapolated": [
        "sweep", "mobilenet-v1", "--alpha", "0.1,16", "--res", "32,16384", "--extrapolate",
        "--device", "pixel1-cpu",
    ],
    "choose": ["choose", "--max-macs", "300M", "--device", "pixel1-cpu"],
    "choose-none": ["choose", "--max-macs", "1"],
    "compare": ["compare", "mobilenet-v1@0.75/160", "mobilenet-v2@1.0/128"],
    "compare-far": ["compare", "mobilenet-v1@0.1/32", "mobilenet-v2@16/16384"],
    "reproduce": ["reproduce"],
    "layer": ["layer", "--table3"],
    "published": ["published"],
    "verify": ["verify", "--spec", TINY],
}  # fmt: skip


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_commands_json_is_strict(name):
    result = run_cli(*COMMANDS[name], "-f", "json")
    assert result.exit_code == 0, result.stderr
    strict_json(result.stdout)
    assert "RuntimeWarning" not in result.stderr


def test_json_at_the_largest_profile_and_counts_past_int64(tmp_path):
    data = json.loads(profile_json(builtin_profile("pixel1-cpu")))
    data["terms"] = {name: MAX_COEFFICIENT for name in data["terms"]}
    device = tmp_path / "big.json"
    device.write_text(json.dumps(data))
    spec = tmp_path / "ovf.yaml"
    spec.write_text(
        "name: ovf\nresolution: 224\nclasses: 10\nlayers:\n"
        "  - {kind: conv, name: c1, kernel: 3, filters: 1048576}\n"
        "  - {kind: conv, name: c2, kernel: 3, filters: 1048576}\n"
    )
    for args in (
        ["latency", "mobilenet-v2", "-a", "16", "-r", "16384", "--device", str(device)],
        ["sweep", "--spec", str(spec), "--alpha", "1,16", "--res", "16384",
         "--device", str(device)],
        ["table", "--spec", str(spec), "-a", "16", "-r", "16384"],
        ["memory", "--spec", str(spec), "-a", "16", "-r", "16384"],
        ["choose", "--max-latency-ms", "1", "--device", str(device)],
        ["compare", "mobilenet-v2@16/16384", "mobilenet-v1", "--device", str(device)],
    ):  # fmt: skip
        result = run_cli(*args, "-f", "json")
        assert result.exit_code == 0, (args, result.stderr)
        strict_json(result.stdout)


def test_calibrates_profile_is_strict_json(tmp_path):
    lines = ["model,alpha,resolution,latency_ms"]
    lines += [
        f"mobilenet-v2,{a},{r},{a * r / 10:.3f}" for a in (0.35, 0.5, 1.0, 1.4) for r in (96, 224)
    ]
    measured = tmp_path / "m.csv"
    measured.write_text("\n".join(lines) + "\n")
    result = run_cli("calibrate", str(measured), "-o", "-")
    assert result.exit_code == 0, result.stderr
    strict_json(result.stdout)
