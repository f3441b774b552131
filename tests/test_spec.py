"""Spec files: the built-in v1 as a file, custom networks, and loud, precise errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import mncost
from mncost.arch.load import SpecError, architecture_schema, load_spec, parse_spec
from mncost.arch.ops import Architecture

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_example_v1_file_is_the_builtin_model():
    from_file = load_spec(EXAMPLES / "mobilenet-v1.yaml")
    builtin = mncost.get_model("mobilenet-v1")
    assert from_file.layers == builtin.layers
    assert (from_file.resolution, from_file.classes, from_file.input_channels) == (224, 1000, 3)


def test_builtin_dw13_runs_at_stride_1():
    # Table 1 prints "Conv dw / s2" for it, but its input and the next row's input are
    # both 7x7x1024: the stride is 1 (misprint), as in the paper's own TF code.
    layer = next(item for item in mncost.get_model("mobilenet-v1").layers if item.name == "dw_13")
    assert layer.stride == 1


@pytest.mark.parametrize("name", ["tiny-cifar.yaml", "tiny-cifar.json"])
def test_custom_examples_load_and_cost(name):
    arch = load_spec(EXAMPLES / name)
    result = mncost.cost(arch)
    assert result.total.mult_adds > 0 and result.layers[0].input[:2] == (32, 32)


def test_conv_without_batch_norm_carries_a_bias():
    # tiny-cifar.json's stem: 3x3x3x16 weights = 432, plus 16 biases = 448.
    arch = load_spec(EXAMPLES / "tiny-cifar.json")
    stem = mncost.cost(arch, bn="affine").layers[0]
    assert stem.params == 3 * 3 * 3 * 16 + 16


def _spec(**layers_and_fields):
    base = {
        "name": "t",
        "resolution": 8,
        "classes": 2,
        "layers": [
            {"kind": "conv", "name": "c", "kernel": 3, "filters": 4},
            {"kind": "avgpool", "name": "p"},
            {"kind": "fc", "name": "f"},
        ],
    }
    base.update(layers_and_fields)
    return base


@pytest.mark.parametrize(
    "data,field,reason",
    [
        (
            _spec(layers=[{"kind": "conv", "name": "c", "kernel": 0, "filters": 4}]),
            "layers[0].kernel",
            "greater than 0",
        ),
        (
            _spec(layers=[{"kind": "conv", "name": "c", "kernel": 3}]),
            "layers[0].filters",
            "required",
        ),
        (_spec(layers=[{"kind": "convv", "name": "c"}]), "layers[0].kind", "unknown layer kind"),
        (_spec(layers=[{"name": "c"}]), "layers[0]", "missing field 'kind'"),
        (
            _spec(layers=[{"kind": "dw", "name": "d", "strides": 2}]),
            "layers[0].strides",
            "unknown field",
        ),
        (
            _spec(layers=[{"kind": "dw", "name": "d"}, {"kind": "dw", "name": "d"}]),
            "layers[1].name",
            "duplicate",
        ),
        (_spec(resolution=-1), "resolution", "greater than 0"),
        (_spec(colour="red"), "colour", "unknown field"),
        (_spec(layers=[]), "layers", "at least 1"),
    ],
)
def test_invalid_specs_name_the_field(data, field, reason):
    with pytest.raises(SpecError) as info:
        parse_spec(data, "net.yaml")
    message = str(info.value)
    assert message.startswith("net.yaml: ") and field in message and reason in message
    assert "\n" not in message


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match="does not exist"):
        load_spec(tmp_path / "missing.yaml")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("name: [unclosed\nlayers: {")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(bad_yaml)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"name": ')
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec(bad_json)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just a string\n")
    with pytest.raises(SpecError, match="expected a mapping"):
        load_spec(scalar)


def test_layers_are_frozen():
    layer = mncost.get_model("mobilenet-v1").layers[0]
    with pytest.raises(ValidationError):
        layer.stride = 1  # type: ignore[misc]


def test_schema_describes_every_layer_kind():
    schema = architecture_schema()
    json.dumps(schema)
    kinds = {
        d["properties"]["kind"]["const"]
        for d in schema["$defs"].values()
        if "kind" in d.get("properties", {})
    }
    assert kinds == {
        "conv",
        "dw",
        "pw",
        "avgpool",
        "maxpool",
        "fc",
        "softmax",
        "bn",
        "act",
        "scale",
        "resize",
        "block",
        "residual",
        "concat",
        "se",
        "inverted_residual",
        "aux",
        "head",
        "join",
    }
    assert Architecture.model_validate(load_spec(EXAMPLES / "tiny-cifar.yaml").model_dump())
