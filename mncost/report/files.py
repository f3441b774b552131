"""Writing output files atomically: a file is either wholly written or left as it was."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["OutputError", "write_atomic"]


class OutputError(OSError):
    """An output path that cannot be written."""


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` through a temporary file in the same folder.

    The temporary file is renamed over ``path`` only once fully written and flushed, so a
    failure leaves any existing file untouched and no partial file behind.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a directory")
    if not folder.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")
    import tempfile  # only when a file is written: it pulls in random, shutil, ...

    data = content.encode("utf-8") if isinstance(content, str) else content
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            try:
                os.chmod(tmp_name, path.stat().st_mode & 0o777)
            except OSError:
                pass
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    return path
