"""Gallery benchmark (run on demand, not a test): thumbnails, index open, first page, search.

    python tests/benchmarks/bench_gallery.py                  # 2,000 images, 100,000 rows
    python tests/benchmarks/bench_gallery.py --images 200 --rows 20000

Figures are printed as ratios to a baseline measured in the same run:
- thumbnailing throughput vs. bare Pillow open + decode + resize of the same files, with the
  same number of threads (target ≤ 1.3×), plus the same work in a process pool;
- opening a 100,000-row index and fetching the first page (target ≤ 1 s);
- FTS search latency, median over ~50 queries (target ≤ 50 ms);
- peak memory (ru_maxrss).
Everything happens in a temporary folder, never in the real data folder.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ideogram_studio.gallery import Gallery, ImageQuery  # noqa: E402
from ideogram_studio.gallery.pngchunks import splice_itxt  # noqa: E402
from ideogram_studio.gallery.thumbnails import encode_thumbnail, render_thumbnail  # noqa: E402
from tests.core.gallery_fixtures import WORDS, synthetic_rows  # noqa: E402


def make_png(args: tuple[int, int]) -> bytes:
    """A noise + gradient PNG, size×size, pixels varying with the seed."""
    size, seed = args
    rng = random.Random(seed)
    grad = Image.linear_gradient("L").resize((size, size))
    noise = Image.effect_noise((size, size), 30 + seed % 40)
    img = Image.merge("RGB", (grad, noise, grad.transpose(Image.Transpose.ROTATE_90)))
    patch = Image.frombytes("RGB", (64, 64), rng.randbytes(64 * 64 * 3))
    img.paste(patch, (rng.randrange(size - 64), rng.randrange(size - 64)))
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def unique_copy(png: bytes, i: int) -> bytes:
    """The same pixels as a different file (a text chunk spliced in): same decoding work."""
    return splice_itxt(png, "bench", f"copy {i}")


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bare(path: Path, size: int) -> None:
    """The baseline: what any viewer must do at least (open, decode, resize)."""
    with Image.open(path) as im:
        im.load()
        im.resize((size, size * im.height // im.width))


def ours_in_process(path_and_size: tuple[str, int]) -> int:
    path, size = path_and_size
    data, _ext = encode_thumbnail(render_thumbnail(Path(path), size))
    return len(data)


def peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / (1024 * 1024)


def bench_thumbnails(tmp: Path, n: int, size_px: int, workers: int, distinct: int, rounds: int) -> None:
    print(f"\n== Thumbnails: {n} PNGs of {size_px}×{size_px} ({distinct} distinct pictures), "
          f"{workers} worker threads, best of {rounds} rounds ==")
    t = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        bases = list(pool.map(make_png, [(size_px, i) for i in range(min(n, distinct))]))
    print(f"generated in {time.perf_counter() - t:.1f} s, {sum(map(len, bases)) / len(bases) / 1e6:.2f} MB each")
    gallery = Gallery.open(tmp / "thumbs-library", thumbnail_workers=workers)
    try:
        t = time.perf_counter()
        hashes = [gallery.store_input(unique_copy(bases[i % len(bases)], i), "image").hash for i in range(n)]
        store_s = time.perf_counter() - t
        print(f"store (full decode check + fsync'ed write + index): {n / store_s:.0f} images/s")
        del bases
        paths = [gallery.path_for(h) for h in hashes]
        for p in paths:  # same page-cache state for every contender
            p.read_bytes()
        for size in (256, 512):
            best: dict[str, float] = {}

            def run(name: str, fn: Callable[[], object], best: dict[str, float] = best) -> None:
                best[name] = min(best.get(name, float("inf")), timed(fn))

            for _ in range(rounds):  # interleaved, so a busy moment of the machine hits all alike
                shutil.rmtree(gallery.data_dir / "thumbs" / str(size), ignore_errors=True)
                run("bare serial", lambda size=size: [bare(p, size) for p in paths])  # type: ignore[misc]
                with ThreadPoolExecutor(workers) as pool:
                    run("bare threads", lambda size=size, pool=pool: list(  # type: ignore[misc]
                        pool.map(lambda p: bare(p, size), paths)))
                run("gallery", lambda size=size: [  # type: ignore[misc]
                    f.result() for f in [gallery.submit_thumbnail(h, size) for h in hashes]])
                run("cached", lambda size=size: [  # type: ignore[misc]
                    f.result() for f in [gallery.submit_thumbnail(h, size) for h in hashes]])
                with ProcessPoolExecutor(workers) as ppool:
                    run("processes", lambda size=size, ppool=ppool: list(  # type: ignore[misc]
                        ppool.map(ours_in_process, [(str(p), size) for p in paths], chunksize=16)))
            ours = best["gallery"]
            print(f"size {size}: bare Pillow serial {n / best['bare serial']:6.1f}/s | bare Pillow {workers} threads "
                  f"{n / best['bare threads']:6.1f}/s | gallery {n / ours:6.1f}/s (incl. encode + write)")
            print(f"          ratio gallery time / bare time, same threads: {ours / best['bare threads']:.2f}× "
                  f"(target ≤ 1.3×); vs bare serial {ours / best['bare serial']:.2f}×")
            print(f"          same work in {workers} processes: {n / best['processes']:6.1f}/s "
                  f"({best['processes'] / ours:.2f}× the thread pool's time) | "
                  f"cached hit (decoded to verify) {best['cached'] / n * 1000:.2f} ms each")
    finally:
        gallery.close()


def bench_index(tmp: Path, rows: int) -> None:
    print(f"\n== Index: {rows:,} rows ==")
    root = tmp / "index-library"
    g = Gallery.open(root)
    t = time.perf_counter()
    g.index.insert_many(synthetic_rows(rows))
    print(f"insert in one transaction: {time.perf_counter() - t:.1f} s")
    g.close()
    size = (root / "index.sqlite3").stat().st_size
    print(f"index file: {size / 1e6:.1f} MB")

    t = time.perf_counter()
    g = Gallery.open(root)
    opened = time.perf_counter() - t
    page = g.page(limit=200)
    first = time.perf_counter() - t
    assert len(page.rows) == 200
    print(f"open {opened * 1000:.0f} ms; open + first page of 200 rows {first * 1000:.0f} ms (target ≤ 1000 ms)")
    try:
        t = time.perf_counter()
        ids = g.ids()
        ids_s = time.perf_counter() - t
        t = time.perf_counter()
        g.rows_for(ids[50_000 % len(ids) : 50_000 % len(ids) + 200])
        rows_s = time.perf_counter() - t
        t = time.perf_counter()
        nxt = g.page(after=page.next, limit=200)
        page2 = time.perf_counter() - t
        assert nxt.rows
        t = time.perf_counter()
        g.facets()
        facets_s = time.perf_counter() - t
        t = time.perf_counter()
        g.facets(ImageQuery(text="castle"))
        facets_text = time.perf_counter() - t
        print(f"all ids ({len(ids):,}) {ids_s * 1000:.0f} ms | rows_for(200) {rows_s * 1000:.1f} ms | "
              f"next page (keyset) {page2 * 1000:.1f} ms | all facets {facets_s * 1000:.0f} ms "
              f"(with a text filter {facets_text * 1000:.0f} ms)")

        rng = random.Random(1)
        queries: list[str] = []
        for i in range(50):
            kind = i % 5
            a, b = rng.sample(WORDS, 2)
            queries.append([a, f"{a} {b}", a[:3], f'"{a} and {b}"', f"{a} #{rng.randrange(rows)}"][kind])
        search_ms: list[float] = []
        page_ms: list[float] = []
        hits = 0
        for q in queries:
            t = time.perf_counter()
            hits += len(g.search(q))
            search_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            g.page(ImageQuery(text=q), limit=200)
            page_ms.append((time.perf_counter() - t) * 1000)
        search_ms.sort()
        page_ms.sort()
        p90 = search_ms[int(0.9 * len(search_ms))]
        print(f"FTS search, all matching ids in date order ({len(queries)} queries, {hits / len(queries):,.0f} hits "
              f"on average): median {statistics.median(search_ms):.1f} ms, p90 {p90:.1f} ms,"
              f" max {search_ms[-1]:.1f} ms (target median ≤ 50 ms)")
        print(f"FTS search, first page of 200: median {statistics.median(page_ms):.1f} ms, "
              f"p90 {page_ms[int(0.9 * len(page_ms))]:.1f} ms")
        t = time.perf_counter()
        quick = g.library.index.db.quick_check()
        print(f"PRAGMA quick_check: {(time.perf_counter() - t) * 1000:.0f} ms ({'ok' if not quick else quick[:3]})")
    finally:
        g.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--size", type=int, default=1024, help="pixel size of the generated PNGs")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 2))
    ap.add_argument("--distinct", type=int, default=100, help="distinct pictures among the images (encoding "
                    "2,000 noisy PNGs would take minutes; the others are byte-different copies)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    print(f"Python {sys.version.split()[0]}, Pillow {Image.__version__}, {os.cpu_count()} CPUs")
    tmp = Path(tempfile.mkdtemp(prefix="bench-gallery-"))
    try:
        if args.images:
            bench_thumbnails(tmp, args.images, args.size, args.workers, args.distinct, args.rounds)
        if args.rows:
            bench_index(tmp, args.rows)
        print(f"\npeak memory (ru_maxrss): {peak_mb():.0f} MB")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
