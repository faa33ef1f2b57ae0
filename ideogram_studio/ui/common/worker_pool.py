"""A thread pool for heavy image work that gives way to the GUI thread.

On two busy cores a worker decoding an 8K image at the GUI thread's priority takes its share of the
CPU while the window waits to repaint; the pool's threads run NICE steps lower (Linux applies nice
per thread; elsewhere the call is a no-op), so the GUI thread wins a contended core. Only a little
lower: at +10, on a machine loaded by other processes (load 3.5 on 2 cores), an 8K source took 5-10 s
instead of ~1 s to arrive, and a starved worker that held the GIL through a C call stalled the GUI
thread behind it. The pool is separate from Qt's global one, whose threads Qt itself uses (smooth
scaling, threaded conversions: a call waiting for them holds the GIL meanwhile).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QThreadPool

NICE = 5
NICE_MAX = 19
THREADS = 2
_pool: QThreadPool | None = None
#: The native ids of the threads already lowered.
_lowered: set[int] = set()


def lower_thread_priority() -> None:
    """Make the calling thread yield the CPU to the GUI thread: NICE steps below the priority it was
    started with (the GUI thread's, or the whole studio's when it was started with nice)."""
    thread = threading.get_native_id()
    if thread in _lowered:  # (the pool's threads never expire: an id is never a new thread's)
        return
    _lowered.add(thread)
    with contextlib.suppress(AttributeError, OSError):  # (not on Windows; or not allowed)
        started = os.getpriority(os.PRIO_PROCESS, thread)
        if started < NICE_MAX:
            os.setpriority(os.PRIO_PROCESS, thread, min(NICE_MAX, started + NICE))


def start(job: Callable[[], None]) -> None:
    """Run ``job`` on the pool (made with the application, which waits for it when it ends)."""
    global _pool
    if _pool is None or not shiboken6.isValid(_pool):
        _pool = QThreadPool(QCoreApplication.instance())
        _pool.setMaxThreadCount(THREADS)
        _pool.setExpiryTimeout(-1)  # two threads kept for the studio's life, lowered once each

    def run() -> None:
        lower_thread_priority()
        job()

    _pool.start(run)
