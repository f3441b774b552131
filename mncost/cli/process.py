"""The command line as a process: errors a user can cause (:class:`UserError`, exit code
2), the group that turns every click error into one line on stderr (never a
traceback), and a reader that went away (`| head`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from mncost.present.files import ClosedStream, guard_standard_fds, printable
from mncost.text import install_fallback, shorten

__all__ = [
    "ERROR_LINE_LIMIT",
    "MncostGroup",
    "silence_stdout",
    "UserError",
    "user_errors",
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
            silence_stdout()
            sys.exit(2)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


ERROR_LINE_LIMIT = 1000
"""An error line is cut to this many characters: a message never floods the terminal."""


def _error_line(line: str) -> None:
    """Print ``line`` to stderr as one safe line: controls escaped, cut to the limit."""
    click.echo(shorten(printable(line), ERROR_LINE_LIMIT), err=True)


def silence_stdout() -> None:
    """Point fd 1 at /dev/null, so the interpreter's final flush cannot fail again: after
    a failed write, a buffered standard output still holds the bytes, and writing them
    at exit would fail once more (exit 120, an "Exception ignored" line)."""

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # a test runner's buffer, ClosedStream
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _quit_on_broken_pipe() -> None:
    """The reader (`| head`) went away: exit 1 with nothing on stderr, as Unix tools do."""
    silence_stdout()
    sys.exit(1)


@contextmanager
def user_errors(*kinds: type[Exception]) -> Iterator[None]:
    """Turn the library's own errors of ``kinds`` (bad input, one line each) into a
    UserError with the same message."""
    try:
        yield
    except kinds as exc:
        raise UserError(str(exc)) from None
