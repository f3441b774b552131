"""Writing output files safely: never half a file, never over an input, never over a device.

What ``write_atomic`` does depends on what the path names once symbolic links are followed
(a link is written *through*: the link stays, its target gets the new content):

- a new name or a regular file: the content goes to a temporary file in the same folder,
  named ``.NAME.mncost-XXXXXXXX.tmp`` so a stray one (after ``kill -9``) says whose it is,
  is flushed to disk and renamed over the name. A failure, an exception or Ctrl-C leaves
  the old file as it was and no temporary file behind. A file with several hard links is
  rewritten in place once the temporary copy is complete, so every name sees the new
  content (the one case where a failure midway can leave the file incomplete).
- anything else: a character or block device (/dev/null, /dev/full), a FIFO, or a
  process's open file under /proc (/dev/stdout, /dev/fd/N): written into directly, never
  renamed over.

No output may be a file the command reads (an *input*): that is refused before anything
is written. Paths are shown with :func:`display_path`, so a name that is not valid UTF-8
or holds control characters prints as escapes, never raw.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from mncost.text import escape_controls, quote

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

_MAX_LINKS = 40  # as the kernel's ELOOP limit
_TEMP_MARK = "mncost-"
_NAME_BYTES = 100  # of the output's name kept in a temporary file's name (NAME_MAX is 255)


class OutputError(OSError):
    """An output path that cannot be written; its message is one line for the user."""


def printable(text: str) -> str:
    """``text`` with lone surrogates shown as escapes, so it can always be encoded.

    A file name that is not valid UTF-8 reaches Python with its bad bytes as surrogates
    (b"\\xff" becomes "\\udcff"); they are shown as the byte they stand for ("\\xff").
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte (e.g. from JSON)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text safe to print: undecodable bytes as ``\\xNN``, controls escaped."""
    return escape_controls(printable(os.fsdecode(path)))


def _quoted(path: str | os.PathLike[str]) -> str:
    return quote(display_path(path))


class Target(NamedTuple):
    """Where writing a path lands."""

    path: str
    """The path with every symbolic link followed (the name itself may not exist yet)."""
    direct: bool
    """Write into it (a device, FIFO or /proc file) rather than replace it."""


def _under_proc(folder: str) -> bool:
    return folder == "/proc" or folder.startswith("/proc/")


def resolve_output(path: str | os.PathLike[str]) -> Target:
    """Follow ``path``'s symbolic links one by one to the file a write would change.

    Done by hand rather than with os.path.realpath so that a dangling link yields the
    file to create, and a link into /proc (/dev/stdout -> /proc/self/fd/1) is seen as
    such even when the process's fd 1 is itself a regular file.
    """
    shown = _quoted(path)
    try:
        current = os.path.abspath(os.fspath(path))
        for _ in range(_MAX_LINKS):
            folder, name = os.path.split(current)
            folder = os.path.realpath(folder)
            candidate = os.path.join(folder, name)
            if not name or _under_proc(folder):
                return Target(candidate, direct=bool(name))
            try:
                info = os.lstat(candidate)
            except FileNotFoundError:
                return Target(candidate, direct=False)
            if not stat.S_ISLNK(info.st_mode):
                kind = info.st_mode
                return Target(candidate, direct=not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)))
            current = os.path.join(folder, os.readlink(candidate))
    except OSError as exc:  # e.g. a "folder" that is a regular file, a search denied
        if exc.errno == errno.ENOTDIR:
            raise OutputError(f"cannot write {shown}: a part of it is not a folder") from None
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
    raise OutputError(f"cannot write {shown}: too many levels of symbolic links")


def _same_file(a: str, b: str | os.PathLike[str]) -> bool:
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def check_output(path: str | os.PathLike[str], inputs: Mapping[Path, str] | None = None) -> Target:
    """The :class:`Target` of ``path``, or OutputError saying why it cannot be written.

    ``inputs`` maps each file the command reads to the option that named it; writing
    over one of them is refused (same file after links, including a hard link to it).
    Cheap: call it before slow work, then again (through write_atomic) when writing.
    """
    shown = _quoted(path)
    target = resolve_output(path)
    if os.path.isdir(target.path) or not os.path.basename(target.path):
        raise OutputError(f"cannot write {shown}: it is a directory")
    folder = os.path.dirname(target.path)
    if not target.direct and not os.path.isdir(folder):
        raise OutputError(f"cannot write {shown}: folder {_quoted(folder)} does not exist")
    if not target.direct and not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {shown}: folder {_quoted(folder)} is not writable")
    for source, option in (inputs or {}).items():
        if _same_file(target.path, source):
            raise OutputError(
                f"cannot write {shown}: it is the file given to {option}, "
                "which this command reads; choose another output"
            )
    return target


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


Content = str | bytes | Iterable[str]
"""What a command writes: text, bytes, or text in pieces (a large CSV or JSON written as
it is rendered, so that memory holds one piece at a time, not the whole output)."""


def _encoded(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. an undecodable file name
        return printable(text).encode("utf-8")


def _pieces(content: Content) -> Iterator[bytes]:
    if isinstance(content, bytes):
        yield content
    elif isinstance(content, str):
        yield _encoded(content)
    else:
        for piece in content:
            yield _encoded(piece)


def _write_into(path: str, content: Content) -> None:
    # O_APPEND: through /proc (/dev/stdout redirected to a file) this adds to what the
    # shell's redirection holds instead of overwriting it from offset 0; devices and
    # FIFOs ignore it. No O_TRUNC, no O_CREAT: the file exists and stays what it is.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    try:
        for data in _pieces(content):
            _write_all(fd, data)
    finally:
        os.close(fd)


def _copy_in_place(path: str, source: str) -> None:
    # Same inode, so every hard link sees the new bytes; truncate only after writing.
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    try:
        size = 0
        with open(source, "rb") as written:
            while block := written.read(1 << 20):
                _write_all(fd, block)
                size += len(block)
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(path: str, content: Content) -> None:
    import tempfile  # only when a file is written: it pulls in random, shutil, ...

    folder, name = os.path.split(path)
    try:
        existing: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        existing = None
    short = os.fsdecode(os.fsencode(name)[:_NAME_BYTES])
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{short}.{_TEMP_MARK}", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            for data in _pieces(content):
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if existing is not None and existing.st_nlink > 1:
            _copy_in_place(path, tmp_name)
            return
        if existing is not None:
            os.chmod(tmp_name, existing.st_mode & 0o777)  # never set-id bits
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, path)
        tmp_name = None
    finally:
        if tmp_name is not None:  # any failure, KeyboardInterrupt included; after a copy
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def write_atomic(
    path: str | os.PathLike[str], content: Content, inputs: Mapping[Path, str] | None = None
) -> Path:
    """Write ``content`` (text as UTF-8; text in pieces as it comes) to ``path`` as the
    module docstring says.

    OutputError (one line, the path escaped) when ``path`` cannot be written or is one
    of ``inputs``; an existing regular file is then left as it was.
    """
    target = check_output(path, inputs)
    try:
        if target.direct:
            _write_into(target.path, content)
        else:
            _replace(target.path, content)
    except OSError as exc:
        raise OutputError(f"cannot write {_quoted(path)}: {exc.strerror or exc}") from None
    return Path(path)


class ClosedStream(io.TextIOBase):
    """Stands in for a standard stream that was closed when mncost started (``>&-``).

    Python sets sys.stdout to None then, and click's echo silently writes nothing to
    None; this raises on the first real write instead, so the failure is reported.
    """

    encoding = "utf-8"
    errors = "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("a text stream")  # so click sees a text stream
        if text:
            raise OSError(errno.EBADF, "it is closed")
        return 0


def guard_standard_fds() -> None:
    """Put /dev/null on any of the file descriptors 0-2 that is closed.

    Otherwise the next file mncost opens (a temporary output file) would become fd 1 or
    2, and anything written to "standard output" would land in it.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            os.set_inheritable(fd, True)


