"""The option sets every mncost command shares: :func:`scenario_options` (which model, at
which alpha and resolution, under which conventions; :func:`resolve_scenario` checks
them together), :func:`memory_options` (how the network runs: one Execution),
:func:`device_option` and :func:`query_options`.

The rest of the command line's toolkit lives beside it: :mod:`mncost.cli.process`
(UserError, one line and exit code 2, never a traceback), :mod:`mncost.cli.params`
(parameter types) and :mod:`mncost.cli.files` (inputs, outputs, --format and -o).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from mncost.cost.scaling import ScalingError
from mncost.errors import OnnxImportError
from mncost.limits import MAX_CLASSES, MAX_MULTIPLIER, MAX_RESOLUTION
from mncost.present.files import display_path
from mncost.text import quote

if TYPE_CHECKING:
    from mncost.analysis.models import Scenario
    from mncost.analysis.scenario import ModelRef
    from mncost.cost.scaling import Resolution

__all__ = [
    "BUDGET_OPTIONS",
    "DEVICE_HELP",
    "DTYPE_HELP",
    "SCENARIO_PARAMETERS",
    "ScenarioOptions",
    "budget_options",
    "device_option",
    "dtype_option",
    "grid_scenario_options",
    "memory_options",
    "query_options",
    "resolve_model",
    "resolve_scenario",
    "run_query",
    "scenario_options",
]

from mncost.cli.files import InputFile
from mncost.cli.params import (
    MULTIPLIER,
    RESOLUTION,
    ROUNDING_CHOICES,
    DeviceChoice,
    KeyChoice,
    ModelArgument,
    PatchGrid,
    WholeNumber,
)
from mncost.cli.process import F, UserError, user_errors

SCENARIO_PARAMETERS: tuple[str, ...] = (
    "model",
    "spec",
    "alpha",
    "resolution",
    "rho",
    "classes",
    "bn",
    "fc_bias",
    "rounding",
    "strict",
)
"""The parameters :func:`scenario_options` adds, gathered into one :class:`ScenarioOptions`."""


@dataclass(frozen=True)
class ScenarioOptions:
    """The scenario options as parsed, each valid on its own; :func:`resolve_scenario`
    checks them together."""

    model: str | None
    """MODEL: a model reference (a built-in name, a spec file, an ONNX file; None:
    mobilenet-v1 unless --spec is given)."""
    spec: Path | None
    """--spec FILE (a synonym of MODEL for a file)."""
    alpha: Fraction
    """--alpha, exact."""
    resolution: Resolution | None
    """--res: a side or HxW (None: the model's own, or --rho's)."""
    rho: Fraction | None
    """--rho, exact."""
    classes: int | None
    """--classes (None: the model's own)."""
    bn: str
    """--bn: none, affine or all."""
    fc_bias: bool
    """--fc-bias/--no-fc-bias."""
    rounding: str | None
    """--rounding (None: the model's own rule)."""
    strict: bool = False
    """--strict: an ONNX op mncost does not know is an error."""


_POINT_PARAMETERS = ("alpha", "resolution", "rho")
"""The options that pick one configuration: a grid command takes ranges instead."""


def _scenario_parameters(point: bool = True) -> list[Callable[[F], F]]:
    every = [
        click.argument("model", required=False, metavar="[MODEL]", type=ModelArgument()),
        click.option(
            "--spec",
            "spec",
            type=InputFile(),
            metavar="FILE",
            help="Your own network as a file: a YAML/JSON spec (format: `mncost schema`) "
            "or an ONNX model; the same as giving FILE as MODEL.",
        ),
        click.option(
            "--alpha",
            "-a",
            type=MULTIPLIER,
            default="1",
            show_default=True,
            help="Width multiplier, 0 < alpha <= "
            f"{MAX_MULTIPLIER}: every layer's channels scale by it.",
        ),
        click.option(
            "--res",
            "-r",
            "resolution",
            type=RESOLUTION,
            default=None,
            metavar="R|HxW",
            help=f"Input resolution in pixels, 1 to {MAX_RESOLUTION:,} per side: R for "
            "R x R, or HxW (height x width, e.g. 320x240) (default: the model's own, e.g. "
            "224; an ONNX graph's input size).",
        ),
        click.option(
            "--rho",
            type=MULTIPLIER,
            default=None,
            metavar="P",
            help=f"Resolution multiplier, 0 < P <= {MAX_MULTIPLIER}: "
            "R = round(base x P), where base is the architecture's "
            "resolution (224 for MobileNet, 299 for Inception V3, a spec's "
            "own). Not with --res.",
        ),
        click.option(
            "--classes",
            type=WholeNumber(0, MAX_CLASSES, "classes"),
            default=None,
            metavar="N",
            help=f"Classifier width, 0 to {MAX_CLASSES:,} (default: the model's); "
            "0 drops the classifier.",
        ),
        click.option(
            "--bn",
            type=click.Choice(["none", "affine", "all"]),
            default="none",
            show_default=True,
            help="Batch-norm params per channel: none (0, the paper), affine "
            "(2: gamma, beta), all (4: with running mean, variance).",
        ),
        click.option(
            "--fc-bias/--no-fc-bias",
            default=True,
            show_default=True,
            help="Count the FC layer's bias (the paper's Table 2 does not).",
        ),
        click.option(
            "--rounding",
            type=click.Choice(list(ROUNDING_CHOICES)),
            default=None,
            help="Override the model's own channel rounding under alpha: round = "
            "round(c*a) (MobileNet v1's), floor = max(int(c*a), 8) (TF-slim), "
            "make_divisible = to a multiple of 8, never 10% down (V2, V3; "
            "div8 is the same). [default: the model's own rule]",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="For an ONNX model: an op mncost does not know is an error (exit 2), "
            "not an op listed as not counted.",
        ),
    ]
    if point:
        return every
    return [every[0], every[1], *every[5:]]  # MODEL, --spec, then --classes onwards


def _scenario_decorator(func: F, point: bool) -> F:
    names = [n for n in SCENARIO_PARAMETERS if point or n not in _POINT_PARAMETERS]

    @functools.wraps(func)
    def gather(*args: Any, **kwargs: Any) -> Any:
        parsed = {name: kwargs.pop(name) for name in names}
        if not point:  # the grid gives alpha and the resolution
            parsed.update(alpha=Fraction(1), resolution=None, rho=None)
        return func(*args, scenario=ScenarioOptions(**parsed), **kwargs)

    command: Any = gather
    for parameter in reversed(_scenario_parameters(point)):  # click lists them in order
        command = parameter(command)
    return cast(F, command)


def scenario_options(func: F) -> F:
    """MODEL (or --spec FILE), --alpha, --res/--rho, --classes and the counting conventions
    (--bn, --fc-bias/--no-fc-bias, --rounding): the one set every costing command takes.

    The command receives them as one ``scenario`` argument, a :class:`ScenarioOptions`;
    :func:`resolve_scenario` turns it into the scenario to cost, or a UserError.
    """
    return _scenario_decorator(func, point=True)


def grid_scenario_options(func: F) -> F:
    """The same set without --alpha, --res and --rho, for a command that takes a grid of
    them (``mncost sweep``): its ``scenario`` has alpha 1 and the model's resolution."""
    return _scenario_decorator(func, point=False)


def resolve_model(model: str | None, spec: Path | None, strict: bool = False) -> ModelRef:
    """The model MODEL (or --spec) names, resolved (the default: mobilenet-v1);
    UserError (one line) for a name or a file that cannot be read."""
    # lazy, here and in the functions below: the spec language (pydantic) and the engine
    # load when a command runs, not when `mncost --help` loads this module
    from mncost.analysis.scenario import DEFAULT_MODEL, model_ref
    from mncost.arch.load import SpecError
    from mncost.arch.registry import UnknownModelError

    if model and spec:
        raise UserError(
            f"give a MODEL or --spec, not both (got {quote(model)} and --spec "
            f"{quote(display_path(spec))})"
        )
    reference: str | Path = spec if spec is not None else (model or DEFAULT_MODEL)
    with user_errors(SpecError, OnnxImportError, UnknownModelError):
        return model_ref(reference, strict=strict)


def resolve_scenario(options: ScenarioOptions) -> Scenario:
    """The scenario the options describe: the model (MODEL, --spec, or mobilenet-v1),
    alpha, the resolution (--res, --rho, or the model's own), classes and the
    conventions; UserError for options that do not fit together."""
    from mncost.analysis.models import Scenario
    from mncost.analysis.scenario import input_size
    from mncost.cost.conventions import BatchNormCount, Conventions

    ref = resolve_model(options.model, options.spec, options.strict)
    arch = ref.arch
    with user_errors(ScalingError):
        resolution = input_size(arch, options.resolution, options.rho, ("--res", "--rho"))
    conventions = Conventions(
        bn=cast(BatchNormCount, options.bn),  # click.Choice allows only these
        fc_bias=options.fc_bias,
        rounding=options.rounding,
    )
    return Scenario(
        arch=arch,
        alpha=options.alpha,
        resolution=arch.resolution if resolution is None else resolution,
        classes=options.classes,
        conventions=conventions,
        origin=ref.origin,
        ref=ref,
    )


def query_options(default_dataset: str | None) -> Callable[[F], F]:
    """--family (repeatable), --source and --dataset, shared by `published` and `plot`."""
    # lazy: only published and plot take these options; the CSV readers cost 10 ms
    from mncost.sources.points import DATASETS, FAMILIES

    def decorate(func: F) -> F:
        func = click.option(
            "--dataset",
            type=KeyChoice(DATASETS, "dataset"),
            default=default_dataset,
            show_default=default_dataset is not None,
            help="Only results on this dataset, each in its own metric: imagenet and "
            "stanford_dogs (Table 10) top-1; coco box mAP (Table 13, torchvision's "
            "detectors); coco_voc mIoU (torchvision's segmentation models)."
            + ("" if default_dataset else " [default: the top-1 datasets]"),
        )(func)
        func = click.option(
            "--source",
            type=KeyChoice(("paper", "checkpoints", "all"), "source"),
            default="all",
            show_default=True,
            help="paper: Tables 4-10 (Table 13 for coco); checkpoints: the released "
            "TF-slim checkpoints (torchvision's weights for coco and coco_voc).",
        )(func)
        return click.option(
            "--family",
            "families",
            type=KeyChoice(FAMILIES, "family"),
            multiple=True,
            help="Only this model family (repeat for several) [default: all].",
        )(func)

    return decorate


def run_query(families: tuple[str, ...], source: str, dataset: str | None) -> list[Any]:
    """The published points --family, --source and --dataset ask for; UserError on a bad
    value."""
    from mncost.analysis.published import PublishedQueryError, published_points

    with user_errors(PublishedQueryError):
        return published_points(source=source, families=families or None, dataset=dataset)


DTYPE_HELP = (
    "Data type of weights and activations: 4, 2 or 1 byte per value (int8 "
    "folds batch norm into the conv before it)."
)


def dtype_option(help: str = DTYPE_HELP) -> Callable[[F], F]:
    """--dtype: the bytes per value of weights and activations."""
    return click.option(
        "--dtype",
        type=click.Choice(["float32", "float16", "int8"]),
        default="float32",
        show_default=True,
        help=help,
    )


def memory_options(
    dtype_help: str = DTYPE_HELP, schedule: bool = False, search: bool = False
) -> Callable[[F], F]:
    """--dtype, --dw-inplace and --add-inplace (and with ``schedule``: --schedule,
    --split, --patches, --stream-input), the same on every command that counts bytes.

    The command receives them as one ``execution`` argument, an
    :class:`~mncost.cost.execution.Execution` (parsed as the API parses its arguments);
    options that do not fit together are a UserError. With ``search``, --split and
    --patches also take "auto" and --max-overhead caps the search; the command then
    also receives ``search``, a :class:`~mncost.analysis.schedules.PatchSearch` (or
    None), and ``execution`` holds the other choices, layer by layer.
    """
    # lazy: `mncost --version` and a command's --help do without it (2 ms)
    from mncost.cost.execution import SWITCHES

    switches = [s for s in SWITCHES if schedule or not s.patch_only]
    names = (
        ("dtype", *(s.field for s in switches))
        + (("schedule", "split", "patches") if schedule else ())
        + (("max_overhead",) if search else ())
    )

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def gather(*args: Any, **kwargs: Any) -> Any:
            from mncost.analysis.scenario import execution
            from mncost.analysis.scenario import schedule as searched

            parsed = {name: kwargs.pop(name) for name in names}
            with user_errors(ScalingError):
                if search:
                    chosen, wanted = searched(**parsed, spelled="option")
                    return func(*args, execution=chosen, search=wanted, **kwargs)
                chosen = execution(**parsed)
            return func(*args, execution=chosen, **kwargs)

        command: Any = gather
        if search:
            command = click.option(
                "--max-overhead",
                metavar="PCT",
                help="With --split auto or --patches auto: the most extra MACs "
                "(recomputed halos) a schedule may add, in percent of the network's "
                "MACs (10 or 10%).",
            )(command)
        for switch in reversed(switches):  # click lists options in decorator order
            command = click.option(switch.option, is_flag=True, help=switch.help)(command)
        if schedule:
            auto = " 'auto' tries 2x2 to 8x8." if search else ""
            command = click.option(
                "--patches",
                type=PatchGrid(auto=search),
                metavar="PxQ" + ("|auto" if search else ""),
                help="Patch schedule: the grid the split's output is cut into (4x4)." + auto,
            )(command)
            auto = " 'auto' tries every block's end." if search else ""
            command = click.option(
                "--split",
                metavar="NAME" + ("|auto" if search else ""),
                help="Patch schedule: the op or block whose output ends the patch stage "
                "(block_4: its last op)." + auto,
            )(command)
            command = click.option(
                "--schedule",
                type=click.Choice(["layer", "patch"]),
                default="layer",
                show_default=True,
                help="layer: one op at a time over whole feature maps. patch: "
                "MCUNetV2's patch-based inference (Lin et al. 2021, arXiv:2110.15352): "
                "the ops up to --split run patch by patch, recomputing the halos.",
            )(command)
        return dtype_option(dtype_help)(command)  # type: ignore[no-any-return]

    return decorate


DEVICE_HELP = (
    "Add estimated latency on a device: pixel1-cpu or a profile file made by 'mncost calibrate'."
)


BUDGET_OPTIONS: dict[str, str] = {
    "max_macs": "N",
    "max_params": "N",
    "max_weight_bytes": "BYTES",
    "max_peak_bytes": "BYTES",
    "max_latency_ms": "MS",
}
"""The budget options, in the order of :data:`mncost.analysis.choose.BUDGETS` (a test
keeps the two the same; that module is not imported here, so --help stays fast), and
each one's metavar."""


def budget_options(helps: Mapping[str, str]) -> Callable[[F], F]:
    """--max-macs, --max-params, --max-weight-bytes, --max-peak-bytes and --max-latency-ms,
    each with its help from ``helps`` (what a budget does in this command). The command
    receives them as one ``budgets`` argument, ``{option: text or None}``, the mapping
    :func:`mncost.analysis.choose.parse_budgets` reads."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def gather(*args: Any, **kwargs: Any) -> Any:
            budgets = {name: kwargs.pop(name) for name in BUDGET_OPTIONS}
            return func(*args, budgets=budgets, **kwargs)

        command: Any = gather
        for name in reversed(BUDGET_OPTIONS):
            flag = "--" + name.replace("_", "-")
            command = click.option(flag, metavar=BUDGET_OPTIONS[name], help=helps[name])(command)
        return cast(F, command)

    return decorate


def device_option(help: str = DEVICE_HELP, required: bool = False) -> Callable[[F], F]:
    """--device/-d: a built-in device profile's name or a profile file."""
    # No default at all when required: click 8.3 takes an explicit default=None as a value.
    return click.option(
        "--device",
        "-d",
        type=DeviceChoice(),
        required=required,
        metavar="NAME|FILE.json",
        help=help,
    )
