"""What every mncost command shares: option sets, parameter types, and error handling.

Errors a user can cause become :class:`UserError` (exit code 2); the group turns any
click error into one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from mncost.cost.scaling import ROUNDINGS, ScalingError, parse_multiplier
from mncost.report.files import OutputError, write_atomic
from mncost.report.tabular import FORMATS

__all__ = [
    "EXTENSION_FORMATS",
    "MULTIPLIER",
    "MncostGroup",
    "UserError",
    "emit",
    "emit_report",
    "load_architecture",
    "resolve_resolution",
    "output_options",
    "resolve_format",
    "scaling_options",
    "model_options",
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
        return getattr(importlib.import_module(module_name), attribute)

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except BrokenPipeError:
            # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "mncost"
            hint = f" (see '{where} --help')" if exc.ctx is not None else ""
            click.echo(f"{where}: error: {exc.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            where = getattr(exc, "where", "mncost")
            click.echo(f"{where}: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("mncost: aborted", err=True)
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


class _Multiplier(click.ParamType):
    name = "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Fraction:
        if isinstance(value, Fraction):
            return value
        what = param.name if param is not None and param.name else "value"
        try:
            return parse_multiplier(value, what)
        except ScalingError as exc:
            self.fail(str(exc), param, ctx)


class _Count(click.ParamType):
    """A whole number with a lower bound, with an error that says what was expected."""

    def __init__(self, minimum: int, what: str) -> None:
        self.minimum, self.what = minimum, what
        self.name = "INTEGER"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip(), 10)
            except ValueError:
                self.fail(f"{self.what} must be a whole number, got {value!r}", param, ctx)
        if number < self.minimum:
            self.fail(f"{self.what} must be at least {self.minimum}, got {number}", param, ctx)
        return number


MULTIPLIER = _Multiplier()
"""A positive, finite number parsed exactly (0.75 is exactly 3/4)."""

EXTENSION_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown",
                     ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "table"}


def model_options(func: F) -> F:
    """MODEL argument (a built-in name) or --spec FILE (a YAML/JSON architecture)."""
    func = click.option("--spec", "spec", type=click.Path(dir_okay=False, path_type=Path),
                        metavar="FILE",
                        help="Cost your own architecture from a YAML/JSON spec file "
                             "(format: `mncost schema`).")(func)
    return click.argument("model", required=False, metavar="[MODEL]")(func)


def load_architecture(model: str | None, spec: Path | None) -> Any:
    """The Architecture named by MODEL or read from --spec; UserError otherwise."""
    from mncost.models.registry import UnknownModelError, get_model
    from mncost.spec.loader import SpecError, load_spec

    if model and spec:
        raise UserError(f"give a MODEL or --spec, not both (got {model!r} and --spec {spec})")
    if spec is not None:
        try:
            return load_spec(spec)
        except SpecError as exc:
            raise UserError(str(exc)) from None
    try:
        return get_model(model or "mobilenet-v1")
    except UnknownModelError as exc:
        raise UserError(f"{exc} (or pass --spec FILE)") from None


def scaling_options(func: F) -> F:
    """--alpha, --res/--rho, --classes and the counting conventions."""
    options = [
        click.option("--alpha", "-a", type=MULTIPLIER, default="1", show_default=True,
                     help="Width multiplier: every layer's channels scale by it."),
        click.option("--res", "-r", "resolution", type=_Count(1, "resolution"), default=None,
                     metavar="R", help="Input resolution in pixels (default: the model's, 224)."),
        click.option("--rho", type=MULTIPLIER, default=None, metavar="P",
                     help="Resolution multiplier: R = round(224 * P). Not with --res."),
        click.option("--classes", type=_Count(0, "classes"), default=None, metavar="N",
                     help="Classifier width (default: the model's); 0 drops the classifier."),
        click.option("--bn", type=click.Choice(["none", "affine", "all"]), default="none",
                     show_default=True,
                     help="Batch-norm params per channel: none (0, the paper), affine "
                          "(2: gamma, beta), all (4: with running mean, variance)."),
        click.option("--fc-bias/--no-fc-bias", default=True, show_default=True,
                     help="Count the FC layer's bias (the paper's Table 2 does not)."),
        click.option("--rounding", type=click.Choice(list(ROUNDINGS)), default="round",
                     show_default=True,
                     help="Channel rounding under alpha: round(c*a) (the paper's code), "
                          "floor = max(int(c*a), 8) (TF-slim), div8 (make divisible by 8)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def resolve_resolution(arch: Any, resolution: int | None, rho: Fraction | None) -> int | None:
    """--res or --rho (never both) as a resolution in pixels; None means the model's default."""
    from mncost.cost.scaling import resolution_from_rho

    if resolution is not None and rho is not None:
        raise UserError("give --res or --rho, not both")
    if rho is not None:
        try:
            return resolution_from_rho(rho, arch.resolution)
        except ScalingError as exc:
            raise UserError(str(exc)) from None
    return resolution


def output_options(formats: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """--format and -o/--output, the same on every command."""
    def decorate(func: F) -> F:
        func = click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
                            metavar="FILE",
                            help="Write to FILE (atomically) instead of the terminal; the "
                                 "format follows its ending (.csv .json .md .html .txt) "
                                 "unless --format is given.")(func)
        return click.option("--format", "-f", "fmt", type=click.Choice(list(formats)),
                            default=None,
                            help=f"Output format [default: table, or from -o's ending].")(func)
    return decorate


def resolve_format(fmt: str | None, output: Path | None, formats: tuple[str, ...] = FORMATS) -> str:
    """The explicit --format, else the one -o's ending implies, else a terminal table."""
    if fmt:
        return fmt
    if output is not None:
        guessed = EXTENSION_FORMATS.get(output.suffix.lower())
        if guessed in formats:
            return guessed
        if output.suffix:
            raise UserError(f"cannot tell the format from {output.name!r}; "
                            f"add --format ({', '.join(formats)})")
    return "table"


def emit_report(report: Any, fmt: str, output: Path | None) -> None:
    """Render a :class:`~mncost.report.tabular.Report` and print or write it."""
    from mncost.report.tabular import render

    if fmt == "table" and output is not None:
        from mncost.report.terminal import render_terminal

        text = render_terminal(report, width=120, color=False)
    else:
        text = render(report, fmt)
    emit(text, output, fmt)


def emit(text: str, output: Path | None, fmt: str) -> None:
    """Print ``text``, or write it atomically to ``output`` and say so on stderr."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        write_atomic(output, text)
    except OutputError as exc:
        raise UserError(str(exc)) from None
    click.echo(f"wrote {output} ({fmt})", err=True)
