"""Storing images: content addressing, dedupe, metadata in iTXt, refusals, atomic writes."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.gallery import (
    KEYWORD,
    Gallery,
    GalleryError,
    ImageRejectedError,
    SecretInMetadataError,
    StorageError,
)
from ideogram_studio.gallery import files as files_mod
from ideogram_studio.gallery.pngchunks import PngFormatError, idat_bytes, iter_chunks, read_text, splice_itxt

from .gallery_fixtures import encode, jpeg_bytes, noise_png, store_result, tree

REQUEST = {"prompt": "a poster of a cat", "style_preset": "BAUHAUS", "color_palette": {"name": "EMBER"},
           "num_images": 1, "seed": 7}
RESPONSE = {"seed": 7, "resolution": "64x64", "prompt": "a poster of a cat, bold shapes",
            "is_image_safe": True, "style_type": "DESIGN", "url": "https://ideogram.ai/api/images/x?exp=1"}


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library") as g:
        yield g


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(files_mod.TMP_PREFIX)]


def test_store_names_file_by_sha256_and_shards(gallery: Gallery) -> None:
    stored = gallery.store_image(noise_png(seed=1), operation="generate", request_fields=REQUEST,
                                 response_fields=RESPONSE, job_id="job-1")
    data = stored.path.read_bytes()
    assert stored.hash == hashlib.sha256(data).hexdigest()
    assert stored.path == gallery.data_dir / "images" / stored.hash[:2] / f"{stored.hash}.png"
    assert (stored.width, stored.height, stored.format, stored.bytes) == (64, 64, "PNG", len(data))
    assert gallery.read_bytes(stored.hash) == data
    assert gallery.path_for(stored.hash) == stored.path
    row = gallery.get(stored.hash)
    assert row is not None and row.operation == "generate" and row.seed == 7 and row.palette == "EMBER"
    assert row.prompt == "a poster of a cat" and row.prompt_used == "a poster of a cat, bold shapes"
    assert row.style_type == "DESIGN" and row.job_id == "job-1" and not row.is_input


def test_same_bytes_are_stored_once(gallery: Gallery) -> None:
    kw = {"operation": "generate", "request_fields": REQUEST, "response_fields": RESPONSE,
          "created_at": None, "job_id": "j"}
    from datetime import UTC, datetime

    kw["created_at"] = datetime(2025, 5, 1, tzinfo=UTC)
    a = gallery.store_image(noise_png(seed=2), **kw)  # type: ignore[arg-type]
    b = gallery.store_image(noise_png(seed=2), **kw)  # type: ignore[arg-type]
    assert a.hash == b.hash and a.new and not b.new
    assert gallery.count() == 1
    assert len(list((gallery.data_dir / "images").rglob("*.png"))) == 1
    # Inputs are byte-exact: the same file given twice is one input.
    i1 = gallery.store_input(noise_png(seed=3), "image")
    i2 = gallery.store_input(noise_png(seed=3), "mask")
    assert i1.hash == i2.hash == hashlib.sha256(noise_png(seed=3)).hexdigest() and not i2.new


def test_itxt_round_trip_keeps_pixel_data_byte_identical(gallery: Gallery) -> None:
    original = noise_png(96, 80, seed=4)
    stored = gallery.store_image(original, operation="generate", request_fields=REQUEST, response_fields=RESPONSE)
    data = stored.path.read_bytes()
    assert idat_bytes(data) == idat_bytes(original)
    # Every chunk of the original is there, in order, byte for byte; ours are the only additions:
    # the metadata, and the sRGB tag the original lacked (colour-managed viewers read it).
    orig_chunks = [(c.type, c.data) for c in iter_chunks(original)]
    new_chunks = [(c.type, c.data) for c in iter_chunks(data)]
    ours = [c for c in new_chunks if c not in orig_chunks]
    assert sorted(c[0] for c in ours) == [b"iTXt", b"sRGB"]
    assert [c for c in new_chunks if c in orig_chunks] == orig_chunks
    # Pillow reads the chunk too, and the decoded pixels are the same.
    with Image.open(io.BytesIO(data)) as a, Image.open(io.BytesIO(original)) as b:
        assert a.tobytes() == b.tobytes()
        meta = json.loads(a.text[KEYWORD])  # type: ignore[attr-defined]
    assert meta == gallery.metadata(stored.hash)
    assert meta["request"] == REQUEST and meta["operation"] == "generate"
    assert meta["response"] == {k: v for k, v in RESPONSE.items() if k != "url"}  # the expiring link is not kept
    assert "url" not in json.dumps(meta) or "https://" not in json.dumps(meta)


def test_metadata_never_contains_a_key(gallery: Gallery) -> None:
    bad_request = dict(REQUEST, api_key="sk-123")
    with pytest.raises(SecretInMetadataError) as info:
        gallery.store_image(noise_png(seed=5), operation="generate", request_fields=bad_request,
                            response_fields=RESPONSE)
    assert "sk-123" not in str(info.value) and "api_key" in str(info.value)
    for name in ("Api-Key", "X-Api-Key", "apiKey", "Authorization"):
        with pytest.raises(SecretInMetadataError):
            gallery.store_image(noise_png(seed=5), operation="generate", request_fields=REQUEST,
                                response_fields={"headers": {name: "secret"}})
    assert gallery.count() == 0
    assert not (gallery.data_dir / "images").exists() or tree(gallery.data_dir / "images") == []
    stored = gallery.store_image(noise_png(seed=6), operation="generate", request_fields=REQUEST,
                                 response_fields=RESPONSE)
    raw = stored.path.read_bytes().lower()
    assert b"api_key" not in raw and b"api-key" not in raw


def test_splice_replaces_own_chunk_and_checks_crc() -> None:
    original = noise_png(seed=7)
    once = splice_itxt(original, KEYWORD, '{"a":1}')
    twice = splice_itxt(once, KEYWORD, '{"a":2}')
    assert read_text(twice)[KEYWORD] == '{"a":2}'
    assert sum(c.type == b"iTXt" for c in iter_chunks(twice)) == 1
    compressed = splice_itxt(original, KEYWORD, "ü" * 500, compress=True)
    assert read_text(compressed)[KEYWORD] == "ü" * 500
    broken = bytearray(original)
    broken[40] ^= 0xFF  # inside IHDR/IDAT: CRC no longer matches
    with pytest.raises(PngFormatError):
        splice_itxt(bytes(broken), KEYWORD, "{}")
    with pytest.raises(PngFormatError):
        splice_itxt(original[: len(original) - 20], KEYWORD, "{}")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"hello, I am a text file\n" * 10, "not an image"),
        (noise_png(seed=8)[:-200], "damaged"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "not an image"),
    ],
)
def test_refuses_non_images_and_damaged_files(gallery: Gallery, data: bytes, words: str) -> None:
    with pytest.raises(ImageRejectedError) as info:
        gallery.store_image(data, operation="generate", request_fields=REQUEST, response_fields=RESPONSE)
    assert words in str(info.value)
    with pytest.raises(ImageRejectedError):
        gallery.store_input(data, "image")
    assert gallery.count(None) == 0 and not _temp_files(gallery.data_dir)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_refuses_decompression_bomb(gallery: Gallery, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ImageRejectedError) as info:
        gallery.store_input(noise_png(40, 30, seed=9), "image")  # 1,200 pixels: over the (lowered) limit
    assert "decompression bomb" in str(info.value)
    # Far over the limit Pillow itself refuses while opening: same message.
    with pytest.raises(ImageRejectedError, match="decompression bomb"):
        gallery.store_input(noise_png(100, 100, seed=9), "image")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("where", ["write", "replace"])
def test_disk_errors_are_refused_cleanly(gallery: Gallery, monkeypatch: pytest.MonkeyPatch, code: int,
                                         where: str) -> None:
    # Tests may run as root, where chmod does not stop writes: make the OS calls fail instead.
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    target = "write" if where == "write" else "replace"
    monkeypatch.setattr(files_mod.os, target, fail)
    with pytest.raises(StorageError) as info:
        gallery.store_image(noise_png(seed=10), operation="generate", request_fields=REQUEST,
                            response_fields=RESPONSE)
    monkeypatch.undo()
    message = str(info.value)
    assert info.value.errno == code
    assert {errno.ENOSPC: "full", errno.EROFS: "read-only", errno.EACCES: "permission"}[code] in message
    assert not _temp_files(gallery.data_dir)
    assert gallery.count() == 0 and not list((gallery.data_dir / "images").rglob("*.png"))
    assert gallery.library.index.pending() == []
    # The library still works afterwards.
    store_result(gallery, 11)
    assert gallery.count() == 1


def test_read_only_data_folder_is_refused_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(StorageError, match="read-only"):
        Gallery.open(tmp_path / "ro")


def test_non_png_inputs_are_kept_byte_exact_with_metadata_in_sidecar(gallery: Gallery) -> None:
    jpeg = jpeg_bytes()
    webp = encode(Image.open(io.BytesIO(noise_png(seed=12))), "WEBP", quality=80)
    j = gallery.store_input(jpeg, "style_reference_images", filename="ref.jpg")
    w = gallery.store_input(webp, "image", filename="src.webp")
    assert j.path.suffix == ".jpg" and j.path.read_bytes() == jpeg
    assert w.path.suffix == ".webp" and w.path.read_bytes() == webp
    meta = gallery.metadata(j.hash)
    assert meta["kind"] == "input" and meta["role"] == "style_reference_images" and meta["filename"] == "ref.jpg"
    side = json.loads((gallery.data_dir / "annotations" / j.hash[:2] / f"{j.hash}.json").read_text())
    assert side["metadata"] == meta and side["is_input"] is True
    # Inputs stay out of the default view but are found on request.
    assert gallery.ids() == []
    from ideogram_studio.gallery import ImageQuery

    assert set(gallery.ids(ImageQuery(inputs=True))) == {gallery.get(j.hash).id, gallery.get(w.hash).id}  # type: ignore[union-attr]


def test_lineage_is_recorded_from_store(gallery: Gallery) -> None:
    src = gallery.store_input(noise_png(seed=20), "image").hash
    mask = gallery.store_input(noise_png(seed=21, mode="L"), "mask").hash
    ref = gallery.store_input(jpeg_bytes(seed=22), "style_reference_images").hash
    child = store_result(gallery, 23, operation="edit", parents=[src], mask=mask,
                         references={"style_reference_images": [ref]})
    assert {(p.parent, p.role, p.operation) for p in gallery.parents(child)} == {
        (src, "image", "edit"), (mask, "mask", "edit"), (ref, "style_reference_images", "edit")}
    assert [c.child for c in gallery.children(src)] == [child]
    grandchild = store_result(gallery, 24, operation="remix", parents=[child])
    assert [c.child for c in gallery.children(child)] == [grandchild]
    meta = gallery.metadata(child)
    assert {(x["hash"], x["role"]) for x in meta["lineage"]} == {
        (src, "image"), (mask, "mask"), (ref, "style_reference_images")}


def test_concurrent_stores_from_threads(gallery: Gallery) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    when = datetime(2025, 6, 1, tzinfo=UTC)  # same bytes and same metadata: the same file
    with ThreadPoolExecutor(8) as pool:
        hashes = list(pool.map(lambda i: store_result(gallery, 100 + i % 20, prompt=f"p{i % 20}", created_at=when),
                               range(60)))
    assert len(set(hashes)) == 20 and gallery.count() == 20
    assert gallery.check().clean


def test_unknown_image_raises_not_found(gallery: Gallery) -> None:
    with pytest.raises(GalleryError):
        gallery.metadata("0" * 64)
    with pytest.raises(KeyError):
        gallery.path_for("f" * 64)


def test_storing_again_heals_a_file_lost_behind_our_back(gallery: Gallery) -> None:
    data = noise_png(seed=30)
    first = gallery.store_input(data, "image")
    first.path.unlink()
    again = gallery.store_input(data, "image")
    assert not again.new and again.path.read_bytes() == data
    assert gallery.check().clean
