"""The one way mncost reads a file a stranger gave it: a regular file, of bounded size,
read without blocking or acting on it.

Spec files, device profiles, measurement CSVs and ONNX models all come through
:func:`read_bounded`. A device or a FIFO is refused from ``stat`` before it is opened
(opening one can act, or block), and ``O_NONBLOCK`` keeps a FIFO swapped in since from
blocking the open; the file is then checked again through the descriptor that was
opened. At most ``limit + 1`` bytes are read, whatever ``st_size`` says (/proc lies, and
a file can grow). Every failure is a :class:`BoundedReadError` of one line naming the
file as the caller calls it ("spec file", "ONNX file").

A leaf but for :mod:`mncost.text`.
"""

from __future__ import annotations

import os
import stat

from mncost.text import quote

__all__ = ["BoundedReadError", "read_bounded", "size_text"]


class BoundedReadError(ValueError):
    """A file that cannot be read as a bounded regular file; the message is one line."""


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def size_text(limit: int) -> str:
    """A byte limit as messages state it: "10 MiB", "1,024 KiB", "2 GiB"."""
    for power, unit in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if limit >= 2**power and limit % 2 ** (power - 4) == 0:
            return f"{limit / 2**power:,g} {unit}"
    return f"{limit:,} bytes"


def _require_regular(mode: int, what: str, shown: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    if kind == "a directory":
        raise BoundedReadError(f"{what} {shown} is a directory")
    raise BoundedReadError(f"{what} {shown} is {kind}, not a regular file")


def read_bounded(path: str | os.PathLike[str], limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; ``what`` names
    it in messages ("spec file")."""
    shown = quote(str(path))
    if "\x00" in str(path):  # os.stat would raise "embedded null byte": no file has one
        raise BoundedReadError(f"cannot read {what} {shown}: a path cannot hold a NUL")
    too_big = BoundedReadError(f"{what} {shown} is larger than {size_text(limit)}")
    try:
        _require_regular(os.stat(path).st_mode, what, shown)
        flags = (
            os.O_RDONLY
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_NOCTTY", 0)
            | getattr(os, "O_BINARY", 0)
        )
        fd = os.open(path, flags)
        with open(fd, "rb", closefd=True) as file:
            info = os.fstat(file.fileno())  # what was opened, whatever the path is now
            _require_regular(info.st_mode, what, shown)
            if info.st_size > limit:
                raise too_big
            data = file.read(limit + 1)
    except FileNotFoundError:
        raise BoundedReadError(f"{what} {shown} does not exist") from None
    except OSError as exc:
        raise BoundedReadError(f"cannot read {what} {shown}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise too_big
    return data
