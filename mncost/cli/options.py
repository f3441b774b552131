"""What every mncost command shares: option sets, parameter types, and error handling.

Two option sets carry most commands: :func:`scenario_options` (which model, at which
alpha and resolution, under which conventions; :func:`resolve_scenario` checks them
together) and :func:`output_options` (--format and -o). Errors a user can cause become
:class:`UserError` (exit code 2); the group turns any click error into one line on
stderr, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from mncost.cost.scaling import ScalingError, parse_multiplier
from mncost.present.formats import REPORT_FORMATS as FORMATS

if TYPE_CHECKING:
    from mncost.analysis.models import Scenario
    from mncost.analysis.scenario import ModelRef
    from mncost.cost.scaling import Resolution

__all__ = [
    "ERROR_LINE_LIMIT",
    "InputFile",
    "KeyChoice",
    "MULTIPLIER",
    "MncostGroup",
    "OutputFile",
    "ROUNDING_CHOICES",
    "SCENARIO_PARAMETERS",
    "ScenarioOptions",
    "UserError",
    "WholeNumber",
    "check_output_path",
    "emit",
    "emit_report",
    "input_files",
    "output_options",
    "query_options",
    "resolve_format",
    "resolve_scenario",
    "run_query",
    "grid_scenario_options",
    "scenario_options",
    "stdout_closed",
    "user_errors",
    "write_output",
]

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """Bad input from the user: one line on stderr, exit code 2."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        ctx = click.get_current_context(silent=True)
        self.where = ctx.command_path if ctx is not None else "mncost"


class MncostGroup(click.Group):
    """A click group that reports every usage or input error as one line, exit code 2.

    ``lazy_commands`` maps a command name to "module:attribute"; the module is imported
    only when that command runs (or its help is shown), so start-up stays fast.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(name for name in self.lazy_commands if self._lazy_available(name))
        return sorted(names)

    def _lazy_available(self, name: str) -> bool:
        import importlib.util

        module = self.lazy_commands[name].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_commands:
            return command
        if not self._lazy_available(cmd_name):
            return None
        import importlib

        module_name, attribute = self.lazy_commands[cmd_name].split(":")
        loaded: click.Command = getattr(importlib.import_module(module_name), attribute)
        return loaded

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from mncost.present.files import ClosedStream, guard_standard_fds
        from mncost.text import install_fallback

        guard_standard_fds()
        if sys.stdout is None:  # started with stdout closed (`>&-`): fail on first write
            sys.stdout = ClosedStream()
        install_fallback(sys.stdout, sys.stderr)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            sys.stdout.flush()  # a write error at exit would escape every handler below
        except BrokenPipeError:
            _quit_on_broken_pipe()
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "mncost"
            hint = f" (see '{where} --help')" if exc.ctx is not None else ""
            _error_line(f"{where}: error: {exc.format_message()}{hint}")
            sys.exit(2)
        except click.ClickException as exc:
            where = getattr(exc, "where", "mncost")
            _error_line(f"{where}: error: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except click.Abort:
            _error_line("mncost: aborted")
            sys.exit(1)
        except OSError as exc:
            # Only standard output is written outside a handler that names the file
            # (help text, a final flush): /dev/full, a closed stdout.
            _error_line(f"mncost: error: cannot write to standard output: {exc.strerror or exc}")
            _silence_stdout()
            sys.exit(2)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


ERROR_LINE_LIMIT = 1000
"""An error line is cut to this many characters: a message never floods the terminal."""


def _error_line(line: str) -> None:
    """Print ``line`` to stderr as one safe line: controls escaped, cut to the limit."""
    from mncost.present.files import printable
    from mncost.text import shorten

    click.echo(shorten(printable(line), ERROR_LINE_LIMIT), err=True)


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null, so the interpreter's final flush cannot fail again."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # a test runner's buffer, ClosedStream
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _quit_on_broken_pipe() -> None:
    """The reader (`| head`) went away: exit 1 with nothing on stderr, as Unix tools do."""
    _silence_stdout()
    sys.exit(1)


if TYPE_CHECKING:
    ParamType = click.ParamType[Any]
else:  # click before 8.2 has no subscriptable ParamType at run time
    ParamType = click.ParamType
"""The base of mncost's click parameter types."""


class _Multiplier(ParamType):
    """alpha or rho: a number in 0 < m <= MAX_MULTIPLIER, parsed exactly and cheaply."""

    name = "NUMBER"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Fraction:
        if isinstance(value, Fraction):
            return value
        what = param.name if param is not None and param.name else "value"
        try:
            return parse_multiplier(value, what)
        except ScalingError as exc:
            self.fail(str(exc), param, ctx)


