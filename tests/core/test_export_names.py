"""The library's export with a naming template: {batch}-{row}-{seed} and the other fields, names
that never replace a file already in the folder, a full disk or an unwritable folder said in words
with no partial file left."""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.batch.plan import export_name, template_problem
from ideogram_studio.gallery import Gallery, StorageError
from ideogram_studio.gallery import files as files_mod

from .gallery_fixtures import noise_png


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    yield g
    g.close()


def batch_result(g: Gallery, row: int, seed: int, prompt: str = "a teal mug on a shelf") -> str:
    stored = g.store_image(
        noise_png(32, 32, seed), operation="generate", request_fields={"prompt": prompt},
        response_fields={"seed": seed, "batch": "Mugs", "batch_row": row, "is_image_safe": True},
    )
    g.add_tags([stored.hash], ["batch Mugs"])
    return stored.hash


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_fields_can_be_cut_and_templates_are_checked_in_words() -> None:
    fields = {"prompt": "a  very long prompt about mugs", "batch": "B", "n": "07"}
    assert export_name("{prompt:6}-{n}", fields, ".png") == "a very-07.png"
    assert template_problem("{batch}-{row}-{seed}") is None
    assert template_problem("{date}-{prompt:20}-{n}") is None
    assert "Unknown field {colour}" in (template_problem("{colour}-{n}") or "")
    assert "no matching" in (template_problem("{batch-{n}") or "")
    assert template_problem("  ") is not None


def test_a_batch_exports_as_batch_row_seed(gallery: Gallery, tmp_path: Path) -> None:
    hashes = [batch_result(gallery, row, seed) for row, seed in ((1, 11), (2, 12), (3, 13))]
    out = tmp_path / "out"
    namer = functools.partial(export_name, "{batch}-{row}-{seed}")
    report = gallery.export(hashes, out, namer=namer)
    assert names(out) == ["Mugs-1-11.png", "Mugs-2-12.png", "Mugs-3-13.png"]
    assert len(report.written) == 3
    numbered = tmp_path / "numbered"
    gallery.export(hashes, numbered, namer=functools.partial(export_name, "{prompt:5}-{n}"))
    assert names(numbered) == ["a tea-1.png", "a tea-2.png", "a tea-3.png"]


def test_chunks_keep_counting_n(gallery: Gallery, tmp_path: Path) -> None:
    from ideogram_studio.gallery.library_ops import export_with_progress

    hashes = [batch_result(gallery, row, 100 + row) for row in range(1, 13)]
    out = tmp_path / "out"
    export_with_progress(gallery, hashes, out, chunk=5, namer=functools.partial(export_name, "{n}"))
    assert names(out) == [f"{n:02d}.png" for n in range(1, 13)]


def test_an_export_never_replaces_a_file(gallery: Gallery, tmp_path: Path) -> None:
    digest = batch_result(gallery, 1, 11)
    out = tmp_path / "out"
    out.mkdir()
    (out / "Mugs-1-11.png").write_bytes(b"the designer's own file")
    namer = functools.partial(export_name, "{batch}-{row}-{seed}")
    gallery.export([digest], out, namer=namer)
    gallery.export([digest], out, namer=namer)
    assert names(out) == ["Mugs-1-11-2.png", "Mugs-1-11-3.png", "Mugs-1-11.png"]
    assert (out / "Mugs-1-11.png").read_bytes() == b"the designer's own file"


def test_a_name_taken_while_exporting_is_not_replaced(
    gallery: Gallery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else writes the same name between our look at the folder and our write."""
    digest = batch_result(gallery, 1, 11)
    out = tmp_path / "out"
    out.mkdir()
    real_link = os.link

    def link_after_a_rival(src: str, dst: str) -> None:
        if Path(dst).name == "Mugs-1-11.png" and not Path(dst).exists():
            Path(dst).write_bytes(b"a rival")
        real_link(src, dst)

    monkeypatch.setattr(files_mod.os, "link", link_after_a_rival)
    gallery.export([digest], out, namer=functools.partial(export_name, "{batch}-{row}-{seed}"))
    assert names(out) == ["Mugs-1-11-2.png", "Mugs-1-11.png"]
    assert (out / "Mugs-1-11.png").read_bytes() == b"a rival"
    assert not [n for n in os.listdir(out) if files_mod.is_temp_name(n)]


def test_a_full_disk_is_said_in_words_and_leaves_no_partial_file(
    gallery: Gallery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = [batch_result(gallery, row, 20 + row) for row in (1, 2, 3)]
    out = tmp_path / "out"
    out.mkdir()
    real_write = files_mod._write_fully
    written: list[int] = []

    def fill_up(fd: int, data: bytes) -> None:
        if written:  # the second image finds the disk full half-way
            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(fd)
        real_write(fd, data)

    monkeypatch.setattr(files_mod, "_write_fully", fill_up)
    with pytest.raises(StorageError) as info:
        gallery.export(hashes, out, namer=functools.partial(export_name, "{batch}-{row}"))
    assert info.value.disk_full and "The disk you are exporting to is full" in info.value.message
    assert "1 image was exported whole" in info.value.message
    assert names(out) == ["Mugs-1.png"]  # the whole first image; nothing of the second


def test_an_unwritable_folder_is_said_in_words(gallery: Gallery, tmp_path: Path) -> None:
    digest = batch_result(gallery, 1, 11)
    blocker = tmp_path / "a file"
    blocker.write_bytes(b"not a folder")
    with pytest.raises(StorageError) as info:
        gallery.export([digest], blocker / "out", namer=functools.partial(export_name, "{batch}"))
    assert info.value.message.startswith(f"Could not export to {blocker / 'out'} (Not a directory).")


def test_an_image_without_a_prompt_is_exported_by_its_date_and_size_never_its_hash(
    gallery: Gallery, tmp_path: Path
) -> None:
    import re

    stored = gallery.store_image(noise_png(40, 24, 3), operation="upload", request_fields={}, response_fields={})
    out = tmp_path / "out"
    gallery.export([stored.hash], out)
    [name] = names(out)
    assert stored.hash[:8] not in name
    assert re.fullmatch(r"image-\d{4}-\d\d-\d\d-\d{4}-40x24\.png", name), name
