"""Sorting a batch end to end (issue 14), in a real X window against `ideogram-sandbox` on 127.0.0.1
with real X input: generate a batch of 4 from the form, pick two (P) and reject two (X) in the batch
grid, compare two, Keep picks, trash rejects; exactly the two picks are left in the library, in the
running studio's library page and in the library on disk after it quit."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, ImageQuery

from .helpers import SandboxServer, run_driver

pytestmark = pytest.mark.e2e


def test_a_batch_of_four_two_picked_two_rejected_keeps_the_two(
    x_display: str, tmp_path: Path, sandbox_server: SandboxServer, artifacts_dir: Path
) -> None:
    home = tmp_path / "home"
    report = run_driver("sort", home, sandbox_server.url, artifacts_dir)
    batch = report["batch"]
    assert len(batch) == 4 and len(set(batch)) == 4
    assert report["flags"] == [1, 1, -1, -1]
    picks, rejects = sorted(batch[:2]), batch[2:]
    assert report["library"] == picks  # what the library page showed
    assert report["strip_after"] and not set(rejects) & set(report["strip_after"])
    assert all(name.startswith("seed ") for name in report["compared"])  # named by what tells them apart

    with Gallery.open(home / "data" / "IdeogramStudio") as gallery:
        left = sorted(row.hash for row in gallery.rows_for(gallery.ids(ImageQuery())))
        assert left == picks
        assert all(gallery.get(h) is not None and gallery.get(h).trashed_at is not None for h in rejects)
        assert {gallery.get(h).flag for h in picks} == {1}
    for name in ("sort-1-culled", "sort-2-compare-slider", "sort-3-compare-side-by-side", "sort-4-library"):
        assert (artifacts_dir / f"{name}.png").exists()
