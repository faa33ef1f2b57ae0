"""One studio per library: the lock, a stale lock after a crash taken over, and two processes on
one library (the second is refused; nothing of the first is marked interrupted or resent)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, LibraryInUseError, LibraryLock
from ideogram_studio.gallery.lock import INFO_NAME

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_open_of_the_same_library_is_refused(tmp_path: Path) -> None:
    with Gallery.open(tmp_path / "lib"):
        with pytest.raises(LibraryInUseError) as info:
            Gallery.open(tmp_path / "lib")
        assert "open in another Ideogram Studio window" in str(info.value)
        assert info.value.holder["pid"] == os.getpid() and info.value.holder["kind"] == "studio"
        # Another library folder is another lock.
        with Gallery.open(tmp_path / "other"):
            pass
    with Gallery.open(tmp_path / "lib") as again:  # released on close
        assert again.lock is not None and again.lock.held


def test_a_script_holding_the_library_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    with LibraryLock(tmp_path / "lib", kind="cli"), pytest.raises(LibraryInUseError, match="written by a script"):
        Gallery.open(tmp_path / "lib")


def _child(code: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE, text=True, env=env)


def _closed(child: subprocess.Popen[str]) -> None:
    """The child's pipes closed once it has ended (left open, they fail the run as ResourceWarnings)."""
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            stream.close()


def test_a_stale_lock_from_a_killed_studio_is_taken_over(tmp_path: Path) -> None:
    child = _child(
        """
        import sys
        from pathlib import Path
        from ideogram_studio.gallery import Gallery
        g = Gallery.open(Path(sys.argv[1]))
        print("OPEN", flush=True)
        sys.stdin.readline()
        """,
        str(tmp_path / "lib"),
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "OPEN"
    with pytest.raises(LibraryInUseError):
        Gallery.open(tmp_path / "lib")
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    _closed(child)
    info = json.loads((tmp_path / "lib" / INFO_NAME).read_text())
    assert info["pid"] == child.pid and not info["closed"]  # what the dead process left
    with Gallery.open(tmp_path / "lib") as g:
        assert g.lock is not None and g.lock.taken_over is not None
        assert g.lock.taken_over["pid"] == child.pid


HOLDER = """
import asyncio, sys
from pathlib import Path
from ideogram_studio.api.client import IdeogramClient
from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.gallery import Gallery
from ideogram_studio.jobs import JobQueue
from ideogram_studio.jobs.gallery_store import GalleryJobStore
from ideogram_studio.sandbox import Fault, SandboxConfig, create_app, sandbox_transport


async def main() -> None:
    app = create_app(SandboxConfig())
    state = app.state.sandbox
    gallery = Gallery.open(Path(sys.argv[1]))
    gate = asyncio.Event()
    async with IdeogramClient(api_key="k", base_url="http://api.test", transport=sandbox_transport(app)) as c:
        queue = JobQueue(c, GalleryJobStore(gallery))
        await queue.recover()
        # The queue tells its listeners of a state only after the journal has it (_set_state):
        # waiting for that event, not for job.state, means the parent reads a committed "sending".
        journalled_sending = asyncio.Event()
        queue.subscribe(lambda e: e.job.state.value == "sending" and journalled_sending.set())
        state.inject(Fault.latency(float(sys.argv[2])))
        job = await queue.submit(GenerateRequest(prompt="held by a latency fault"))
        await journalled_sending.wait()
        print("SENDING", job.id, flush=True)
        while not job.state.finished:
            await asyncio.sleep(0.05)
        print("FINISHED", job.state.value, state.requests_seen["/v1/ideogram-v3/generate"], flush=True)
        await queue.aclose()
    gallery.close()


asyncio.run(main())
"""


def test_a_second_studio_on_the_same_library_touches_nothing_of_the_first(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    first = _child(HOLDER, str(library), "10")  # (the repro: a generate held 10 s)
    assert first.stdout is not None
    word, job_id = first.stdout.readline().split()
    assert word == "SENDING"
    # The second start finds the library held: no journal recovery, nothing marked interrupted.
    with pytest.raises(LibraryInUseError):
        Gallery.open(library)
    with sqlite3.connect(f"file:{library / 'index.sqlite3'}?mode=ro", uri=True) as conn:
        state = conn.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
    assert state == "sending"
    finished = first.stdout.readline().split()
    assert first.wait(30) == 0
    _closed(first)
    assert finished == ["FINISHED", "done", "1"]  # sent once, finished normally
    with Gallery.open(library) as g:
        record = g.get_job(job_id)
        assert record is not None and record.state == "done" and "may have been billed" not in (record.error or "")


def test_the_cli_respects_the_studio_s_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ideogram_studio import cli

    library = tmp_path / "lib"
    with Gallery.open(library):  # the studio has it open
        assert cli.main(["jobs", "list", "--library", str(library)]) == 1
    err = capsys.readouterr().err
    assert "open in another Ideogram Studio window" in err and "another --library" in err
    assert "Traceback" not in err
    assert cli.main(["jobs", "list", "--library", str(library)]) == 0  # free again: the script runs
