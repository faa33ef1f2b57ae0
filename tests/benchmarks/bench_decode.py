"""Decoding image bytes off the GUI thread: how long, and how long a Python thread beside it waits.

    python tests/benchmarks/bench_decode.py            # a result, an 8K JPEG, an 8K PNG; 3 runs each

`image_decode.decode_image` reads the bytes of the studio's formats through a file in a temporary
folder with a QImageReader (the GIL is free while Qt decodes); the baseline, measured interleaved in
the same run, is Pillow's decode handed over to Qt (`_decode_with_pillow`, what decode_image did
before, and still does on a full disk). Beside each decode a Python thread ticks every 5 ms, as the
GUI thread's Python does: its longest gap is what a worker's decode would cost the GUI thread.
"""

from __future__ import annotations

import io
import os
import statistics
import threading
import time
from collections.abc import Callable

import numpy as np
from PIL import Image
from PySide6.QtGui import QGuiApplication, QImage

from ideogram_studio.ui.common.image_decode import _decode_with_pillow, decode_image

RUNS = 3


def sample(width: int, height: int, fmt: str) -> bytes:
    rng = np.random.default_rng(1)
    noise = (rng.random((height // 8, width // 8, 3)) * 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(noise).resize((width, height)).save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def timed(decode: Callable[[bytes], QImage], data: bytes) -> tuple[float, float]:
    """(ms to decode, the 5 ms heartbeat's longest gap in ms meanwhile)."""
    done = threading.Event()
    longest = [0.0]

    def beat() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            longest[0] = max(longest[0], now - last)
            last = now

    ticker = threading.Thread(target=beat)
    ticker.start()
    time.sleep(0.02)
    start = time.perf_counter()
    image = decode(data)
    took = time.perf_counter() - start
    done.set()
    ticker.join()
    if image.isNull():
        raise SystemExit("a sample did not decode")
    return took * 1000, longest[0] * 1000


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication([])
    print(f"load average {os.getloadavg()[0]:.2f}; {RUNS} runs each, interleaved; medians (worst gap)")
    cases = {"result 1024² PNG": (1024, 1024, "PNG"), "8K JPEG": (7680, 4320, "JPEG"), "8K PNG": (7680, 4320, "PNG")}
    for name, (width, height, fmt) in cases.items():
        data = sample(width, height, fmt)
        ours: list[tuple[float, float]] = []
        base: list[tuple[float, float]] = []
        for _ in range(RUNS):
            base.append(timed(_decode_with_pillow, data))
            ours.append(timed(decode_image, data))
        o_ms, b_ms = statistics.median(r[0] for r in ours), statistics.median(r[0] for r in base)
        o_gap, b_gap = max(r[1] for r in ours), max(r[1] for r in base)
        print(f"{name:17} decode_image {o_ms:6.0f} ms, gap {o_gap:4.0f} ms | Pillow baseline {b_ms:6.0f} ms, "
              f"gap {b_gap:4.0f} ms | {o_ms / b_ms:.2f}× the time")
    print(f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
