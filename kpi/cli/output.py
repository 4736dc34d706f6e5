"""Where a command writes a file, the Unix way (``kpi export -o``).

:func:`write_output` ``(target, write) -> Written``:

- ``-`` is standard output (the bytes only; the command's message then goes to standard error);
- a path that is not a regular file (a pipe made with ``mkfifo``, a device, ``/dev/stdout`` and
  the other ``/dev`` and ``/proc`` entries) is opened and written in place, never replaced: run
  as root, renaming over ``/dev/stdout`` would put a regular file where the device was;
- a regular file (or a new path) is written atomically: to ``NAME.partial`` beside it (beside
  the target of a symbolic link, which stays a link), then renamed over it, so that a reader
  never sees half a file and a failure leaves the earlier file as it was.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

STDOUT = "-"
_IN_PLACE_ROOTS = (Path("/dev"), Path("/proc"))


@dataclass(frozen=True)
class Written:
    name: str  # what the message names: the path, or "-"
    to_stdout: bool  # the bytes went to standard output: messages go to standard error
    in_place: bool  # written into an existing non-regular file (a pipe, a device)


def _in_place(path: Path) -> bool:
    """A path to write into as it is: it exists and is not a regular file, or it lies under
    /dev or /proc (``/dev/stdout`` resolves to whatever standard output is)."""
    try:
        mode = os.stat(path).st_mode  # follows symbolic links
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode):
        return True
    resolved = path.resolve()
    return any(
        path.absolute().is_relative_to(root) or resolved.is_relative_to(root)
        for root in _IN_PLACE_ROOTS
    )


def write_output(target: str, write: Callable[[IO[bytes]], None]) -> Written:
    """Write what ``write`` produces to ``target`` (see the module doc). OSError when the
    target cannot be written; then a regular file is left as it was."""
    if target == STDOUT:
        buffer = io.BytesIO()  # writers may seek (xlsx, parquet); a pipe cannot
        write(buffer)
        out = sys.stdout.buffer
        out.write(buffer.getvalue())
        out.flush()
        return Written(STDOUT, True, False)
    path = Path(target)
    if _in_place(path):
        buffer = io.BytesIO()
        write(buffer)
        if _is_stdout(path):
            # /dev/stdout and the like: through the descriptor the shell gave, so that a
            # redirection with >> appends rather than truncates
            sys.stdout.buffer.write(buffer.getvalue())
            sys.stdout.buffer.flush()
            return Written(str(path), True, True)
        with open(path, "wb") as fh:  # a FIFO waits here for its reader
            fh.write(buffer.getvalue())
        return Written(str(path), False, True)
    final = path.resolve() if path.is_symlink() else path
    partial = final.with_name(final.name + ".partial")
    try:
        with partial.open("wb") as fh:
            write(fh)
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Written(str(path), False, False)


def _is_stdout(path: Path) -> bool:
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, io.UnsupportedOperation):
        return False
