"""The built-in smart collections (Last import, This batch, Picked): searches in the library's own
syntax, counted by the same read path as saved searches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery
from ideogram_studio.gallery import gallery as gallery_mod
from ideogram_studio.gallery.local_source import LocalLibrarySource
from ideogram_studio.gallery.search_syntax import parse_search
from ideogram_studio.gallery.smart_collections import LAST_IMPORT, PICKED, THIS_BATCH, built_in

from .gallery_fixtures import noise_png


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


def counts(g: Gallery, batch_tag: str | None = None) -> dict[str, int | None]:
    source = LocalLibrarySource(g)
    return {
        c.name: None if c.query is None else source.count(parse_search(c.query))
        for c in built_in(source.tag_names(), batch_tag)
    }


def test_picked_is_a_search_on_the_culling_flag(gallery: Gallery) -> None:
    hashes = [gallery.store_input(noise_png(16, 16, seed), "image").hash for seed in range(4)]
    gallery.import_paths([])  # nothing: no import tag
    for h in hashes:
        gallery.library.index.set_is_input(h, False)
    gallery.set_flag(hashes[:2], 1)
    gallery.set_flag(hashes[2:3], -1)
    search = parse_search("is:picked")
    assert search.ok and search.query.flag == 1
    assert LocalLibrarySource(gallery).count(parse_search("is:rejected")) == 1
    assert LocalLibrarySource(gallery).count(parse_search("is:unflagged")) == 1
    assert counts(gallery) == {LAST_IMPORT: None, THIS_BATCH: None, PICKED: 2}
    bad = parse_search("is:pickled")
    assert not bad.ok and "is:picked" in bad.errors[0].message


def test_last_import_is_what_the_newest_import_brought(
    gallery: Gallery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for seed in range(3):
        (folder / f"old-{seed}.png").write_bytes(noise_png(16, 16, 10 + seed))
    monkeypatch.setattr(gallery_mod, "import_tag", lambda _when: "import 2026-12-01 10:00:00")
    first = gallery.import_paths([folder])
    assert len(first.imported) == 3
    newer = tmp_path / "more"
    newer.mkdir()
    (newer / "new.png").write_bytes(noise_png(16, 16, 99))
    (newer / "again.png").write_bytes(noise_png(16, 16, 10))  # already in: it came with this import too
    monkeypatch.setattr(gallery_mod, "import_tag", lambda _when: "import 2026-12-07 09:15:03")
    gallery.import_paths([newer])
    assert counts(gallery)[LAST_IMPORT] == 2
    (item,) = [c for c in built_in(LocalLibrarySource(gallery).tag_names()) if c.name == LAST_IMPORT]
    assert item.query == 'tag:"import 2026-12-07 09:15:03"' and "2026-12-07 09:15:03" in item.hint


def test_this_batch_follows_the_studio_and_else_the_newest_batch_name(gallery: Gallery) -> None:
    for name, n in (("2026-12-06 17:00 mugs", 2), ("2026-12-07 09:00 posters", 3)):
        for i in range(n):
            stored = gallery.store_image(
                noise_png(16, 16, hash((name, i)) % 1000), operation="generate", request_fields={"prompt": name},
                response_fields={"seed": i, "batch": name, "batch_row": i + 1},
            )
            gallery.add_tags([stored.hash], [f"batch {name}"])
    assert counts(gallery)[THIS_BATCH] == 3  # alone: the batch whose name sorts last
    assert counts(gallery, "batch 2026-12-06 17:00 mugs")[THIS_BATCH] == 2  # the studio's newest batch
    assert counts(gallery, "batch just started")[THIS_BATCH] == 0  # not the batch before it