class WholeNumber(ParamType):
    """A whole number in a stated range; an error states the range it missed."""

    def __init__(self, minimum: int, maximum: int, what: str) -> None:
        self.minimum, self.maximum, self.what = minimum, maximum, what
        self.name = "INTEGER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from mncost.limits import MAX_NUMBER_CHARS
        from mncost.text import quote

        expected = f"{self.what} must be a whole number from {self.minimum:,} to {self.maximum:,}"
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            digits = text[1:] if text[:1] in ("+", "-") else text
            # ASCII digits only (int() also takes '١' and '1_0'), and short text: int()
            # refuses, or slowly converts, thousands of digits.
            if len(text) > MAX_NUMBER_CHARS or not (digits.isascii() and digits.isdigit()):
                self.fail(f"{expected}, got {quote(value)}", param, ctx)
            number = int(text, 10)
        if not self.minimum <= number <= self.maximum:
            self.fail(f"{expected}, got {quote(value)}", param, ctx)
        return number


class _Resolution(ParamType):
    """--res: a side ("224") or height x width ("320x240"), each 1 to 16,384 pixels."""

    name = "R|HxW"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from mncost.cost.scaling import parse_resolution

        try:
            return parse_resolution(value if not isinstance(value, str) else value)
        except (ScalingError, TypeError) as exc:
            self.fail(str(exc), param, ctx)


RESOLUTION = _Resolution()


class ModelArgument(ParamType):
    """MODEL: a built-in name, or a spec or ONNX file (registered as an input, so that no
    output can be written over it)."""

    name = "MODEL"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from mncost.analysis.scenario import ONNX_ENDINGS, SPEC_ENDINGS

        text = str(value)
        if text.lower().endswith((*SPEC_ENDINGS, *ONNX_ENDINGS)) and ctx is not None:
            ctx.meta.setdefault(INPUTS_KEY, {})[Path(text)] = "MODEL"
        return text


ROUNDING_CHOICES = ("round", "floor", "make_divisible", "div8")
"""--rounding's choices: the width rules of mncost.arch.width, and div8 (make_divisible)."""

MULTIPLIER = _Multiplier()
"""A positive, finite number parsed exactly (0.75 is exactly 3/4)."""


INPUTS_KEY = "mncost.inputs"
"""ctx.meta key: every file the command reads, mapped to the option that named it."""


class InputFile(click.Path):
    """A file the command reads. Registered in ``ctx.meta``, so that no output of the
    command can be written over it (see :func:`write_output`): use this type for every
    option that names a file to read."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        if ctx is not None:
            option = param.opts[0] if param is not None and param.opts else "an option"
            ctx.meta.setdefault(INPUTS_KEY, {})[Path(os.fsdecode(path))] = option
        return path


class OutputFile(click.Path):
    """A file to write; "-" means standard output and becomes None."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value == "-":
            return None
        return super().convert(value, param, ctx)


def input_files() -> dict[Path, str]:
    """The files the running command reads (registered by :class:`InputFile`)."""
    ctx = click.get_current_context(silent=True)
    return dict(ctx.meta.get(INPUTS_KEY, {})) if ctx is not None else {}


def check_output_path(path: Path) -> None:
    """UserError now, before slow work, if ``path`` could not be written later."""
    from mncost.present.files import OutputError, check_output

    try:
        check_output(path, input_files())
    except OutputError as exc:
        raise UserError(str(exc)) from None


def write_output(path: Path, content: str | bytes | Iterable[str]) -> None:
    """The one way a command writes a file: atomically, never over one of its inputs."""
    from mncost.present.files import OutputError, write_atomic

    try:
        write_atomic(path, content, input_files())
    except OutputError as exc:
        raise UserError(str(exc)) from None


STDOUT_CLOSED = "cannot write to standard output: it is closed"


def stdout_closed() -> bool:
    """Whether standard output was closed when mncost started (``>&-``)."""
    from mncost.present.files import ClosedStream

    return sys.stdout is None or isinstance(sys.stdout, ClosedStream)


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
    from mncost.limits import MAX_CLASSES, MAX_MULTIPLIER, MAX_RESOLUTION

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
    from mncost.analysis.scenario import DEFAULT_MODEL, model_ref
    from mncost.arch.load import SpecError
    from mncost.arch.registry import UnknownModelError
    from mncost.errors import OnnxImportError
    from mncost.present.files import display_path
    from mncost.text import quote

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


