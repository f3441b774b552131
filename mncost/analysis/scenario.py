"""What a question to mncost is about, read once: the model, alpha, the resolution, the
conventions, the device, the grid's axes.

Every value here may come from a stranger's script: a wrong *type* is a
:class:`TypeError` naming the argument, a wrong *value* a :class:`ValueError` (one of
mncost's: :class:`~mncost.cost.scaling.ScalingError`, :class:`~mncost.arch.load.SpecError`,
:class:`~mncost.errors.ExploreError`, :class:`~mncost.errors.LatencyError`) naming it too,
never an AttributeError from deep inside. Numbers are read as the command line reads
text: a float (numpy's too) through its shortest decimal, so ``numpy.float64(0.75)`` is
exactly 3/4. An iterable axis is read lazily and refused as soon as it passes the limit,
so an endless one (``itertools.repeat(0.5)``) cannot hang.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from mncost.arch.load import ONNX_ENDINGS, SPEC_ENDINGS
from mncost.arch.ops import Architecture
from mncost.cost.conventions import DTYPE_BYTES, Conventions
from mncost.cost.scaling import ScalingError, parse_multiplier
from mncost.errors import ExploreError
from mncost.limits import MAX_AXIS_VALUES, MAX_CLASSES, MAX_RESOLUTION
from mncost.text import quote

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


_T = TypeVar("_T")


def type_name(value: object) -> str:
    """How a wrong argument is named in a TypeError: its type, e.g. "list"."""
    return type(value).__name__


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
    from mncost.arch.registry import list_models

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
        from mncost.arch.registry import UnknownModelError, get_entry, get_model

        try:
            entry = get_entry(text)
        except UnknownModelError as exc:
            if Path(text).is_dir():
                from mncost.text import quote

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
        from mncost.arch.load import load_spec

        return ModelRef(load_spec(path), kind, text, None, f"spec file {shown}", path)
    from mncost.cost.onnx_import import load_onnx

    graph = load_onnx(path, strict=strict)
    return ModelRef(graph, kind, text, None, f"ONNX file {shown}", path)


def _display(path: Path) -> str:
    from mncost.text import shorten

    return shorten(path.name)


def model_architecture(model: object, what: str = "model") -> Model:
    """The architecture of any model reference (see :func:`model_ref`)."""
    return model_ref(model, what).arch


def registered_name(arch: object) -> str | None:
    """The registry's name for ``arch`` when it is a built-in model (None: a spec's, an
    imported graph's)."""
    from mncost.arch.registry import UnknownModelError, get_model

    if not isinstance(arch, Architecture):
        return None
    try:
        return arch.name if get_model(arch.name) is arch else None
    except UnknownModelError:
        return None


def resolution(value: object, what: str = "resolution") -> int:
    """A whole number of pixels from 1 to MAX_RESOLUTION (numpy's ints too)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, (str, numbers.Real)):  # a value of the wrong kind
            raise ScalingError(
                f"{what} must be a whole number from 1 to {MAX_RESOLUTION}, got {quote(value)}"
            )
        raise TypeError(f"{what} must be a whole number of pixels, got a {type_name(value)}")
    pixels = int(value)
    if not 1 <= pixels <= MAX_RESOLUTION:
        raise ScalingError(
            f"{what} must be a whole number from 1 to {MAX_RESOLUTION}, got {pixels}"
        )
    return pixels


def size(value: object, what: str = "resolution") -> Resolution:
    """An input size: a side (as :func:`resolution`), or (height, width) for a
    non-square input (a tuple or a list of two sides)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ScalingError(
                f"{what} must be a side or (height, width), got {len(value)} numbers"
            )
        h, w = resolution(value[0], what), resolution(value[1], what)
        return h if h == w else (h, w)
    return resolution(value, what)


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
    from mncost.cost.scaling import resolution_from_rho

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


