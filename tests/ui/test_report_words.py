"""The library's reports name a missing or damaged image as the designer knows it (its prompt, when
it was made, its size), never by the hash alone (issue 14 item 8)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery.library_ops import export_with_progress
from ideogram_studio.ui.library.reports import check_report, export_report
from tests.core.gallery_fixtures import store_result


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        yield g


def test_a_missing_and_a_damaged_image_are_named_by_prompt_date_and_size(gallery: Gallery) -> None:
    gone = store_result(gallery, 1, prompt="a harbour at dusk, risograph poster")
    bent = store_result(gallery, 2, prompt="a lighthouse in fog")
    gallery.path_for(gone).unlink()
    gallery.path_for(bent).write_bytes(gallery.path_for(bent).read_bytes()[:-40] + b"\0" * 40)
    made = gallery.get(gone).created_at  # type: ignore[union-attr]

    details = check_report(gallery.check()).details

    assert f"Missing file: “a harbour at dusk, risograph poster”, made {made.day} {made:%b %Y, %H:%M}, 64×64" in details
    assert any(d.startswith("Damaged (bytes changed): “a lighthouse in fog”") for d in details)
    assert not any(gone[:12] in d or bent[:12] in d for d in details)


def test_an_export_names_the_image_it_could_not_read(gallery: Gallery, tmp_path: Path) -> None:
    kept = store_result(gallery, 3, prompt="kept")
    gone = store_result(gallery, 4, prompt="a very long prompt " * 6)
    gallery.path_for(gone).unlink()
    out = tmp_path / "out"
    out.mkdir()

    report = export_report(export_with_progress(gallery, [kept, gone], out), out)

    assert report.summary.startswith("Exported 1 image") and not report.ok
    (line,) = report.details
    assert line.startswith("Missing file: “a very long prompt a very long prompt a very long prompt a v…”, made ")
    assert gone[:12] not in line
