"""The image-work pool (ui/common/worker_pool.py) runs jobs off the GUI thread at a lower priority,
and Pillow's blocks are made fresh mappings (imaging/pillow_memory.py) without changing an image."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from PIL import Image

from ideogram_studio.imaging import pillow_memory
from ideogram_studio.ui.common import worker_pool


def test_a_job_runs_off_the_gui_thread_at_a_lower_priority(qtbot) -> None:
    seen: dict[str, int] = {}
    done = threading.Event()

    gui_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) if sys.platform.startswith("linux") else 0

    def job() -> None:
        seen["thread"] = threading.get_ident()
        if sys.platform.startswith("linux"):  # (nice is per thread on Linux only)
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        done.set()

    for _ in range(3):  # (the pool's threads are reused: each is lowered once, not once a job)
        done.clear()
        worker_pool.start(job)
        qtbot.waitUntil(done.is_set, timeout=10_000)
        assert seen["thread"] != threading.get_ident()
        if sys.platform.startswith("linux"):
            assert seen["nice"] == min(worker_pool.NICE_MAX, gui_nice + worker_pool.NICE)


@pytest.mark.parametrize("size", [(7680, 4320), (33, 17)])
def test_pillows_large_blocks_change_no_pixel(size: tuple[int, int]) -> None:
    pillow_memory.use_lazily_zeroed_blocks()
    from PIL import _imaging

    assert _imaging.get_block_size() >= pillow_memory.LAZY_BLOCK_BYTES
    blank = Image.new("RGB", size)
    assert blank.getextrema() == ((0, 0), (0, 0), (0, 0))  # fresh blocks are zero
    filled = Image.new("RGB", size, (10, 20, 30))
    assert filled.getextrema() == ((10, 10), (20, 20), (30, 30))
