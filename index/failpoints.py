"""Failpoints: named places in the writer where a test can kill the process, deterministically.

``kill -9`` at a random moment proves little: the test passes whichever way the race goes,
so the crash path may never run.  Instead, a test starts a writer with
``NEWS_SEARCH_FAILPOINT=<name>``; when the writer reaches that place it records the name in
``NEWS_SEARCH_FAILPOINT_MARKER`` (a file, proof that the point was reached) and sends itself
SIGKILL — no ``finally`` block, no cleanup, exactly what a power cut or the OOM killer does.
Without the variable a failpoint costs one dictionary lookup.

Layer: a utility below the write side; imports nothing of the project.
"""

from __future__ import annotations

import os
import signal

__all__ = ["FAILPOINT_ENV", "MARKER_ENV", "failpoint"]

FAILPOINT_ENV = "NEWS_SEARCH_FAILPOINT"
MARKER_ENV = "NEWS_SEARCH_FAILPOINT_MARKER"


def failpoint(name: str) -> None:
    """Die here with SIGKILL if the environment names this failpoint."""
    if os.environ.get(FAILPOINT_ENV) != name:
        return
    marker = os.environ.get(MARKER_ENV)
    if marker:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, f"{name} {os.getpid()}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)
