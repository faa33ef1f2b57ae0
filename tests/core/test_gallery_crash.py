"""Crash safety for real: a child process storing images is killed with SIGKILL mid-way.

After each kill the library is reopened and must be consistent: every indexed image's file
exists and hashes right, no partial or temp file is left where an image would be, everything
the child reported as stored is there, and the integrity check is clean.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, ImageQuery

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

CHILD = textwrap.dedent(
    """
    import io, os, random, sys, time
    from pathlib import Path
    from PIL import Image
    from ideogram_studio.gallery import Gallery, JobRecord
    import ideogram_studio.gallery.files as files

    root, mode, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])

    def png(w, h, seed):
        img = Image.frombytes("RGB", (w, h), random.Random(seed).randbytes(w * h * 3))
        buf = io.BytesIO()
        img.save(buf, "PNG", compress_level=1)
        return buf.getvalue()

    if mode == "slow":
        real = files._write_fully
        def slow(fd, data):
            if len(data) < 100_000:
                return real(fd, data)
            print("writing", flush=True)
            for i in range(0, len(data), 65536):
                os.write(fd, data[i:i + 65536])
                time.sleep(0.01)
        files._write_fully = slow

    g = Gallery.open(root, thumbnail_workers=1)
    print("open", flush=True)
    i = start
    while True:
        big = mode == "slow"
        src = g.store_input(png(32, 32, i + 10_000), "image")
        stored = g.store_image(png(1024, 1024, i) if big else png(48, 48, i), operation="edit",
                               request_fields={"prompt": f"image {i}"}, response_fields={"seed": i},
                               parents=[src.hash], job_id=f"job-{i}")
        print("stored", stored.hash, src.hash, flush=True)
        if i % 3 == 0:
            g.add_tags([stored.hash], [f"tag{i % 5}"])
            g.set_rating([stored.hash], i % 6)
        if i % 4 == 0:
            g.insert_job(JobRecord(id=f"job-{i}", operation="edit", state="done"))
        i += 1
    """
)


def _run_child(root: Path, mode: str, start: int, kill_after: float) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), mode, str(start)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    stored: list[str] = []
    try:
        line = proc.stdout.readline()
        assert line.strip() == "open", proc.stderr.read() if proc.stderr else line
        deadline = time.monotonic() + 30
        if mode == "slow":
            while proc.stdout.readline().strip() != "writing":  # the first large write has begun
                if time.monotonic() > deadline:
                    pytest.fail("the child never began its large write")
            time.sleep(kill_after)  # well inside the write (about 0.5 s long)
        else:
            time.sleep(kill_after)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        for line in proc.stdout.read().splitlines():
            if line.startswith("stored "):
                stored.extend(line.split()[1:])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return stored


def _assert_consistent(root: Path, reported: list[str]) -> int:
    with Gallery.open(root) as g:
        everything = ImageQuery(trashed=None, inputs=None)
        rows = g.rows_for(g.ids(everything))
        for row in rows:
            data = (root / row.path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row.hash
        indexed = {r.hash for r in rows}
        assert set(reported) <= indexed, "an image reported as stored was lost"
        for parent in {p for r in rows for p in (x.parent for x in g.parents(r.hash))}:
            assert parent in indexed, "lineage points to an input that was not kept"
        leftovers = [p for p in root.rglob(".tmp-*") if "thumbs" not in p.parts]
        assert leftovers == [], f"temp files left after reopening: {leftovers}"
        on_disk = {p.stem for p in (root / "images").rglob("*") if p.is_file()}
        assert on_disk == indexed, "a file on disk is not in the index, or the reverse"
        assert g.library.index.pending() == []
        report = g.check(temp_min_age=0)
        assert report.clean, report
        return len(rows)


def _pending_rows(root: Path) -> list[str]:
    conn = sqlite3.connect(root / "index.sqlite3")
    try:
        return [r[0] for r in conn.execute("SELECT hash FROM pending_writes")]
    finally:
        conn.close()


def test_sigkill_during_a_slow_large_write(tmp_path: Path) -> None:
    root = tmp_path / "library"
    reported = _run_child(root, "slow", 0, 0.25)
    # The kill really landed inside the write: a temp file and its pending entry are there.
    temps = list((root / "images").rglob(".tmp-*"))
    assert len(temps) == 1 and temps[0].stat().st_size > 0
    assert len(_pending_rows(root)) == 1
    count = _assert_consistent(root, reported)
    assert count >= 1  # at least the first input landed
    # Nothing of the image being written is visible, and the next run picks up cleanly.
    reported += _run_child(root, "slow", 100, 0.1)
    _assert_consistent(root, reported)


def test_sigkill_at_random_moments_while_storing(tmp_path: Path) -> None:
    root = tmp_path / "library"
    reported: list[str] = []
    for n, delay in enumerate((0.6, 0.75, 0.9, 0.67)):
        reported += _run_child(root, "fast", 1000 * (n + 1), delay)
        _assert_consistent(root, reported)
    assert len(reported) > 10
