"""Designer's-day benchmark (run on demand, not a test): the prompt library and batch sheets.

    python tests/benchmarks/bench_designer_day.py                 # 100,000 prompts, 1,000-row sheet
    python tests/benchmarks/bench_designer_day.py --prompts 20000 --rows 200

Each figure beside a baseline measured in the same run:
- prompt library search over N kept prompts, median over typed prefixes of real words
  (target ≤ 50 ms), vs. a bare SQL LIKE query over the same table in the same file;
- a 1,000-row sheet: validated, priced from the service's quotes (the sandbox's dry run, one per
  price group, as the studio does) and enqueued into a JobQueue backed by the sandbox
  (target ≤ 2 s), vs. reading the same sheet with the csv module alone.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ideogram_studio.batch.plan import from_sheet  # noqa: E402
from ideogram_studio.batch.sheet import read_sheet  # noqa: E402
from ideogram_studio.gallery.prompt_library import PromptLibrary  # noqa: E402

WORDS = (
    "lighthouse", "harbour", "dusk", "poster", "risograph", "neon", "coffee", "mug", "brand", "hero", "flat",
    "vector", "watercolor", "city", "night", "fog", "mountain", "sunrise", "product", "shot", "studio",
    "light", "minimal", "bold", "typography", "vintage", "travel", "label", "botanical",
)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_prompts(count: int, folder: Path) -> None:
    rng = random.Random(7)
    lib = PromptLibrary(folder)
    t0 = time.perf_counter()
    lib.record_many([
        (" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))) + f" #{i}", "generate", "ideogram-3",
         f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z")
        for i in range(count)
    ])
    print(f"prompt library: {count:,} prompts recorded in {time.perf_counter() - t0:.1f} s")
    queries = [w[:n] for w in WORDS for n in (2, 3, 5)] + ["studio light", "vintage travel"]
    ours, bare = [], []
    conn = sqlite3.connect(lib.path)
    for q in queries:
        t = time.perf_counter()
        lib.search(q, limit=50)
        ours.append(time.perf_counter() - t)
        if "-v" in sys.argv:
            print(f"  {q!r}: {ours[-1] * 1000:.1f} ms")
        t = time.perf_counter()
        conn.execute(
            "SELECT * FROM prompts WHERE text LIKE ? ORDER BY last_used DESC LIMIT 50", (f"%{q}%",)
        ).fetchall()
        bare.append(time.perf_counter() - t)
    conn.close()
    lib.close()
    m, b = _median_ms(ours), _median_ms(bare)
    print(f"prompt search: median {m:.1f} ms (p90 {sorted(ours)[int(len(ours) * .9)] * 1000:.1f} ms), "
          f"bare LIKE median {b:.1f} ms, ratio {m / b:.2f}x — target ≤ 50 ms: {'MET' if m <= 50 else 'MISSED'}")


async def _sheet_to_queue(path: Path, folder: Path) -> tuple[float, float, str, int]:
    """Set up a queue on a fresh library (not timed), then time what the designer waits for:
    read + validate the sheet, plan and price it, journal and queue every request."""
    from ideogram_studio.api.client import IdeogramClient
    from ideogram_studio.batch.pricing import local_price, quote_plan
    from ideogram_studio.gallery import Gallery
    from ideogram_studio.jobs import JobQueue
    from ideogram_studio.jobs.gallery_store import GalleryJobStore
    from ideogram_studio.sandbox import SANDBOX_API_KEY, create_app, sandbox_transport

    gallery = await asyncio.to_thread(Gallery.open, folder / "lib")
    client = IdeogramClient(api_key=SANDBOX_API_KEY, transport=sandbox_transport(create_app()))
    queue = JobQueue(client, GalleryJobStore(gallery))
    queue.capacity = 0  # hold the queue: the figure is validation + pricing + journalling, nothing sent
    t0 = time.perf_counter()
    sheet = await asyncio.to_thread(read_sheet, path)
    plan = from_sheet("bench", sheet)
    # Priced as the studio prices it: the service's quote (the sandbox's dry run), one per price group.
    quote = await quote_plan(plan, client.v2.quote_or_estimate, local_price)
    t_plan = time.perf_counter() - t0
    jobs = await queue.submit_many([(item.request, item.tags("bench")) for item in plan.items])
    t_all = time.perf_counter() - t0
    await queue.aclose()
    await client.aclose()
    await asyncio.to_thread(gallery.close)
    return t_plan, t_all, quote.text(), len(jobs)


def bench_sheet(rows: int, folder: Path, fmt: str = "csv") -> None:
    rng = random.Random(3)
    table = [["prompt", "aspect_ratio", "rendering_speed", "seed"]] + [
        [" ".join(rng.choice(WORDS) for _ in range(8)), "1x1", "TURBO", i] for i in range(rows)
    ]
    path = folder / f"sheet.{fmt}"
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for row in table:
            book.active.append(row)
        book.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(table)
    t = time.perf_counter()
    if fmt == "xlsx":  # the bare baseline: openpyxl's streaming read alone
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        bare_rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    else:
        with path.open(encoding="utf-8") as fh:
            bare_rows = list(csv.reader(fh))
    bare = time.perf_counter() - t
    t_plan, t_all, total, queued = asyncio.run(_sheet_to_queue(path, folder))
    print(f"{fmt} sheet of {rows:,} rows ({len(bare_rows) - 1} read): read + validate + price {t_plan * 1000:.0f} ms "
          f"(total {total}), + journal and queue {queued} jobs: {t_all:.2f} s; bare {fmt} read "
          f"{bare * 1000:.1f} ms — target ≤ 2 s: {'MET' if t_all <= 2 else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=1_000)
    ap.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="the sheet's file type")
    ap.add_argument("-v", action="store_true", help="print every query's time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_prompts(args.prompts, Path(tmp))
        bench_sheet(args.rows, Path(tmp), args.format)


if __name__ == "__main__":
    main()
