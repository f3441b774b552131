"""What a question to mncost is about, read once: the model, alpha, the resolution, the
conventions, how the network runs, the device, one configuration written as text.

Every value here may come from a stranger's script: a wrong *type* is a
:class:`TypeError` naming the argument, a wrong *value* a :class:`ValueError` (one of
mncost's: :class:`~mncost.cost.scaling.ScalingError`, :class:`~mncost.arch.load.SpecError`,
:class:`~mncost.errors.ExploreError`, :class:`~mncost.errors.LatencyError`) naming it too,
never an AttributeError from deep inside. The single values (numbers, sizes, axes,
flags, choices) are read by :mod:`mncost.analysis.arguments`, whose names this module
re-exports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mncost.analysis.arguments import (
    axis,
    check_choice,
    check_classes,
    check_dtype,
    check_flag,
    multiplier,
    overhead_cap,
    patch_grid,
    resolution,
    size,
    type_name,
    with_dtype,
)
from mncost.arch.load import ONNX_ENDINGS, SPEC_ENDINGS, SpecError, load_spec
from mncost.arch.ops import Architecture
from mncost.arch.registry import UnknownModelError, get_entry, get_model, list_models
from mncost.arch.width import WidthError, parse_rule
from mncost.cost.conventions import Conventions
from mncost.cost.scaling import (
    ScalingError,
    multiplier_text,
    parse_resolution,
    resolution_from_rho,
    resolution_text,
)
from mncost.errors import ExploreError, OnnxImportError
from mncost.text import quote, shorten

if TYPE_CHECKING:
    from mncost.analysis.latency import LatencyProfile
    from mncost.analysis.schedules import PatchSearch
    from mncost.cost.execution import Execution
    from mncost.cost.model import Model
    from mncost.cost.scaling import Resolution

__all__ = [
    "CONFIG_SYNTAX",
    "Config",
    "DEFAULT_MODEL",
    "MAX_CONFIG_CHARS",
    "parse_config",
    "MODEL_REF_HELP",
    "ONNX_ENDINGS",
    "SPEC_ENDINGS",
    "ModelRef",
    "model_ref",
    "registered_name",
    "axis",
    "check_classes",
    "check_choice",
    "check_dtype",
    "check_flag",
    "conventions",
    "device_profile",
    "execution",
    "schedule",
    "overhead_cap",
    "model_architecture",
    "patch_grid",
    "multiplier",
    "resolution",
    "input_size",
    "size",
    "type_name",
    "with_dtype",
]


DEFAULT_MODEL = "mobilenet-v1"
"""The model a command counts when none is named: the paper's subject."""
MODEL_REF_HELP = (
    "a built-in model's name (mncost models), a spec file (.yaml, .yml, .json) or an "
    "ONNX file (.onnx)"
)
"""What a model reference may be, as help texts and errors say it."""

RefKind = Literal["builtin", "spec", "onnx", "object"]


@dataclass(frozen=True, eq=False)
class ModelRef:
    """A model as the user named it, resolved: what to count and where it came from."""

    arch: Model
    """The architecture (a spec's, a built-in's) or the imported graph."""
    kind: RefKind
    given: str
    """The reference as given ("mobilenet-v2", "net.yaml", "mine.onnx")."""
    registered: str | None
    """The registry's name for a built-in model (None: a file's or an object's)."""
    origin: str
    """Where it came from, in words, for reports ("built-in model (Howard et al. ...)",
    "spec file net.yaml", "ONNX file mine.onnx")."""
    path: Path | None = None

    @property
    def label(self) -> str:
        """The name reports give it: the registry's name; else the architecture's, with
        the file when that is a built-in's name ("mobilenet-v2 (mine.onnx)": an exported
        graph keeps the name of what it was exported from, and must not read as the
        built-in)."""
        if self.registered:
            return self.registered
        if self.path is not None and _is_builtin_name(self.arch.name):
            return f"{self.arch.name} ({_display(self.path)})"
        return self.arch.name


def _is_builtin_name(name: str) -> bool:
    return any(entry.name == name for entry in list_models())


def _kind_of(text: str) -> RefKind:
    lower = text.lower()
    if lower.endswith(ONNX_ENDINGS):
        return "onnx"
    if lower.endswith(SPEC_ENDINGS):
        return "spec"
    return "builtin"


