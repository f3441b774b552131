"""Safe output files, for the presentation layer: see :mod:`mncost.files`, where the one
implementation lives (below every layer, so that analysis can write an exported model
and the command line its reports through the same atomic writer)."""

from mncost.files import (
    ClosedStream,
    Content,
    OutputError,
    Target,
    check_output,
    display_path,
    guard_standard_fds,
    printable,
    resolve_output,
    write_atomic,
    write_stream,
)

__all__ = [
    "ClosedStream",
    "Content",
    "OutputError",
    "Target",
    "check_output",
    "display_path",
    "guard_standard_fds",
    "printable",
    "resolve_output",
    "write_atomic",
    "write_stream",
]
