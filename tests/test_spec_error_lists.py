"""A spec's errors list every problem on the one line, and suggest the spec's field for
a name from another framework (issue 16 §5)."""

from __future__ import annotations

import pytest

from mncost.arch.load import SpecError, parse_spec


def _layers(*layers: dict) -> dict:
    return {"name": "x", "resolution": 32, "classes": 10, "layers": list(layers)}


def test_every_problem_is_listed():
    spec = _layers(
        {"kind": "conv", "name": "a", "kernel": 3, "filters": 8, "strid": 2},
        {"kind": "dw", "name": "b", "kernel": 3, "bogus": 1},
        {"kind": "fc", "units": 10},
    )
    with pytest.raises(SpecError) as info:
        parse_spec(spec, "net.yaml")
    text = str(info.value)
    assert "\n" not in text and "more problem" not in text
    assert text.startswith("net.yaml: 3 problems: ")
    assert "layers[0].strid: unknown field; did you mean 'stride'?" in text
    assert "layers[1].bogus: unknown field (a dw layer takes name, stride," in text
    assert "layers[2].name: missing" in text


@pytest.mark.parametrize(
    "layer, field, suggestion",
    [
        ({"kind": "conv", "name": "c", "kernel_size": 3, "filters": 8}, "kernel_size", "kernel"),
        ({"kind": "conv", "name": "c", "kernel": 3, "out_channels": 8}, "out_channels", "filters"),
        ({"kind": "fc", "name": "f", "out_features": 10}, "out_features", "units"),
        ({"kind": "fc", "name": "f", "filters": 10}, "filters", "units"),
        (
            {"kind": "conv", "name": "c", "kernel": 3, "filters": 8, "strides": 2},
            "strides",
            "stride",
        ),
        (
            {"kind": "dw", "name": "d", "kernel": 3, "depth_multiplier": 1},
            "depth_multiplier",
            "multiplier",
        ),
        (
            {"kind": "conv", "name": "c", "kernel": 3, "filters": 8, "activation": "relu"},
            "activation",
            "act",
        ),
    ],
)
def test_a_name_from_another_framework_gets_the_specs_field(layer, field, suggestion):
    with pytest.raises(
        SpecError, match=rf"layers\[0\]\.{field}: unknown field; did you mean '{suggestion}'\?"
    ):
        parse_spec(_layers(layer))


def test_an_input_width_is_said_to_be_unneeded():
    layer = {"kind": "conv", "name": "c", "kernel": 3, "filters": 8, "in_channels": 3}
    with pytest.raises(SpecError, match="not needed: a layer's input comes from the layer before"):
        parse_spec(_layers(layer))


def test_thousands_of_problems_stay_one_bounded_line():
    spec = _layers(*({"kind": "fc", "name": f"f{i}", "units": 1, "zz": 1} for i in range(5000)))
    with pytest.raises(SpecError) as info:
        parse_spec(spec)
    text = str(info.value)
    assert text.startswith("spec: 5,000 problems: ") and "more (fix these first)" in text
    assert len(text) < 1000


def test_a_residual_whose_paths_differ_names_the_file_and_the_block(tmp_path):
    from tests.conftest import run_cli

    spec = tmp_path / "res.yaml"
    spec.write_text(
        "name: r\nresolution: 32\nclasses: 10\nlayers:\n"
        "  - {kind: conv, name: stem, kernel: 3, filters: 16}\n"
        "  - kind: residual\n    name: block3\n    body:\n"
        "      - {kind: conv, name: c1, kernel: 3, filters: 32}\n"
        "  - {kind: fc, name: fc, units: 10}\n"
    )
    for command in ("table", "memory"):
        result = run_cli(command, str(spec))
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
        assert "res.yaml: layer 'block3.add': its inputs have different channel counts" in (
            result.stderr
        )
