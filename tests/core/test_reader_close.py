"""Closing the library's reader while a worker thread is reading: the read is interrupted and says
the library is closed; the connection is closed only after it (closing it under a running query
crashed the process: seen as a segfault when a window closed mid-count)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, GalleryError
from ideogram_studio.gallery.library_ops import LibraryReader

from .gallery_fixtures import store_result

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        store_result(g, 1)
        yield g


def test_close_interrupts_a_running_read_and_closes_after_it(gallery: Gallery) -> None:
    reader = LibraryReader(gallery)
    started, outcome = threading.Event(), []

    def endless() -> None:
        def run(conn: object) -> object:
            started.set()
            return conn.execute(ENDLESS).fetchone()  # type: ignore[attr-defined]

        try:
            outcome.append(reader._read(run))
        except GalleryError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=endless)
    worker.start()
    assert started.wait(10)
    reader.close()
    worker.join(10)

    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], GalleryError)
    assert "closed" in str(outcome[0])
    with pytest.raises(GalleryError, match="closed"):
        reader._all("SELECT count(*) FROM images")


def test_reads_before_close_still_answer(gallery: Gallery) -> None:
    reader = LibraryReader(gallery)
    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(reader._all("SELECT count(*) FROM images")[0][0]))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    reader.close()
    assert answers == [1, 1, 1, 1]
