"""Thumbnails cached on disk, made by a pool of worker threads, never on the caller's thread.

`thumbs/<size>/ab/<hash>.jpg` (opaque images) or `.webp` (images with transparency), longest
side = size. Pillow releases the GIL while decoding, reducing, resizing and encoding, so worker
threads run in parallel (benchmarks/bench_gallery.py measures threads against processes).

The fast path: JPEG sources are decoded at reduced scale (`Image.draft`); other sources are
shrunk by an integer factor with `Image.reduce` (box filter, cheap): all the way when the target
is an exact fraction (1024 → 256, 1024 → 512), else to no less than twice the target and then
resized with BICUBIC (what `Image.thumbnail` does, with the reduce made explicit).
Writes are temp-then-rename without fsync: a thumbnail is a
cache, and a damaged one is found unreadable and made again.

The queue is LIFO (what the user just scrolled to is made first) and a future that is still
queued can be cancelled (`Future.cancel()`), e.g. for a page that scrolled away.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from ..api.colour import is_srgb, to_srgb
from .errors import GalleryError, ImageRejectedError
from .files import atomic_write, is_temp_name

DEFAULT_SIZES = (256, 512)
_EXTS = (".jpg", ".webp")


class LifoPool:
    """A fixed set of daemon threads serving the most recent submission first."""

    def __init__(self, workers: int, name: str = "thumbnail") -> None:
        self._queue: queue.LifoQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.LifoQueue()
        self._threads = [
            threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True) for i in range(max(1, workers))
        ]
        self._closed = False
        for t in self._threads:
            t.start()

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        if self._closed:
            raise RuntimeError("the thumbnail pool is shut down")
        fut: Future[Any] = Future()
        self._queue.put((fut, fn))
        return fut

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            fut, fn = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as exc:
                fut.set_exception(exc)
            else:
                fut.set_result(result)

    def shutdown(self, wait: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(queue.Empty):
            while True:
                item = self._queue.get_nowait()
                if item is not None:
                    item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            for t in self._threads:
                t.join()


def _target_size(width: int, height: int, size: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= size:
        return width, height
    scale = size / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def render_thumbnail(src: Path, size: int) -> Image.Image:
    """Open, decode (reduced where the format allows), orient and shrink one image."""
    with Image.open(src) as im:
        if im.format == "JPEG":
            im.draft("RGB", (size, size))  # DCT scaling: decode at 1/2, 1/4 or 1/8
        im.load()
        img: Image.Image = im
        icc = im.info.get("icc_profile")
        if icc and not is_srgb(icc):
            # A wide-gamut or camera profile (an imported photo): shown as its colours, not its numbers.
            img = to_srgb(img).image
        if img.mode == "P" or img.mode == "PA":
            img = img.convert("RGBA" if "transparency" in img.info or img.mode == "PA" else "RGB")
        elif img.mode not in ("RGB", "RGBA", "L", "LA"):
            img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
        if getattr(im, "getexif", None) is not None and im.format in ("JPEG", "WEBP", "MPO", "TIFF"):
            img = ImageOps.exif_transpose(img)
        tw, th = _target_size(img.width, img.height, size)
        exact = img.width // tw
        if exact >= 2 and img.width == exact * tw and img.height == exact * th:
            img = img.reduce(exact)  # an exact integer factor: box averaging is all it takes
        else:
            factor = min(img.width // (2 * tw), img.height // (2 * th))
            if factor >= 2:
                img = img.reduce(factor)  # cheap box filter down to no less than twice the target
            if img.size != (tw, th):
                img = img.resize((tw, th), Image.Resampling.BICUBIC)
        return img if img is not im else img.copy()


def has_alpha(img: Image.Image) -> bool:
    if img.mode not in ("RGBA", "LA"):
        return False
    extrema = img.getchannel("A").getextrema()
    return bool(extrema[0] < 255)  # type: ignore[operator]


def encode_thumbnail(img: Image.Image) -> tuple[bytes, str]:
    """JPEG for opaque images (fast), WebP for images with transparency."""
    import io

    buf = io.BytesIO()
    if has_alpha(img):
        img.save(buf, "WEBP", quality=82, method=0)
        return buf.getvalue(), ".webp"
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(buf, "JPEG", quality=85, optimize=False)
    return buf.getvalue(), ".jpg"


def _readable(path: Path, full: bool) -> bool:
    try:
        if path.stat().st_size == 0:
            return False
        with Image.open(path) as im:
            if full:
                im.load()
        return True
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


class Thumbnailer:
    """Thumbnail cache and worker pool. `submit` and `thumbnail` may be called from any thread."""

    def __init__(
        self,
        root: Path,
        find_source: Callable[[str], Path | None],
        *,
        sizes: Iterable[int] = DEFAULT_SIZES,
        workers: int | None = None,
        verify_cached: bool = True,
    ) -> None:
        self.root = root
        self.dir = root / "thumbs"
        self.sizes = tuple(sizes)
        self._find_source = find_source
        self._verify = verify_cached
        self._pool = LifoPool(workers or min(4, os.cpu_count() or 2))
        self._lock = threading.Lock()
        self._inflight: dict[tuple[str, int], Future[Path]] = {}

    # ---- paths --------------------------------------------------------------------------------------
    def _base(self, digest: str, size: int) -> Path:
        return self.dir / str(size) / digest[:2] / digest

    def cached_path(self, digest: str, size: int) -> Path | None:
        """The cached thumbnail if one exists (not checked); never makes one."""
        base = self._base(digest, size)
        for ext in _EXTS:
            p = base.with_suffix(ext)
            if p.exists():
                return p
        return None

    # ---- making ---------------------------------------------------------------------------------------
    def submit(self, digest: str, size: int, *, force: bool = False) -> Future[Path]:
        """A future of the thumbnail's path; fails with GalleryError if the source is damaged."""
        if size <= 0:
            raise ValueError("a thumbnail size is a positive number of pixels")
        key = (digest, size)
        with self._lock:
            fut = self._inflight.get(key)
            if fut is not None and not fut.done() and not force:
                return fut
            fut = self._pool.submit(lambda: self.make(digest, size, force=force))
            self._inflight[key] = fut
        fut.add_done_callback(lambda f: self._forget(key, f))
        return fut

    def _forget(self, key: tuple[str, int], fut: Future[Path]) -> None:
        with self._lock:
            if self._inflight.get(key) is fut:
                del self._inflight[key]

    async def thumbnail(self, digest: str, size: int) -> Path:
        return await asyncio.wrap_future(self.submit(digest, size))

    def make(self, digest: str, size: int, *, force: bool = False) -> Path:
        """Make (or reuse) one thumbnail on the calling thread; the pool's job."""
        if not force:
            cached = self.cached_path(digest, size)
            if cached is not None and _readable(cached, self._verify):
                return cached
        src = self._find_source(digest)
        if src is None:
            raise GalleryError(f"No image {digest[:12]}… in the gallery to make a thumbnail from.")
        try:
            img = render_thumbnail(src, size)
        except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
            raise ImageRejectedError(
                f"Cannot make a thumbnail: the image {src.name} is damaged ({exc})."
            ) from None
        data, ext = encode_thumbnail(img)
        base = self._base(digest, size)
        path = base.with_suffix(ext)
        atomic_write(path, data, durable=False, action="save a thumbnail", root=self.root)
        other = base.with_suffix(".webp" if ext == ".jpg" else ".jpg")
        with contextlib.suppress(FileNotFoundError):
            other.unlink()
        return path

    # ---- maintenance ----------------------------------------------------------------------------------
    def invalidate(self, digest: str) -> None:
        """Delete every cached thumbnail of an image (any size)."""
        for size in self.cached_sizes():
            base = self._base(digest, size)
            for ext in _EXTS:
                with contextlib.suppress(FileNotFoundError):
                    base.with_suffix(ext).unlink()

    def cached_sizes(self) -> list[int]:
        sizes = set(self.sizes)
        with contextlib.suppress(OSError):
            sizes.update(int(e.name) for e in os.scandir(self.dir) if e.is_dir() and e.name.isdigit())
        return sorted(sizes)

    def iter_cached(self) -> Iterable[tuple[str, int, Path]]:
        """(hash, size, path) of every cached thumbnail file, temp files included as hash ''."""
        for size in self.cached_sizes():
            root = self.dir / str(size)
            try:
                shards = list(os.scandir(root))
            except OSError:
                continue
            for shard in shards:
                if not shard.is_dir():
                    continue
                for entry in os.scandir(shard.path):
                    name = entry.name
                    yield ("" if is_temp_name(name) else name.split(".")[0]), size, Path(entry.path)

    def is_readable(self, path: Path) -> bool:
        return _readable(path, True)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
