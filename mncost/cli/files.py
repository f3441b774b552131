"""What the command line reads and writes: input files (registered, so that no output
is written over one), output files (written atomically), --format and -o, and
standard output (a closed one, a broken pipe).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from mncost.cli.process import F, UserError, silence_stdout
from mncost.present.files import (
    ClosedStream,
    OutputError,
    check_output,
    display_path,
    write_atomic,
    write_stream,
)
from mncost.present.formats import EXTENSIONS, FormatError, format_from_path
from mncost.present.formats import REPORT_FORMATS as FORMATS
from mncost.text import quote

__all__ = [
    "INPUTS_KEY",
    "InputFile",
    "OutputFile",
    "STDOUT_CLOSED",
    "check_output_path",
    "emit",
    "emit_report",
    "endings",
    "input_files",
    "output_options",
    "report_text",
    "resolve_format",
    "stdout_closed",
    "write_output",
]

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
    try:
        check_output(path, input_files())
    except OutputError as exc:
        raise UserError(str(exc)) from None


def write_output(path: Path, content: str | bytes | Iterable[str]) -> None:
    """The one way a command writes a file: atomically, never over one of its inputs."""
    try:
        write_atomic(path, content, input_files())
    except OutputError as exc:
        raise UserError(str(exc)) from None


STDOUT_CLOSED = "cannot write to standard output: it is closed"


def stdout_closed() -> bool:
    """Whether standard output was closed when mncost started (``>&-``)."""
    return sys.stdout is None or isinstance(sys.stdout, ClosedStream)


def endings(formats: tuple[str, ...]) -> str:
    """The file endings that ask for ``formats``, as help text lists them."""
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
            f"format follows its ending ({endings(formats)}) "
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


def report_text(report: Any, fmt: str, output: Path | None) -> str | Iterable[str]:
    """The text of a :class:`~mncost.present.model.Report` as :func:`emit_report` writes
    it: a terminal table laid out 120 columns wide for a file, CSV and JSON in pieces
    rendered as they are written, every other format rendered now (so that a command can
    render under its progress bar and print after it). UserError at once when standard
    output was closed and is the output."""
    from mncost.present.render import render_pieces  # lazy: --help renders no report

    if output is None and stdout_closed():  # before rendering: that asks stdout for a tty
        raise UserError(STDOUT_CLOSED)
    if fmt == "table" and output is not None:
        from mncost.present.terminal import render_terminal

        return render_terminal(report, width=120, color=False, encoding="utf-8")
    return render_pieces(report, fmt)


def emit_report(report: Any, fmt: str, output: Path | None) -> None:
    """Render a :class:`~mncost.present.model.Report` and print or write it."""
    emit(report_text(report, fmt, output), output, fmt)


def emit(text: str | Iterable[str], output: Path | None, fmt: str) -> None:
    """Print ``text`` (``output`` None), or write it to ``output`` and say so on stderr.
    ``text`` may come in pieces (a CSV or JSON rendered as it is written).

    A closed standard output or a failed write is a UserError; a reader that went away
    (BrokenPipeError) is left to MncostGroup.main, which exits 1 quietly.
    """
    if output is None:
        if stdout_closed():
            raise UserError(STDOUT_CLOSED)

        if isinstance(text, str) and not text.endswith("\n"):
            text += "\n"
        try:
            write_stream(sys.stdout, text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            silence_stdout()
            raise UserError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return

    write_output(output, text)
    click.echo(f"wrote {display_path(output.resolve())} ({fmt})", err=True)
