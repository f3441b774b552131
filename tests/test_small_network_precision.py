"""A small network's figures keep their precision in tables (issue 16 §5): three
significant digits, never "M params 0.02"."""

from __future__ import annotations

from tests.conftest import run_cli

# One 3x3 conv, 3 -> 8 channels, no bias: 3*3*3*8 = 216 params; a global pool; an fc
# 8 -> 10 with bias: 8*10 + 10 = 90. Total 306 params = 0.000306 M. MACs at 8x8:
# 216 * 64 = 13,824 for the conv and 80 for the fc: 13,904 = 0.0139 M.
SPEC = """name: small
resolution: 8
classes: 10
layers:
  - {kind: conv, name: c, kernel: 3, filters: 8}
  - {kind: avgpool, name: pool, size: global}
  - {kind: fc, name: fc}
"""


def test_a_tiny_networks_figures_keep_three_significant_digits(tmp_path):
    spec = tmp_path / "small.yaml"
    spec.write_text(SPEC)
    result = run_cli("sweep", str(spec), "-a", "1", "-r", "8")
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("1.0"))
    assert "0.0139" in row.split() and "0.000306" in row.split()
    # CSV stays exact.
    csv = run_cli("sweep", str(spec), "-a", "1", "-r", "8", "-f", "csv").stdout.splitlines()
    values = dict(zip(csv[0].split(","), csv[1].split(",")))
    assert values["params"] == "306" and values["mult_adds"] == "13904"
