"""Reading other tools' metadata from hostile files: time and peak memory, as ratios to reading
an ordinary file of the same size made in the same run (nothing asserted; figures printed).

    .venv/bin/python tests/benchmarks/bench_hostile_metadata.py

Each hostile file is read by `import_metadata` (what an import does); the baseline is the same
call on an AUTOMATIC1111 PNG whose pixels take as many bytes (so the file's size alone is not
what is measured). Peak memory is tracemalloc's, above what the file's bytes already take.
"""

from __future__ import annotations

import io
import json
import random
import struct
import sys
import time
import tracemalloc
import zlib
from pathlib import Path

from PIL import Image, PngImagePlugin

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ideogram_studio.gallery.foreign import import_metadata
from ideogram_studio.gallery.pngchunks import make_chunk

A1111 = "a lighthouse\nNegative prompt: blur\nSteps: 20, Sampler: Euler, CFG scale: 7, Seed: 5, Size: 64x64"


def _png(size_bytes: int, text: str | None = A1111) -> bytes:
    side = max(16, int((size_bytes / 3) ** 0.5))
    img = Image.frombytes("RGB", (side, side), random.Random(1).randbytes(side * side * 3))
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("parameters", text)
    buf = io.BytesIO()
    img.save(buf, "PNG", pnginfo=info, compress_level=0)
    return buf.getvalue()


def _insert(base: bytes, *chunks: bytes) -> bytes:
    at = base.rindex(b"IEND") - 4
    return base[:at] + b"".join(chunks) + base[at:]


def _measure(data: bytes, reps: int = 3) -> tuple[float, int]:
    best = float("inf")
    peak = 0
    for _ in range(reps):
        tracemalloc.start()
        t0 = time.perf_counter()
        import_metadata(data, filename="x", created_at="t")
        best = min(best, time.perf_counter() - t0)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return best, peak


def main() -> None:
    small = _png(64 * 64 * 3)
    cases = {
        "text chunk of 300 MB": _insert(small, make_chunk(b"tEXt", b"parameters\0" + b"a" * (300 << 20))),
        "zTXt bomb (1 GB of zeros)": _insert(
            small, make_chunk(b"zTXt", b"parameters\0\0" + zlib.compress(b"\0" * (1 << 30), 9))
        ),
        "JSON nested 1,000,000 deep": _insert(
            _png(64 * 64 * 3, None),
            make_chunk(b"tEXt", b"prompt\0" + b"[" * 1_000_000 + b"]" * 1_000_000),
            make_chunk(b"tEXt", b"workflow\0{}"),
        ),
        "ComfyUI graph with a cycle": _insert(_png(64 * 64 * 3, None), make_chunk(b"tEXt", b"prompt\0" + json.dumps(
            {str(i): {"class_type": "KSampler", "inputs": {"positive": [str((i + 1) % 500), 0], "seed": i,
                                                           "text": [str((i + 7) % 500), 0]}} for i in range(500)}
        ).encode())),
        "IHDR of 200,000 x 200,000": b"\x89PNG\r\n\x1a\n" + make_chunk(b"IHDR", struct.pack(
            ">IIBBBBB", 200_000, 200_000, 8, 6, 0, 0, 0)) + make_chunk(b"IDAT", zlib.compress(b"")) + make_chunk(
            b"IEND", b""),
    }
    print(f"{'file':32} {'bytes':>12} {'time':>9} {'x base':>7} {'peak MB':>8} {'x base':>7}")
    for name, data in cases.items():
        base = _png(len(data)) if len(data) < (64 << 20) else small  # (a 300 MB PNG of pixels: too slow)
        t_base, m_base = _measure(base)
        t, m = _measure(data)
        print(f"{name:32} {len(data):>12,} {t * 1000:>7.1f}ms {t / t_base:>7.2f} {m / 1e6:>8.1f} "
              f"{m / max(m_base, 1):>7.2f}   (baseline {len(base):,} B: {t_base * 1000:.1f} ms, {m_base / 1e6:.1f} MB)")
        note = import_metadata(data, filename="x", created_at="t")["import_note"]
        print(f"{'':32} → {note}")


if __name__ == "__main__":
    main()