def model_ref(model: object, what: str = "model", *, strict: bool = False) -> ModelRef:
    """Any model reference, resolved: a built-in model's name, a spec file's path (text
    or a Path ending in .yaml, .yml or .json), an ONNX file's (.onnx), an
    :class:`Architecture` or a :class:`~mncost.cost.model.GraphModel`. ``strict``: an
    ONNX op mncost does not know is an error, not a listed op that counts nothing.

    TypeError for another type; UnknownModelError, SpecError or OnnxImportError (one
    line each) for a name or a file that cannot be read."""
    # lazy: `plot pareto` loads no graph model
    from mncost.cost.model import GraphModel

    if isinstance(model, (Architecture, GraphModel)):
        name = registered_name(model) if isinstance(model, Architecture) else None
        return ModelRef(model, "object", model.name, name, "a model given in Python")
    if isinstance(model, Path):
        text = str(model)
    elif isinstance(model, str):
        text = model
    else:
        raise TypeError(f"{what} must be {MODEL_REF_HELP}, got a {type_name(model)}")
    kind = _kind_of(text)
    if kind == "builtin":
        try:
            entry = get_entry(text)
        except UnknownModelError as exc:
            if Path(text).is_dir():
                raise UnknownModelError(
                    f"{quote(_display(Path(text)))} is a directory; give a built-in model's "
                    "name or a model file in it (.yaml, .yml, .json or .onnx)"
                ) from None
            hint = (
                " (a file needs its ending: .yaml, .yml, .json or .onnx)"
                if Path(text).is_file()
                else f"; or give {MODEL_REF_HELP.split(', ', 1)[1]}"
            )
            raise UnknownModelError(f"{exc}{hint}") from None
        return ModelRef(get_model(text), kind, text, text, f"built-in model ({entry.source})")
    path = Path(text)
    shown = _display(path)
    if kind == "spec":
        return ModelRef(load_spec(path), kind, text, None, f"spec file {shown}", path)
    from mncost.cost.onnx_import import load_onnx  # lazy: it imports onnx

    graph = load_onnx(path, strict=strict)
    return ModelRef(graph, kind, text, None, f"ONNX file {shown}", path)


def _display(path: Path) -> str:
    return shorten(path.name)


def model_architecture(model: object, what: str = "model") -> Model:
    """The architecture of any model reference (see :func:`model_ref`)."""
    return model_ref(model, what).arch


def registered_name(arch: object) -> str | None:
    """The registry's name for ``arch`` when it is a built-in model (None: a spec's, an
    imported graph's)."""
    if not isinstance(arch, Architecture):
        return None
    try:
        return arch.name if get_model(arch.name) is arch else None
    except UnknownModelError:
        return None


def input_size(
    arch: Model,
    resolution: object,
    rho: object,
    names: tuple[str, str] = ("resolution", "rho"),
) -> Resolution | None:
    """The input size a question names: ``resolution``, or ``rho`` times the model's own
    (not both; None: the model's own). ``names`` are the two as the caller spells them
    (the command line's --res and --rho). The one place this rule lives: the CLI and
    the API both ask here."""
    res_name, rho_name = names
    if resolution is not None and rho is not None:
        raise ScalingError(f"give {res_name} or {rho_name}, not both")
    if rho is not None:
        if arch.resolution is None:
            raise ScalingError(
                f"{arch.name}: the graph's input size is symbolic, so {rho_name} has no "
                f"base; give {res_name}"
            )
        factor = rho if isinstance(rho, Fraction) else multiplier(rho, "rho")
        return resolution_from_rho(factor, arch.resolution)
    if resolution is None:
        return None
    return size(resolution, res_name)


def conventions(bn: str = "none", fc_bias: bool = True, rounding: str | None = None) -> Conventions:
    """The counting conventions, checked: ``bn`` none|affine|all, ``rounding`` None (the
    model's own rule) or round|floor|make_divisible (div8 is make_divisible)."""
    check_choice(bn, "bn", ("none", "affine", "all"))
    if rounding is not None:
        if not isinstance(rounding, str):
            raise TypeError(f"rounding must be a rule's name or None, got a {type_name(rounding)}")
        try:
            parse_rule(rounding)
        except WidthError as exc:
            raise ScalingError(str(exc)) from None
    fc_bias = check_flag(fc_bias, "fc_bias")
    return Conventions(bn=bn, fc_bias=fc_bias, rounding=rounding)  # type: ignore[arg-type]


