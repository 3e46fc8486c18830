"""Failpoints: named places in the writer where a test can kill the process, deterministically.

``kill -9`` at a random moment proves little: the test passes whichever way the race goes,
so the crash path may never run.  Instead, a test starts a writer with
``NEWS_SEARCH_FAILPOINT=<name>``; when the writer reaches that place it records the name in
``NEWS_SEARCH_FAILPOINT_MARKER`` (a file, proof that the point was reached) and sends itself
SIGKILL — no ``finally`` block, no cleanup, exactly what a power cut or the OOM killer does.
Without the variable a failpoint costs one dictionary lookup.

A *pause point* (``NEWS_SEARCH_PAUSEPOINT=<name>``) is the gentler twin: the process records
the name in the marker file the first time it gets there and waits until ``<marker>.resume``
exists, so that a test can break something around a running process (kill a Solr node in the
middle of an indexing run) at a known moment, then let it go on.

Layer: a utility below the write side; imports nothing of the project.
"""

from __future__ import annotations

import os
import signal
import time

__all__ = ["FAILPOINT_ENV", "MARKER_ENV", "PAUSEPOINT_ENV", "failpoint", "pausepoint"]

FAILPOINT_ENV = "NEWS_SEARCH_FAILPOINT"
PAUSEPOINT_ENV = "NEWS_SEARCH_PAUSEPOINT"
MARKER_ENV = "NEWS_SEARCH_FAILPOINT_MARKER"
#: How long a pause point waits for its resume file before going on anyway.
PAUSE_LIMIT = 300.0
_paused: set[str] = set()


def failpoint(name: str) -> None:
    """Die here with SIGKILL if the environment names this failpoint."""
    if os.environ.get(FAILPOINT_ENV) != name:
        return
    _mark(name)
    os.kill(os.getpid(), signal.SIGKILL)


def pausepoint(name: str) -> None:
    """Wait here, once per process, until the test says go on (if the environment names this point)."""
    if os.environ.get(PAUSEPOINT_ENV) != name or name in _paused:
        return
    _paused.add(name)
    _mark(name)
    resume = os.environ.get(MARKER_ENV, "") + ".resume"
    deadline = time.monotonic() + PAUSE_LIMIT
    while not os.path.exists(resume) and time.monotonic() < deadline:
        time.sleep(0.05)


def _mark(name: str) -> None:
    """Record that the process reached ``name`` (the test's proof), durably."""
    marker = os.environ.get(MARKER_ENV)
    if marker:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, f"{name} {os.getpid()}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