@contextmanager
def user_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Turn the library's own errors of ``kinds`` (bad input, one line each) into a
    UserError with the same message."""
    try:
        yield
    except kinds as exc:
        raise UserError(str(exc)) from None


class KeyChoice(ParamType):
    """A choice read forgivingly: case and - vs _ do not matter (mobilenet-v1 = mobilenet_v1)."""

    name = "KEY"

    def __init__(self, choices: Iterable[str], what: str) -> None:
        self.choices, self.what = tuple(choices), what

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.choices) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        if key not in self.choices:
            self.fail(
                f"unknown {self.what} {value!r}; choose from {', '.join(self.choices)}", param, ctx
            )
        return key


def query_options(default_dataset: str | None) -> Callable[[F], F]:
    """--family (repeatable), --source and --dataset, shared by `published` and `plot`."""
    from mncost.sources.points import DATASETS, FAMILIES

    def decorate(func: F) -> F:
        func = click.option(
            "--dataset",
            type=KeyChoice(DATASETS, "dataset"),
            default=default_dataset,
            show_default=default_dataset is not None,
            help="Only results on this dataset (Table 10 is Stanford Dogs; the rest "
            "ImageNet)." + ("" if default_dataset else " [default: all]"),
        )(func)
        func = click.option(
            "--source",
            type=KeyChoice(("paper", "checkpoints", "all"), "source"),
            default="all",
            show_default=True,
            help="paper: Tables 4-10; checkpoints: the released TF-slim checkpoints.",
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


class DeviceChoice(ParamType):
    """A built-in device's name, or a profile file (registered as an input, so that no
    output can be written over it)."""

    name = "DEVICE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | Path:
        from mncost.analysis.latency import BUILTIN_DEVICES
        from mncost.text import quote

        if isinstance(value, Path):
            return value
        text = str(value)
        if text in BUILTIN_DEVICES:
            return text
        if text.lower().endswith(".json") or "/" in text or os.sep in text or os.path.lexists(text):
            return InputFile().convert(text, param, ctx)  # type: ignore[no-any-return]
        self.fail(
            f"unknown device {quote(text)}; built-in devices: "
            f"{', '.join(BUILTIN_DEVICES)}, or a profile file (.json) made by "
            "'mncost calibrate'",
            param,
            ctx,
        )


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


class PatchGrid(ParamType):
    """--patches: ROWSxCOLUMNS (4x4), or one number for a square grid (or, where the
    command searches, "auto")."""

    name = "PxQ"

    def __init__(self, auto: bool = False) -> None:
        self.auto = auto

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from mncost.analysis.scenario import patch_grid

        if isinstance(value, tuple):
            return value
        if self.auto and str(value).strip().lower() == "auto":
            return "auto"
        try:
            return patch_grid(str(value), "--patches")
        except ScalingError as exc:
            self.fail(str(exc).removeprefix("--patches "), param, ctx)


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


def _endings(formats: tuple[str, ...]) -> str:
    """The file endings that ask for ``formats``, as help text lists them."""
    from mncost.present.formats import EXTENSIONS

    return " ".join(
        e for e, f in EXTENSIONS.items() if f in formats and e not in (".htm", ".markdown")
    )


def output_options(formats: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """--format and -o/--output, the same on every command."""

    def decorate(func: F) -> F:
        func = click.option(
            "--output",
            "-o",
            type=OutputFile(),
            default=None,
            metavar="FILE",
            help="Write to FILE (atomically) instead of the terminal; the "
            f"format follows its ending ({_endings(formats)}) "
            "unless --format is given. '-' is standard output.",
        )(func)
        return click.option(
            "--format",
            "-f",
            "fmt",
            type=click.Choice(list(formats)),
            default=None,
            help="Output format [default: table, or from -o's ending].",
        )(func)

    return decorate


def resolve_format(fmt: str | None, output: Path | None, formats: tuple[str, ...] = FORMATS) -> str:
    """The explicit --format, else the one -o's ending implies, else a terminal table.

    An -o that cannot be written (or is a file the command reads) is refused here, so
    before the command does any work.
    """
    chosen = fmt
    if not chosen and output is not None:
        from mncost.present.files import display_path
        from mncost.present.formats import FormatError, format_from_path
        from mncost.text import quote

        name = quote(display_path(output.name))
        try:
            chosen = format_from_path(output, formats)
        except FormatError as exc:
            raise UserError(
                f"cannot tell the format from {name}: {exc}, or add --format ({', '.join(formats)})"
            ) from None
        if chosen is None:
            raise UserError(
                f"cannot tell the format of {name}: it has no file ending; "
                f"add --format ({', '.join(formats)})"
            )
    if output is not None:
        check_output_path(output)
    return chosen or "table"


def emit_report(report: Any, fmt: str, output: Path | None) -> None:
    """Render a :class:`~mncost.present.model.Report` and print or write it."""
    from mncost.present.render import render_pieces

    if output is None and stdout_closed():  # before rendering: that asks stdout for a tty
        raise UserError(STDOUT_CLOSED)
    if fmt == "table" and output is not None:
        from mncost.present.terminal import render_terminal

        text: str | Iterable[str] = render_terminal(
            report, width=120, color=False, encoding="utf-8"
        )
    else:
        text = render_pieces(report, fmt)
    emit(text, output, fmt)


def emit(text: str | Iterable[str], output: Path | None, fmt: str) -> None:
    """Print ``text`` (``output`` None), or write it to ``output`` and say so on stderr.
    ``text`` may come in pieces (a CSV or JSON rendered as it is written).

    A closed standard output or a failed write is a UserError; a reader that went away
    (BrokenPipeError) is left to MncostGroup.main, which exits 1 quietly.
    """
    if output is None:
        if stdout_closed():
            raise UserError(STDOUT_CLOSED)
        from mncost.present.files import write_stream

        if isinstance(text, str) and not text.endswith("\n"):
            text += "\n"
        try:
            write_stream(sys.stdout, text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise UserError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return
    from mncost.present.files import display_path

    write_output(output, text)
    click.echo(f"wrote {display_path(output.resolve())} ({fmt})", err=True)