def execution(
    dtype: object = "float32",
    dw_inplace: object = False,
    add_inplace: object = False,
    schedule: object = "layer",
    split: object = None,
    patches: object = None,
    stream_input: object = False,
    **switches: object,
) -> Execution:
    """How the network runs, from untrusted values (the CLI's options and the API's
    arguments alike); ScalingError (ExecutionError) for a choice that cannot hold.
    Every on/off choice (:data:`~mncost.cost.execution.SWITCHES`) is checked as a flag;
    ``switches`` takes those without a parameter of their own."""
    # lazy: mncost.cost() loads this module and needs no execution (2 ms)
    from mncost.cost.execution import SCHEDULES, SWITCHES, Execution

    chosen = check_choice(schedule, "schedule", SCHEDULES)
    if split is not None and not isinstance(split, str):
        raise ScalingError(f"split must be an op or block name, got a {type_name(split)}")
    given = {"dw_inplace": dw_inplace, "add_inplace": add_inplace, "stream_input": stream_input}
    unknown = set(switches) - {s.field for s in SWITCHES}
    if unknown:
        raise TypeError(f"unknown execution choice {sorted(unknown)[0]!r}")
    given.update(switches)
    flags = {s.field: check_flag(given.get(s.field, False), s.field) for s in SWITCHES}
    return Execution(
        dtype=check_dtype(dtype),  # type: ignore[arg-type]
        schedule=chosen,  # type: ignore[arg-type]
        split=split,
        patches=None if patches is None else patch_grid(patches),
        **flags,
    )


