"""MobileNet V3 under TF-slim's width rule (issue 16 §1): an inverted residual whose
expansion follows its block's scaled input (``expanded_scale: input``, TF-slim's
expand_input_by_factor), with the widths derived by hand in the comments.
"""

from __future__ import annotations

import pytest

import mncost

# --- the spec field --------------------------------------------------------------------------


def test_expanded_scale_in_a_spec_file(tmp_path):
    from mncost.arch.load import SpecError, load_spec

    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        "name: tiny\nresolution: 32\nclasses: 10\nwidth: {rule: make_divisible}\nlayers:\n"
        "  - {kind: conv, name: stem, kernel: 3, stride: 2, filters: 16}\n"
        "  - {kind: inverted_residual, name: b, expanded: 72, filters: 24, "
        "expanded_scale: input}\n"
        "  - {kind: avgpool, name: pool}\n  - {kind: fc, name: fc}\n"
    )
    arch = load_spec(spec)
    # At 0.75 the stem is make_divisible(12) = 16, so the expansion is 16 x 72/16 = 72
    # (scaled by alpha it would be make_divisible(54) = 56).
    expand = next(layer for layer in mncost.cost(arch, "0.75").layers if layer.kind == "expand")
    assert expand.output == (16, 16, 72)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nlayers:\n  - {kind: inverted_residual, name: b, expansion: 6, filters: 24, "
        "expanded_scale: input}\n"
    )
    with pytest.raises(SpecError, match="expanded_scale"):
        load_spec(bad)
