"""Benchmark: showing an image whose prompt is 1 MB in a word-wrapped detail label.

Run: ``python tests/benchmarks/bench_untrusted_text.py [--size 1000000] [--repeats 5]``

Contender: the label as the detail panel fills it now (`plain_label`: plain text, clipped to
LABEL_CHARS, isolated), laid out and painted. Baseline, in the same run: the same label given the
whole prompt, as it was before issue 20 (word wrap over 1 MB: the stall on selection). Also a
plain label with a 200-character text, Qt's floor for one field. Prints medians in ms and the ratio
of the contender to the floor; nothing asserts a time.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import statistics
import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from ideogram_studio.ui.common.untrusted import plain_label


def measure(app: QApplication, fill: Callable[[QLabel], None], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        host = QWidget()
        layout = QVBoxLayout(host)
        label = QLabel(host)
        label.setWordWrap(True)
        layout.addWidget(label)
        host.resize(360, 800)
        host.show()
        app.processEvents()
        start = time.perf_counter()
        fill(label)
        label.adjustSize()
        host.grab()  # layout and paint, as on screen
        times.append(time.perf_counter() - start)
        host.deleteLater()
        app.processEvents()
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    prompt = ("a fox in the snow, " * (args.size // 19 + 1))[: args.size]

    def whole(label: QLabel) -> None:
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(prompt)

    measure(app, lambda label: plain_label(label, prompt[:200]), 2)  # warm-up (fonts, first layout)
    floor = measure(app, lambda label: plain_label(label, prompt[:200]), args.repeats)
    now = measure(app, lambda label: plain_label(label, prompt), args.repeats)
    before = measure(app, whole, max(1, args.repeats // 2))
    print(f"prompt of {len(prompt):,} characters, median of {args.repeats}")
    print(f"  floor (200 characters)         {floor:9.1f} ms")
    print(f"  now (clipped, isolated)        {now:9.1f} ms   {now / floor:5.2f}× the floor")
    print(f"  before (the whole prompt)      {before:9.1f} ms   {before / floor:5.0f}× the floor")


if __name__ == "__main__":
    main()
