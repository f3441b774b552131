"""Every registered model is a valid spec and costs without error: the test matrix
grows by registering a model."""

from __future__ import annotations

import pytest

import mncost
from mncost.arch.ops import Architecture
from mncost.arch.registry import list_models

NAMES = [entry.name for entry in list_models()]


MIN_SIDE = {"ssd300-vgg16": 268}
"""SSD300's last two 3x3 convs are unpadded: under 268 pixels nothing is left to convolve."""


@pytest.mark.parametrize("name", NAMES)
def test_registered_model_passes_full_validation(name):
    # Built-ins are constructed without validation at run time; here they get all of it.
    model = mncost.get_model(name)
    assert Architecture.model_validate(model.model_dump()) == model
    assert Architecture.model_validate_json(model.model_dump_json()) == model


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("alpha,resolution", [("1", None), ("0.5", 128), ("0.35", 97)])
def test_registered_model_costs(name, alpha, resolution):
    if resolution is not None and name in MIN_SIDE:
        # Below its smallest side the model is refused in one line (its own tests).
        resolution = max(resolution, MIN_SIDE[name])
    result = mncost.cost(name, alpha=alpha, resolution=resolution)
    assert result.total.mult_adds > 0 and result.total.params > 0
    assert sum(layer.mult_adds for layer in result.layers) == result.total.mult_adds


def test_registry_entries_have_descriptions_and_sources():
    for entry in list_models():
        assert entry.description and entry.source and entry.name == entry.factory().name
