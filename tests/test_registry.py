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


def test_the_listing_order_does_not_depend_on_what_was_imported_first():
    # `mncost models` lists the MobileNets first, then each defs module in name order. A
    # process that imported a later module (a detector, which imports the backbone it
    # builds on) before the registry discovered the rest used to list in another order.
    import subprocess
    import sys

    code = (
        "import importlib, sys\n"
        "for m in sys.argv[1:]: importlib.import_module(m)\n"
        "from mncost.arch.registry import list_models\n"
        "print(' '.join(e.name for e in list_models()))\n"
    )

    def names(*first: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code, *first], capture_output=True, text=True, check=True
        )
        return done.stdout.split()

    fresh = names()
    assert fresh[0] == "mobilenet-v1" and len(fresh) == len(set(fresh))
    for module in ("mncost.arch.defs.vgg", "mncost.arch.defs.detection", "mncost.arch.defs.resnet"):
        assert names(module) == fresh, module