def check_classes(value: object) -> int | None:
    """None (the model's own) or a classifier width from 0 to MAX_CLASSES."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"classes must be a whole number or None, got a {type_name(value)}")
    n = int(value)
    if not 0 <= n <= MAX_CLASSES:
        raise ScalingError(f"classes must be from 0 to {MAX_CLASSES:,}, got {n}")
    return n


def check_choice(value: object, what: str, choices: Iterable[str]) -> str:
    """One of ``choices``: TypeError for a value that is not text, ValueError else."""
    names = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be one of {', '.join(names)}, got a {type_name(value)}")
    if value not in names:
        raise ScalingError(f"{what} must be one of {', '.join(names)}, got {quote(value)}")
    return value


def check_dtype(value: object) -> str:
    """float32, float16 or int8."""
    return check_choice(value, "dtype", DTYPE_BYTES)


def check_flag(value: object, what: str) -> bool:
    """A yes or no: a bool (numpy's too), never a string that happens to be truthy."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"{what} must be True or False, got a {type_name(value)}")


def with_dtype(conventions: Conventions, dtype: object) -> Conventions:
    """``conventions`` in ``dtype`` (checked)."""
    from dataclasses import replace

    return replace(conventions, dtype=check_dtype(dtype))  # type: ignore[arg-type]


def patch_grid(value: object, what: str = "patches") -> tuple[int, int]:
    """A patch grid: "4x4" (rows x columns), "4" (square), or (rows, columns)."""
    from mncost.cost.execution import MAX_PATCHES

    if isinstance(value, str):
        text = value.strip().lower()
        parts = text.split("x") if "x" in text else [text, text]
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise ScalingError(
                f"{what} must be ROWSxCOLUMNS such as 4x4 (or one number for a square "
                f"grid), got {quote(value)}"
            )
        rows, cols = (int(p) for p in parts)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        rows, cols = value
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        rows = cols = int(value)
    else:
        raise ScalingError(f"{what} must be ROWSxCOLUMNS such as 4x4, got a {type_name(value)}")
    for n in (rows, cols):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_PATCHES:
            raise ScalingError(
                f"{what} must be 1 to {MAX_PATCHES} per side, got {quote(str(value))}"
            )
    return int(rows), int(cols)


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


MAX_OVERHEAD_PERCENT = 10_000
"""The largest --max-overhead (a schedule 100x the network's MACs is past any use)."""


def overhead_cap(value: object, what: str = "max_overhead") -> Fraction:
    """A cap on extra MACs in percent of the network's ("10", "10%", 12.5) as a share:
    a plain decimal (no exponent, at most 12 characters), 0 to 10,000."""
    if isinstance(value, bool) or not isinstance(value, (str, numbers.Real)):
        raise ScalingError(f"{what} must be a percentage such as 10, got a {type_name(value)}")
    text = value if isinstance(value, str) else repr(float(value))
    digits = text.strip().removesuffix("%").strip()
    if len(digits) > 12 or not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", digits, re.ASCII):
        raise ScalingError(
            f"{what} must be a percentage such as 10 or 12.5%, got {quote(str(value))}"
        )
    share = Fraction(digits)
    if share > MAX_OVERHEAD_PERCENT:
        raise ScalingError(
            f"{what} must be 0 to {MAX_OVERHEAD_PERCENT:,} (percent of the network's MACs), "
            f"got {quote(str(value))}"
        )
    return share / 100


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
    from mncost.analysis.latency import LatencyProfile, resolve_device

    if not isinstance(device, (str, Path, LatencyProfile)):
        raise TypeError(
            "device must be a built-in device's name (pixel1-cpu), a profile file's path "
            f"or a LatencyProfile, got a {type_name(device)}"
        )
    return resolve_device(device)


def axis(
    values: object,
    what: str,
    one: str,
    parse_text: Callable[[str], Sequence[_T]],
    parse_one: Callable[[Any, str], _T],
) -> list[_T]:
    """A grid axis (the argument ``what``, each value a ``one``): text as the command
    line reads it ("0.25:1.4:0.05", "128,160"), or an iterable of values, read lazily
    and refused past MAX_AXIS_VALUES."""
    if isinstance(values, str):
        return list(parse_text(values))
    if isinstance(values, (bytes, numbers.Number)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{what} must be a list of values or text such as 0.25:1.4:0.05, "
            f"got a {type_name(values)}"
        )
    read = list(islice(iter(values), MAX_AXIS_VALUES + 1))
    if len(read) > MAX_AXIS_VALUES:
        raise ExploreError(
            f"{what} has more than {MAX_AXIS_VALUES:,} values (the most an axis has)"
        )
    return [parse_one(v, one) for v in read]


def multiplier(value: object, what: str) -> Fraction:
    """alpha or rho, exact (see :func:`mncost.cost.scaling.parse_multiplier`): a value of
    a type no number has is a TypeError."""
    if not isinstance(value, (str, numbers.Number)):
        raise TypeError(f"{what} must be a number, got a {type_name(value)}")
    return parse_multiplier(value, what)


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
        from mncost.cost.scaling import multiplier_text, resolution_text

        # A file is named as it was given, so that the label reads back as the config.
        name = _display(self.model.path) if self.model.path is not None else self.model.label
        return f"{name}@{multiplier_text(self.alpha)}/{resolution_text(self.resolution)}"


def parse_config(text: object, *, default_model: str | None = None) -> Config:
    """``MODEL[@ALPHA[/RES]]`` read and checked (see :data:`CONFIG_SYNTAX`): the model a
    reference names, 0 < ALPHA <= 16 (default 1), RES a side or HxW (default: the
    model's own). With ``default_model``, ``ALPHA/RES`` alone names that model (``plot
    pareto --highlight 0.75/160``). ExploreError, one line, naming the part that is wrong
    (a model that cannot be read: its own error)."""
    from mncost.cost.scaling import parse_resolution

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
    from mncost.arch.load import SpecError
    from mncost.arch.registry import UnknownModelError
    from mncost.errors import OnnxImportError

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
