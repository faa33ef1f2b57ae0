"""Team library benchmark (run on demand, not a test), against real PostgreSQL and SeaweedFS on
127.0.0.1 (started and stopped here, as the tests do: tests/team/servers.py).

    python tests/benchmarks/bench_team.py                       # 1,000 images, 100,000 rows
    python tests/benchmarks/bench_team.py --images 200 --rows 20000

Figures, each against a baseline measured in the same run:
1. publishing N images (Publisher: verify hashes, conditional puts of blob + thumbnail, rows with
   lineage/tags in batched transactions, NOTIFY, outbox) vs. bare S3 puts of the same blobs and
   thumbnails (same thread count) + bare INSERTs of the same rows (same batches). Rounds
   alternate, fresh database and bucket each time; best of each. Target ≤ 1.3×.
2. team search over R rows: first page (200 rows) of several searches through TeamLibrary.page,
   median of 20 runs each vs. the bare SQL of the default view. Target ≤ 50 ms median.
3. publish → the other client's grid updated: from the start of publishing one image to the
   other client's listener having re-read its first page, median and worst of 20. Target ≤ 1 s.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image
from psycopg.types.json import Jsonb

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ideogram_studio.gallery import Gallery  # noqa: E402
from ideogram_studio.team import Outbox, Publisher, TeamEvent, TeamListener  # noqa: E402
from ideogram_studio.team.library import THUMB_SIZE  # noqa: E402
from ideogram_studio.team.publish import WORKERS  # noqa: E402
from tests.team.conftest import TeamEnv  # noqa: E402
from tests.team.servers import Servers, running_servers  # noqa: E402

WORDS = ("cat", "dog", "castle", "neon", "forest", "robot", "poster", "sunset", "ocean", "logo", "red", "car")


def _png(seed: int, size: int) -> bytes:
    # Smooth gradients plus noise: compresses like a picture, not like pure noise.
    rng = random.Random(seed)
    img = Image.new("RGB", (size, size), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    img.putdata([(x % 256, (y + seed) % 256, rng.randrange(256)) for y in range(size) for x in range(size)])
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def make_library(folder: Path, n: int, size: int) -> tuple[Gallery, list[str]]:
    gallery = Gallery.open(folder, thumbnail_workers=2)
    hashes = []
    for i in range(n):
        words = " ".join(random.Random(i).sample(WORDS, 4))
        hashes.append(gallery.store_image(_png(i, size), operation="generate",
                                          request_fields={"prompt": words, "rendering_speed": "TURBO"},
                                          response_fields={"seed": i}).hash)
    gallery.add_tags(hashes[::3], ["campaign"])
    for f in [gallery.submit_thumbnail(h, THUMB_SIZE) for h in hashes]:  # a browsed library has them
        f.result()
    return gallery, hashes


def fresh_env(servers: Servers, tmp: Path) -> TeamEnv:
    database, bucket = servers.new_team()
    env = TeamEnv(servers, database, bucket, tmp / database)
    env.library("ideogram_admin")
    return env


def publish_round(servers: Servers, gallery: Gallery, hashes: list[str], tmp: Path) -> float:
    env = fresh_env(servers, tmp)
    team = env.library("alice")
    publisher = Publisher(gallery, team, Outbox(tmp / f"{env.database}.outbox"))
    start = time.perf_counter()
    report = publisher.publish(hashes)
    elapsed = time.perf_counter() - start
    assert len(report.published) == len(hashes), report.summary()
    _close(env)
    return elapsed


def bare_round(servers: Servers, gallery: Gallery, hashes: list[str], tmp: Path) -> float:
    """The same objects and rows with nothing around them: plain puts, plain INSERTs."""
    env = fresh_env(servers, tmp)
    team = env.library("alice")
    client = team.blobs._client  # type: ignore[attr-defined]  (the same boto3 client settings)
    rows = [gallery.get(h) for h in hashes]
    start = time.perf_counter()
    items = []
    for row in rows:
        assert row is not None
        thumb = gallery.cached_thumbnail(row.hash, THUMB_SIZE)
        assert thumb is not None
        items.append((row, gallery.read_bytes(row.hash), thumb.read_bytes(), gallery.metadata(row.hash)))

    def put(item: tuple) -> None:  # type: ignore[type-arg]
        row, data, thumb, _ = item
        client.put_object(Bucket=env.bucket, Key=f"blobs/{row.hash}", Body=data, ContentType="image/png")
        client.put_object(Bucket=env.bucket, Key=f"thumbs/{row.hash}-256.jpg", Body=thumb, ContentType="image/jpeg")

    with ThreadPoolExecutor(WORKERS) as pool:
        for i in range(0, len(items), 50):
            batch = items[i : i + 50]
            list(pool.map(put, batch))
            with team.db.transaction() as conn, conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO images (hash, format, width, height, bytes, thumbnail, created_at, operation, "
                    "prompt, is_input, metadata, tags) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    [(r.hash, r.format, r.width, r.height, r.bytes, f"thumbs/{r.hash}-256.jpg", r.created_at,
                      r.operation, r.prompt, r.is_input, Jsonb(m), list(r.tags)) for r, _, _, m in batch])
    elapsed = time.perf_counter() - start
    _close(env)
    return elapsed


def _close(env: TeamEnv) -> None:
    for lib in env.opened:
        lib.close()
    env.servers.drop_team(env.database)


def bench_publish(servers: Servers, tmp: Path, n: int, size: int, rounds: int) -> None:
    print(f"\n1. Publishing {n} images ({size}x{size} PNG) — best of {rounds} alternating rounds")
    gallery, hashes = make_library(tmp / "library", n, size)
    total = sum(gallery.read_bytes(h).__len__() for h in hashes)
    print(f"   library: {n} images, {total / 1e6:.1f} MB, thumbnails cached")
    ours, bare = [], []
    for r in range(rounds):
        bare.append(bare_round(servers, gallery, hashes, tmp))
        ours.append(publish_round(servers, gallery, hashes, tmp))
        print(f"   round {r + 1}: bare puts + inserts {bare[-1]:.2f} s, publish {ours[-1]:.2f} s")
    ratio = min(ours) / min(bare)
    print(f"   publish {min(ours):.2f} s vs bare {min(bare):.2f} s: {ratio:.2f}x "
          f"({n / min(ours):.0f} images/s)  target <= 1.3x  {'OK' if ratio <= 1.3 else 'OVER'}")
    gallery.close()


def bench_search(servers: Servers, tmp: Path, rows: int) -> None:
    print(f"\n2. Team search over {rows:,} rows — first page of 200, median of 20 runs")
    env = fresh_env(servers, tmp)
    rng = random.Random(1)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with servers.pg.superuser(env.database) as conn, conn.cursor() as cur:
        with cur.copy("COPY images (hash, format, width, height, bytes, created_at, operation, style_preset, "
                      "aspect_ratio, prompt, is_input, metadata, tags, rating) FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((f"{i:064x}", "PNG", 1024, 1024, 1_500_000, base + timedelta(seconds=i * 37),
                                rng.choice(("generate", "edit", "remix", "reframe")),
                                rng.choice(("BAUHAUS", "WATERCOLOR", None)), rng.choice(("1x1", "16x9")),
                                " ".join(rng.sample(WORDS, 5)), i % 10 == 0, "{}",
                                "{campaign}" if i % 7 == 0 else "{}", rng.randint(0, 5)))
        cur.execute("ANALYZE images")
    team = env.library("alice")
    searches = ["", "red car", '"neon castle"', "tag:campaign", "op:edit rating:>=3", "robot -sunset",
                "preset:bauhaus ratio:16x9 ocean", "zebra", "ocean op:reframe preset:watercolor rating:5"]

    def median_ms(fn: Callable[[], object]) -> float:
        fn()
        times = []
        for _ in range(20):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    with team.db.transaction() as conn:
        bare = median_ms(lambda: conn.execute(
            "SELECT * FROM images WHERE trashed_at IS NULL AND NOT is_input ORDER BY created_at DESC, id DESC "
            "LIMIT 201").fetchall())
    print(f"   bare SQL, default view: {bare:.1f} ms")
    for text in searches:
        ms = median_ms(lambda t=text: team.page(t, limit=200))  # type: ignore[misc]
        count = team.count(text)
        print(f"   {text or '(everything)':36} {ms:6.1f} ms  ({count:,} matches)  "
              f"{'OK' if ms <= 50 else 'OVER'} (target <= 50 ms; {ms / bare:.1f}x bare)")
    _close(env)


def bench_live(servers: Servers, tmp: Path, iterations: int) -> None:
    print(f"\n3. Publish → the other client's grid updated, {iterations} single-image publishes")
    env = fresh_env(servers, tmp)
    gallery, hashes = make_library(tmp / "library-live", iterations, 64)
    alice = env.library("alice")
    bob = env.library("bob")
    publisher = Publisher(gallery, alice, Outbox(tmp / "live.outbox"))
    updated = threading.Event()
    wanted: list[str] = []

    def on_event(event: TeamEvent) -> None:
        if wanted and wanted[0] in event.hashes:
            rows = bob.page("", limit=200).rows  # what the grid does on an event
            if any(r.hash == wanted[0] for r in rows):
                updated.set()

    listener = TeamListener(env.config("bob").db_url, env.credentials("bob"), on_event)
    listener.start()
    assert listener.listening.wait(20)
    latencies = []
    for digest in hashes:
        wanted[:] = [digest]
        updated.clear()
        start = time.perf_counter()
        publisher.publish([digest])
        assert updated.wait(10), "the other client never saw the image"
        latencies.append((time.perf_counter() - start) * 1000)
    listener.stop()
    med, worst = statistics.median(latencies), max(latencies)
    print(f"   median {med:.0f} ms, worst {worst:.0f} ms  target <= 1000 ms  {'OK' if worst <= 1000 else 'OVER'}")
    gallery.close()
    _close(env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--size", type=int, default=256, help="image side in pixels (PNG)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--live", type=int, default=20)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: publish,search,live")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory(prefix="bench-team-") as folder, running_servers() as servers:
        tmp = Path(folder)
        print(f"PostgreSQL pid {servers.pg.pid} on :{servers.pg.port}, SeaweedFS pid {servers.s3.pid} at "
              f"{servers.s3.endpoint}")
        if "publish" not in skip:
            bench_publish(servers, tmp, args.images, args.size, args.rounds)
        if "search" not in skip:
            bench_search(servers, tmp, args.rows)
        if "live" not in skip:
            bench_live(servers, tmp, args.live)


if __name__ == "__main__":
    main()