def _is_auto(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == "auto"


def schedule(
    dtype: object = "float32",
    dw_inplace: object = False,
    add_inplace: object = False,
    schedule: object = "layer",
    split: object = None,
    patches: object = None,
    stream_input: object = False,
    max_overhead: object = None,
    *,
    spelled: Literal["option", "argument"] = "argument",
    **switches: object,
) -> tuple[Execution, PatchSearch | None]:
    """:func:`execution`, where ``split`` or ``patches`` may also be "auto" (as they are
    when the patch schedule leaves them out): then the execution is layer by layer with
    the other choices, and the search says what to try (``max_overhead``: a cap on
    extra MACs, in percent of the network's). ``spelled`` names it in errors as the
    command line does (``"option"``) or as the Python API does."""
    # lazy: only for a patch search
    from mncost.analysis.schedules import PatchSearch

    patch = schedule == "patch"
    auto_split = _is_auto(split) or (patch and split is None)
    auto_grid = _is_auto(patches) or (patch and patches is None)
    if not (auto_split or auto_grid):
        if max_overhead is not None:
            raise ScalingError(
                "max_overhead caps a search: it needs split or patches 'auto' "
                "(--split auto, --patches auto)"
            )
        return (
            execution(
                dtype, dw_inplace, add_inplace, schedule, split, patches, stream_input, **switches
            ),
            None,
        )
    if check_choice(schedule, "schedule", ("layer", "patch")) != "patch":
        raise ScalingError(
            "split or patches 'auto' searches patch schedules: it needs the patch "
            "schedule (--schedule patch)"
        )
    base = execution(
        dtype, dw_inplace, add_inplace, **{k: v for k, v in switches.items() if k != "stream_input"}
    )
    if not auto_split and not isinstance(split, str):
        raise ScalingError(f"split must be an op or block name, got a {type_name(split)}")
    search = PatchSearch(
        split=None if auto_split else str(split),
        patches=None if auto_grid else patch_grid(patches),
        stream_input=check_flag(stream_input, "stream_input"),
        max_overhead=None
        if max_overhead is None
        else overhead_cap(
            max_overhead, "--max-overhead" if spelled == "option" else "max_overhead"
        ),
    )
    return base, search


def device_profile(device: object) -> LatencyProfile:
    """A built-in device's name, a profile file's path (a Path, or text ending in .json),
    or a :class:`~mncost.analysis.latency.LatencyProfile`."""
    # lazy: every command loads this module; the estimators cost 50 ms
    from mncost.analysis.latency import LatencyProfile, resolve_device

    if not isinstance(device, (str, Path, LatencyProfile)):
        raise TypeError(
            "device must be a built-in device's name (pixel1-cpu), a profile file's path "
            f"or a LatencyProfile, got a {type_name(device)}"
        )
    return resolve_device(device)


# --- one configuration, written as text ------------------------------------------------

CONFIG_SYNTAX = "MODEL[@ALPHA[/RES]]"
"""How one configuration is written, in ``compare`` and ``plot pareto --highlight``:
mobilenet-v1@0.75/160, mine.onnx@0.5/320x240, net.yaml, mobilenet-v2@1.4. MODEL is any
model reference; RES a side or HxW."""
MAX_CONFIG_CHARS = 10_000
"""A configuration's text has at most this many characters (a path may be 4,096; each
part is then bounded by its own reader)."""


@dataclass(frozen=True, eq=False)
class Config:
    """A model at one (alpha, resolution), as a configuration's text names it."""

    model: ModelRef
    alpha: Fraction
    resolution: Resolution
    """The resolution given, or the model's own."""

    @property
    def label(self) -> str:
        """ "mobilenet-v1@0.75/160": the syntax it is read from."""
        # A file is named as it was given, so that the label reads back as the config.
        name = _display(self.model.path) if self.model.path is not None else self.model.label
        return f"{name}@{multiplier_text(self.alpha)}/{resolution_text(self.resolution)}"


def parse_config(text: object, *, default_model: str | None = None) -> Config:
    """``MODEL[@ALPHA[/RES]]`` read and checked (see :data:`CONFIG_SYNTAX`): the model a
    reference names, 0 < ALPHA <= 16 (default 1), RES a side or HxW (default: the
    model's own). With ``default_model``, ``ALPHA/RES`` alone names that model (``plot
    pareto --highlight 0.75/160``). ExploreError, one line, naming the part that is wrong
    (a model that cannot be read: its own error)."""
    if not isinstance(text, str):
        raise TypeError(
            f"a configuration is text such as mobilenet-v1@0.75/160, got a {type_name(text)}"
        )
    raw = text.strip()
    if len(raw) > MAX_CONFIG_CHARS:
        raise ExploreError(f"a configuration has at most {MAX_CONFIG_CHARS} characters")
    if not raw:
        raise ExploreError(f"a configuration is empty: write {CONFIG_SYNTAX}")
    reference, at, setting = raw.rpartition("@")
    if not at:
        if default_model is not None and "/" in raw and _looks_like_setting(raw):
            reference, setting = default_model, raw
        else:
            reference, setting = raw, ""
    elif not setting.strip():
        raise ExploreError(
            f"{quote(raw)}: nothing after '@'; write {CONFIG_SYNTAX}, e.g. mobilenet-v1@0.75/160"
        )
    if not reference.strip():
        if default_model is None:
            raise ExploreError(f"{quote(raw)}: no model before '@'; write {CONFIG_SYNTAX}")
        reference = default_model
    if ":" in reference and not Path(reference).suffix and default_model is not None:
        model, _, rest = reference.partition(":")
        raise ExploreError(
            f"{quote(raw)}: write {model.strip()}@{rest.strip() or 'ALPHA/RES'} "
            f"({CONFIG_SYNTAX}; the MODEL:ALPHA/RES form is gone)"
        )

    try:
        ref = model_ref(reference.strip())
    except (UnknownModelError, SpecError, OnnxImportError) as exc:
        raise ExploreError(f"{quote(raw)}: {exc}") from None
    alpha_text, slash, res_text = setting.partition("/")
    alpha = Fraction(1)
    if alpha_text.strip():
        try:
            alpha = multiplier(alpha_text.strip(), "alpha")
        except ScalingError as exc:
            raise ExploreError(f"{quote(raw)}: {exc}") from None
    resolution = ref.arch.resolution
    if slash:
        try:
            resolution = parse_resolution(res_text.strip())
        except ScalingError as exc:
            raise ExploreError(f"{quote(raw)}: {exc}") from None
    if resolution is None:
        raise ExploreError(
            f"{quote(raw)}: the graph's input size is symbolic; give it as {ref.label}@ALPHA/RES"
        )
    return Config(ref, alpha, resolution)


def _looks_like_setting(text: str) -> bool:
    """ "0.75/160" or "1/320x240": an alpha (a number) then a resolution, not a path."""
    alpha = text.partition("/")[0].strip()
    return bool(re.fullmatch(r"[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?", alpha))