def write_stream(stream: Any, content: str | Iterable[str]) -> None:
    """Write ``content`` (text, or text in pieces) to a text stream such as sys.stdout,
    every byte or an OSError.

    A text stream over an unbuffered file (PYTHONUNBUFFERED=1, ``python -u``) drops the
    rest of a short write without a word: a pipe whose reader left gets 64 KiB, then
    nothing, and the program exits 0. So the bytes go to the stream's binary buffer in
    a loop until all are written; the next write after a short one fails with EPIPE
    (BrokenPipeError) when the reader is gone.
    """
    pieces = [content] if isinstance(content, str) else content
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a stream without bytes underneath (a test double)
        for text in pieces:
            stream.write(text)
        stream.flush()
        return
    stream.flush()  # whatever the text layer still holds goes first
    encoding = stream.encoding or "utf-8"
    for text in pieces:
        try:
            data = text.encode(encoding, stream.errors or "strict")
        except UnicodeEncodeError:  # a stream mncost could not give its ASCII fallback
            data = text.encode(encoding, "backslashreplace")
        view = memoryview(data)
        while view:
            written = buffer.write(view)
            if written is None:  # a non-blocking stream that is full: wait until it drains
                import select

                select.select([], [buffer], [])
                continue
            view = view[written:]
    buffer.flush()
