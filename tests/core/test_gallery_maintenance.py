"""Rebuild from files, integrity check and repair, damaged index."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, IndexCorruptError, JobRecord, rebuild_index

from .gallery_fixtures import a1111_png, jpeg_bytes, noise_png, snapshot, store_result, synthetic_rows


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        yield g


def populate(g: Gallery, tmp_path: Path) -> dict[str, str]:
    """A small library using every feature a rebuild must give back."""
    src = g.store_input(noise_png(64, 64, seed=1), "image", filename="source.png").hash
    mask = g.store_input(noise_png(64, 64, seed=2, mode="L"), "mask").hash
    ref = g.store_input(jpeg_bytes(seed=3), "style_reference_images", filename="ref.jpg").hash
    gen = store_result(g, 10, prompt="a neon castle", request={"negative_prompt": "fog",
                                                              "color_palette": {"members": [{"color_hex": "#FF0000"}]}})
    edit = store_result(g, 11, prompt="the castle at night", operation="edit", parents=[gen], mask=mask,
                        references={"style_reference_images": [ref]}, job_id="job-7")
    remix = store_result(g, 12, prompt="remixed", operation="remix", parents=[src])
    (tmp_path / "imp").mkdir(exist_ok=True)
    (tmp_path / "imp" / "old.png").write_bytes(a1111_png())
    imported = g.import_paths([tmp_path / "imp"]).imported[0][1]
    g.add_tags([gen, edit], ["castle", "Night Shots"])
    g.add_tags([imported], ["sd"])
    g.set_favourite([edit])
    g.set_rating([gen], 4)
    g.set_rating([imported], 2)
    top = g.create_collection("Clients")
    sub = g.create_collection("Acme", top.id)
    g.add_to_collection(sub.id, [edit, imported])
    g.add_to_collection(top.id, [gen])
    g.trash([remix])
    g.insert_job(JobRecord(id="job-7", operation="edit", state="done", request={"prompt": "p"},
                           input_hashes={"image": [gen], "mask": [mask]}, result_hashes=[edit],
                           estimated_cost=Decimal("0.06")))
    return {"src": src, "mask": mask, "ref": ref, "gen": gen, "edit": edit, "remix": remix, "imported": imported}


def test_rebuild_from_files_gives_back_the_same_library(gallery: Gallery, tmp_path: Path) -> None:
    populate(gallery, tmp_path)
    before = snapshot(gallery)
    assert len(before) == 7
    report = gallery.rebuild()
    assert report.images == 7 and report.quarantined == [] and report.jobs_salvaged == 1
    assert report.moved_aside is not None and report.moved_aside.exists()
    after = snapshot(gallery)
    assert after == before
    job = gallery.get_job("job-7")
    assert job is not None and job.result_hashes == [next(h for h, v in before.items() if v["operation"] == "edit")]
    assert job.estimated_cost == Decimal("0.06")
    assert gallery.search("castle") and gallery.check().clean


def test_rebuild_with_no_index_at_all(tmp_path: Path) -> None:
    root = tmp_path / "library"
    with Gallery.open(root) as g:
        populate(g, tmp_path)
        before = snapshot(g)
    (root / "index.sqlite3").unlink()
    with Gallery.open(root) as g:
        assert g.count() == 0  # an empty index: nothing is guessed on open
    os.unlink(root / "index.sqlite3")
    report = rebuild_index(root)
    assert report.moved_aside is None and report.images == 7
    with Gallery.open(root) as g:
        assert snapshot(g) == before


def test_damaged_index_file_raises_then_rebuilds(tmp_path: Path) -> None:
    root = tmp_path / "library"
    with Gallery.open(root) as g:
        populate(g, tmp_path)
        before = snapshot(g)
    index = root / "index.sqlite3"
    garbage = b"this is not a database, it was overwritten " * 200
    index.write_bytes(garbage)
    with pytest.raises(IndexCorruptError) as info:
        Gallery.open(root)
    assert "rebuild" in str(info.value) and "not affected" in str(info.value)
    report = rebuild_index(root)
    assert report.moved_aside is not None and report.moved_aside.read_bytes() == garbage  # kept, not deleted
    with Gallery.open(root) as g:
        assert snapshot(g) == before


def test_malformed_pages_surface_as_index_corrupt(tmp_path: Path) -> None:
    root = tmp_path / "library"
    with Gallery.open(root) as g:
        g.index.insert_many(synthetic_rows(2000))
    index = root / "index.sqlite3"
    data = bytearray(index.read_bytes())
    page = 4096
    for start in range(page * 3, len(data) - page, page * 2):  # every other page after the schema
        data[start : start + page] = b"\xa5" * page
    index.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError), Gallery.open(root) as g:
        g.ids()
        g.search("cat")
        g.facets()


def _age(path: Path, seconds: float = 3600) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_integrity_check_finds_each_fault_and_repairs(gallery: Gallery, tmp_path: Path) -> None:
    h = populate(gallery, tmp_path)
    for digest in (h["gen"], h["edit"]):
        gallery.submit_thumbnail(digest, 256).result(timeout=30)
    assert gallery.check().clean

    # missing file
    missing_path = gallery.path_for(h["imported"])
    missing_path.unlink()
    # content no longer matches the hash (bit rot, an editor saving over it)
    rotten = gallery.path_for(h["remix"])
    rotten.write_bytes(noise_png(64, 64, seed=999))
    # orphan: a valid image in images/ the index does not know (e.g. from a backup)
    with Gallery.open(tmp_path / "other") as other:
        orphan_src = other.path_for(store_result(other, 55, prompt="from a backup"))
        orphan_hash = orphan_src.stem
    orphan = gallery.data_dir / "images" / orphan_hash[:2] / orphan_src.name
    orphan.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(orphan_src, orphan)
    junk = gallery.data_dir / "images" / "zz" / "not-a-hash.png"
    junk.parent.mkdir()
    junk.write_bytes(b"junk")
    # stale thumbnails: of an unknown image, and an unreadable one
    stale = gallery.data_dir / "thumbs" / "256" / "ff" / f"{'f' * 64}.jpg"
    stale.parent.mkdir(parents=True, exist_ok=True)  # (a real thumbnail's hash may start with ff too)
    stale.write_bytes(b"x")
    unreadable = gallery.cached_thumbnail(h["gen"], 256)
    assert unreadable is not None
    unreadable.write_bytes(b"not a jpeg")
    # a temp file left by a crash
    temp = gallery.data_dir / "images" / h["gen"][:2] / f".tmp-0123456789ab-{h['gen']}.png"
    temp.write_bytes(b"partial")
    _age(temp)

    report = gallery.check()
    assert report.missing == [h["imported"]]
    assert report.mismatched == [h["remix"]]
    assert set(report.orphans) == {orphan, junk}
    assert set(report.stale_thumbnails) == {stale, unreadable}
    assert report.temp_files == [temp]
    assert not report.clean and report.actions == []
    assert gallery.get(h["imported"]) is not None  # a check alone changes nothing

    fixed = gallery.check(repair=True)
    assert fixed.actions
    assert gallery.get(h["imported"]) is None
    assert gallery.get(h["remix"]) is None and not rotten.exists()
    quarantine = gallery.data_dir / "quarantine"
    assert (quarantine / rotten.name).read_bytes() == noise_png(64, 64, seed=999)  # never deleted
    assert (quarantine / "not-a-hash.png").read_bytes() == b"junk"
    row = gallery.get(orphan_hash)
    assert row is not None and row.prompt == "from a backup"
    assert not stale.exists() and not unreadable.exists() and not temp.exists()
    after = gallery.check()
    assert after.clean and set(after.orphan_sidecars) == {h["imported"], h["remix"]}  # kept for a restore
    # The missing file comes back from a backup: found again by hash, with its tags.
    shutil.copy(tmp_path / "imp" / "old.png", missing_path)
    report = gallery.check(repair=True)
    assert report.orphans == [missing_path]
    tags = gallery.get(h["imported"]).tags  # type: ignore[union-attr]
    assert "sd" in tags and any(t.startswith("import ") for t in tags)  # the designer's tag and its import's
    assert gallery.check().clean


def test_fresh_temp_files_are_left_to_their_writer(gallery: Gallery) -> None:
    store_result(gallery, 1)
    shard = next((gallery.data_dir / "images").iterdir())
    temp = shard / ".tmp-aaaaaaaaaaaa-x.png"
    temp.write_bytes(b"in progress")
    assert gallery.check().clean  # younger than temp_min_age
    assert gallery.check(temp_min_age=0).temp_files == [temp]
