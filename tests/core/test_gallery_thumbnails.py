"""Thumbnails: two sizes, cached, regenerated, made off the caller's thread, damaged sources."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from ideogram_studio.gallery import Gallery, GalleryError
from ideogram_studio.gallery.thumbnails import LifoPool, render_thumbnail

from .gallery_fixtures import encode, noise_png, store_result


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    with Gallery.open(tmp_path / "library", thumbnail_sizes=(256, 512)) as g:
        yield g


def _store_big(g: Gallery, w: int = 1200, h: int = 900, seed: int = 1) -> str:
    return g.store_input(noise_png(w, h, seed), "image").hash


def test_two_sizes_longest_side_and_cache_paths(gallery: Gallery) -> None:
    digest = _store_big(gallery)
    small = gallery.submit_thumbnail(digest, 256).result(timeout=30)
    large = gallery.submit_thumbnail(digest, 512).result(timeout=30)
    assert small == gallery.data_dir / "thumbs" / "256" / digest[:2] / f"{digest}.jpg"
    assert large.parent.parent.name == "512"
    with Image.open(small) as a, Image.open(large) as b:
        assert a.size == (256, 192) and b.size == (512, 384)
    # A cached thumbnail is returned as is (not rewritten).
    mtime = small.stat().st_mtime_ns
    assert gallery.submit_thumbnail(digest, 256).result(timeout=30) == small
    assert small.stat().st_mtime_ns == mtime
    assert gallery.cached_thumbnail(digest, 256) == small


def test_small_images_are_not_enlarged_and_alpha_goes_to_webp(gallery: Gallery) -> None:
    digest = gallery.store_input(noise_png(100, 50, seed=2), "image").hash
    with Image.open(gallery.submit_thumbnail(digest, 256).result(timeout=30)) as im:
        assert im.size == (100, 50)
    rgba = noise_png(600, 600, seed=3, mode="RGBA")
    alpha = gallery.store_input(rgba, "image").hash
    path = gallery.submit_thumbnail(alpha, 256).result(timeout=30)
    assert path.suffix == ".webp"
    with Image.open(path) as im:
        assert im.mode == "RGBA" and im.size == (256, 256)


def test_regenerated_when_deleted_or_unreadable(gallery: Gallery) -> None:
    digest = _store_big(gallery)
    path = gallery.submit_thumbnail(digest, 256).result(timeout=30)
    path.unlink()
    assert gallery.submit_thumbnail(digest, 256).result(timeout=30) == path and path.exists()
    path.write_bytes(b"garbage")
    assert gallery.submit_thumbnail(digest, 256).result(timeout=30) == path
    with Image.open(path) as im:
        im.load()
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # truncated: header fine, data not
    gallery.submit_thumbnail(digest, 256).result(timeout=30)
    with Image.open(path) as im:
        im.load()


def test_made_on_a_worker_thread_never_the_callers(gallery: Gallery, monkeypatch: pytest.MonkeyPatch) -> None:
    import ideogram_studio.gallery.thumbnails as th

    threads: list[str] = []
    real = th.render_thumbnail

    def spy(src: Path, size: int) -> Image.Image:
        threads.append(threading.current_thread().name)
        return real(src, size)

    monkeypatch.setattr(th, "render_thumbnail", spy)
    digest = _store_big(gallery)
    gallery.submit_thumbnail(digest, 256).result(timeout=30)
    assert threads and threading.current_thread().name not in threads
    assert all(name.startswith("thumbnail-") for name in threads)


async def test_async_thumbnail(gallery: Gallery) -> None:
    digest = await asyncio.to_thread(_store_big, gallery)
    path = await gallery.thumbnail(digest, 256)
    assert path.exists()


def test_damaged_source_fails_the_future_with_gallery_error(gallery: Gallery) -> None:
    digest = _store_big(gallery)
    src = gallery.path_for(digest)
    src.write_bytes(src.read_bytes()[:5000])  # damaged behind the gallery's back
    fut = gallery.submit_thumbnail(digest, 256)
    with pytest.raises(GalleryError, match="damaged"):
        fut.result(timeout=30)
    with pytest.raises(GalleryError):
        gallery.submit_thumbnail("ab" * 32, 256).result(timeout=30)


def test_jpeg_uses_draft_and_exif_orientation(tmp_path: Path) -> None:
    img = Image.open(io.BytesIO(noise_png(1600, 800, seed=4))).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: displayed 800 wide, 1600 high
    path = tmp_path / "x.jpg"
    path.write_bytes(encode(img, "JPEG", quality=90, exif=exif))
    thumb = render_thumbnail(path, 256)
    assert thumb.size == (128, 256)


def test_lifo_pool_serves_latest_first_and_cancels_queued() -> None:
    pool = LifoPool(1)
    gate = threading.Event()
    started = threading.Event()
    order: list[int] = []
    first = pool.submit(lambda: (started.set(), gate.wait(10)))
    assert started.wait(10)  # the worker is busy with the first job: the others queue up
    futures = [pool.submit(lambda i=i: order.append(i)) for i in range(5)]  # type: ignore[misc]
    assert futures[2].cancel()
    gate.set()
    first.result(timeout=10)
    for f in futures:
        if not f.cancelled():
            f.result(timeout=10)
    assert order == [4, 3, 1, 0]
    pool.shutdown()


def test_many_thumbnails_in_parallel(gallery: Gallery) -> None:
    hashes = [store_result(gallery, s) for s in range(30)]
    futures = [gallery.submit_thumbnail(h, size) for h in hashes for size in (256, 512)]
    paths = [f.result(timeout=60) for f in futures]
    assert len(set(paths)) == 60 and all(p.exists() for p in paths)
