"""Import files and folders (ours and other tools'), with a report; export with safe names."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_studio.gallery import Gallery, slugify
from ideogram_studio.gallery.foreign import parse_a1111

from .gallery_fixtures import (
    a1111_png,
    comfyui_png,
    invokeai_png,
    jpeg_bytes,
    noise_png,
    novelai_png,
    store_result,
)


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        yield g


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """Our PNG (from another library), other tools' PNGs, a JPEG, and three bad files."""
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    with Gallery.open(tmp_path / "other-library") as other:
        ours = other.path_for(store_result(other, 1, prompt="a studio result", operation="remix"))
    (folder / "ours.png").write_bytes(ours.read_bytes())
    (folder / "a1111.png").write_bytes(a1111_png())
    (folder / "sub" / "invoke.png").write_bytes(invokeai_png())
    (folder / "sub" / "comfy.png").write_bytes(comfyui_png())
    (folder / "nai.png").write_bytes(novelai_png())
    (folder / "photo.jpg").write_bytes(jpeg_bytes())
    (folder / "notes.png").write_text("this is not an image\n")
    (folder / "broken.png").write_bytes(noise_png(64, 64, seed=77)[:300])
    (folder / "empty.png").write_bytes(b"")
    (folder / ".DS_Store").write_bytes(b"\0\0\0")
    return folder


def test_import_a_mixed_folder_with_report(gallery: Gallery, mixed_folder: Path) -> None:
    progress: list[tuple[int, int]] = []
    report = gallery.import_paths([mixed_folder], progress=lambda done, total, _p: progress.append((done, total)))
    imported = {p.name: h for p, h in report.imported}
    assert set(imported) == {"ours.png", "a1111.png", "invoke.png", "comfy.png", "nai.png", "photo.jpg"}
    skipped = {p.name: why for p, why in report.skipped}
    assert set(skipped) == {"notes.png", "broken.png", "empty.png"}
    assert "not an image" in skipped["notes.png"] and "damaged" in skipped["broken.png"]
    assert progress[-1] == (9, 9) and [d for d, _ in progress] == list(range(1, 10))
    assert not report.cancelled and report.error is None

    # Files are kept byte-exact.
    for name, digest in imported.items():
        src = next(mixed_folder.rglob(name))
        assert gallery.read_bytes(digest) == src.read_bytes()

    ours = gallery.get(imported["ours.png"])
    assert ours is not None and ours.operation == "remix" and ours.prompt == "a studio result"
    assert gallery.metadata(imported["ours.png"])["kind"] == "result"

    a = gallery.get(imported["a1111.png"])
    assert a is not None and a.operation == "import" and a.source == "a1111" and a.seed == 1234567
    assert a.prompt == "a lighthouse at dusk, (dramatic clouds:1.2)\noil painting"
    assert a.negative_prompt == "blurry, lowres"
    meta = gallery.metadata(imported["a1111.png"])
    assert meta["width"] == 512 and meta["height"] == 768 and meta["parameters"]["Model"] == "sd, xl"
    assert meta["filename"] == "a1111.png" and "parameters" in meta["chunks"]

    inv = gallery.get(imported["invoke.png"])
    assert inv is not None and (inv.source, inv.prompt, inv.negative_prompt, inv.seed) == (
        "invokeai", "a fox in the snow", "text", 99)
    assert "should-never-be-kept" not in json.dumps(gallery.metadata(imported["invoke.png"]))

    comfy = gallery.get(imported["comfy.png"])
    assert comfy is not None and (comfy.source, comfy.prompt, comfy.negative_prompt, comfy.seed) == (
        "comfyui", "a red bicycle", "watermark", 777)
    assert "workflow" in gallery.metadata(imported["comfy.png"])["chunks"]

    nai = gallery.get(imported["nai.png"])
    assert nai is not None and (nai.source, nai.prompt, nai.negative_prompt, nai.seed) == (
        "novelai", "a girl reading under a tree", "bad hands", 4242)

    photo = gallery.get(imported["photo.jpg"])
    assert photo is not None and photo.format == "JPEG" and photo.source is None
    assert set(gallery.search("lighthouse")) == {a.id}
    assert gallery.facets(fields=("source",))["source"]

    again = gallery.import_paths([mixed_folder])
    assert again.imported == [] and {p.name for p, _ in again.duplicates} == set(imported)
    assert gallery.check().clean


