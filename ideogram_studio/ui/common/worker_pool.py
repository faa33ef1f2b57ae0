"""A thread pool for heavy image work that gives way to the GUI thread.

On two busy cores a worker decoding an 8K image at the same priority as the GUI thread takes its
share of the CPU while the window waits to repaint; the pool's threads run at a lower priority
(nice 10: Linux applies nice per thread; elsewhere the call is a no-op), so the GUI thread is
scheduled first and the work fills the time it leaves. The pool is separate from Qt's global one,
whose threads Qt itself uses (smooth scaling, QtConcurrent) and which should keep their priority.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QThreadPool

NICE = 10
THREADS = 2
_pool: QThreadPool | None = None


def lower_thread_priority() -> None:
    """Make the calling thread yield the CPU to the GUI thread."""
    with contextlib.suppress(AttributeError, OSError):  # (not on Windows; or not allowed)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


def start(job: Callable[[], None]) -> None:
    """Run ``job`` on the pool (made with the application, which waits for it when it ends)."""
    global _pool
    if _pool is None or not shiboken6.isValid(_pool):
        _pool = QThreadPool(QCoreApplication.instance())
        _pool.setMaxThreadCount(THREADS)

    def run() -> None:
        lower_thread_priority()
        job()

    _pool.start(run)