def test_import_cancel_leaves_only_whole_images(gallery: Gallery, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10):
        (folder / f"{i:02}.png").write_bytes(noise_png(32, 32, seed=200 + i))
    stop = threading.Event()

    def progress(done: int, _total: int, _path: Path) -> None:
        if done == 4:
            stop.set()

    report = gallery.import_paths([folder], progress=progress, cancel=stop)
    assert report.cancelled and len(report.imported) == 4
    assert gallery.count() == 4 and gallery.check().clean
    rest = gallery.import_paths([folder], cancel=lambda: False)
    assert len(rest.imported) == 6 and len(rest.duplicates) == 4


def test_importing_an_input_makes_it_visible(gallery: Gallery, tmp_path: Path) -> None:
    data = noise_png(40, 40, seed=300)
    digest = gallery.store_input(data, "image").hash
    assert gallery.ids() == []
    (tmp_path / "again.png").write_bytes(data)
    report = gallery.import_paths([tmp_path / "again.png"])
    assert [h for _, h in report.duplicates] == [digest]
    assert [r.hash for r in gallery.rows_for(gallery.ids())] == [digest]


def test_a1111_parser_edge_cases() -> None:
    assert parse_a1111("just a prompt")["prompt"] == "just a prompt"
    only_params = parse_a1111("a tree\nSteps: 20, Seed: 5, Size: 64x32")
    assert (only_params["prompt"], only_params["seed"], only_params["width"]) == ("a tree", 5, 64)
    assert only_params["negative_prompt"] is None
    multi = parse_a1111("p1\np2\nNegative prompt: n1\nn2\nSteps: 1, Seed: -1")
    assert (multi["prompt"], multi["negative_prompt"], multi["seed"]) == ("p1\np2", "n1\nn2", -1)


def test_slugify() -> None:
    assert slugify("A Poster: Café & Neon — 2025!") == "a-poster-cafe-neon-2025"
    long = slugify("word " * 40, max_length=20)
    assert len(long) <= 20 and not long.endswith("-") and long.startswith("word-word")
    assert slugify("") == "" and slugify("🐱🐱") == ""
    assert slugify("CON") == "con-image"


def test_export_names_dedupe_and_sidecar(gallery: Gallery, tmp_path: Path) -> None:
    a = store_result(gallery, 1, prompt="A red poster!")
    b = store_result(gallery, 2, prompt="a red poster")
    c = store_result(gallery, 3, prompt="🐱")
    jpg = gallery.store_input(jpeg_bytes(), "image").hash
    out = tmp_path / "export"
    out.mkdir()
    (out / "a-red-poster.png").write_bytes(b"someone else's file")
    report = gallery.export([a, b, c, jpg], out, sidecar=True)
    names = [p.name for _, p in report.written]
    assert names[:2] == ["a-red-poster-2.png", "a-red-poster-3.png"]
    # Without a usable prompt: named by date and size, never by the hash.
    assert re.fullmatch(r"image-\d{4}-\d\d-\d\d-\d{4}-\d+x\d+\.png", names[2]) and c[:8] not in names[2]
    assert re.fullmatch(r"image-\d{4}-\d\d-\d\d-\d{4}-\d+x\d+\.jpg", names[3]) and jpg[:8] not in names[3]
    assert (out / "a-red-poster.png").read_bytes() == b"someone else's file"
    for digest, path in report.written:
        assert path.read_bytes() == gallery.read_bytes(digest)  # metadata inside, pixels untouched
        side = json.loads(path.with_suffix(".json").read_text())
        assert side["hash"] == digest and side["metadata"] == gallery.metadata(digest)
    assert "api_key" not in (out / "a-red-poster-2.json").read_text().lower()
    again = gallery.export([a], out)
    assert [p.name for _, p in again.written] == ["a-red-poster-4.png"]
    assert not list(out.glob(".tmp-*"))
    # An exported result imported elsewhere comes back with its metadata.
    with Gallery.open(tmp_path / "elsewhere") as other:
        rep = other.import_paths([out / "a-red-poster-2.png"])
        assert other.metadata(rep.imported[0][1]) == gallery.metadata(a)
