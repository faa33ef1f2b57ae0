"""Reading a large source image off the GUI thread: a preview first, then the image itself.

An 8K photo takes the GUI thread a second or more to read, check (Pillow decodes it fully),
convert and decode again for display; the window would freeze that long. `SourceLoader` runs that
work on Qt's global thread pool and hands the results back through queued signals:

1. `preview`: a small QImage (decoded at a reduced size where the format allows it: JPEG scales
   while decoding) and the full size, so the picker shows what is coming at once;
2. `loaded`: the checked, prepared `ImageFile`, its full-size QImage already in the format Qt paints
   without converting (see `ui.common.paintable_image`: the GUI thread then does no per-pixel work
   to show it) and its thumbnail, or `failed` with a sentence saying why.

The worker decodes through QImageReader on a file, which lets Python's GIL go while it decodes:
`QImage.fromData` would hold it for the whole decode (0.2-0.4 s for an 8K JPEG), and the GUI
thread would stall that long at its next Python slot. Pillow's check of the file allocates its
blocks as fresh mappings (`imaging.pillow_memory`: no 50-100 ms memset under the GIL), and the
workers run at a lower priority than the GUI thread (`ui.common.worker_pool`).

Every job carries a ticket; a newer job makes older results stale (they are dropped), so the last
image chosen wins whatever order the workers finish in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageIOHandler

from ...api.errors import ImageFileError
from ...api.limits import MAX_INPUT_PIXELS
from ...imaging.pillow_memory import use_lazily_zeroed_blocks
from ...imaging.source_prep import Prepared
from ..common import worker_pool
from ..common.image_decode import file_reader, sniffed_format

#: Images with more pixels than this are read in a worker (a 4-megapixel image decodes in well
#: under 50 ms on a modest machine; the 8K ones the issue names take over a second).
LARGE_PIXELS = 4_000_000
#: The preview's longest side (the picker's thumbnail is 76 px; a little more for a sharp one).
PREVIEW_SIDE = 304


@dataclass(frozen=True)
class Loaded:
    """What a worker made of one source: the image to send, and what the picker shows."""

    prepared: Prepared
    #: The image as the API sees the pixels (null when the file was over the size limit and held back).
    qimage: QImage
    thumbnail: QImage


def is_studio_format(path: str | Path) -> bool:
    """The file starts as one of the formats the studio tells its readers (``sniffed_format``: PNG,
    JPEG, WebP, GIF). Any other file is never handed to Qt: a reader not told the format probes every
    plugin for it, holding the GIL (and Qt's plugin locks) meanwhile; the API takes none of them, and
    the file's check (``ImageFile``) refuses it in words anyway."""
    try:
        with open(path, "rb") as f:
            return bool(sniffed_format(f.read(16)))
    except OSError:
        return False


def header_pixels(path: str | Path) -> int:
    """The pixel count the file's header declares (0 when unknown); reads no pixel data."""
    if not is_studio_format(path):
        return 0
    size = file_reader(path).size()
    return max(0, size.width()) * max(0, size.height()) if size.isValid() else 0


def preview_image(path: str | Path, side: int = PREVIEW_SIDE) -> tuple[QImage, QSize, QImage]:
    """A quick small picture of the file, its full size, and the whole image when the picture took a
    full decode (null otherwise). JPEG decodes at a fraction of its size; a PNG only whole, so the work
    after the preview reuses that decode rather than decoding again (seconds for an 8K one). A
    decompression bomb is not decoded: a null picture and the size its header declares; a file of
    another format is not read at all (null, and an invalid size)."""
    if not is_studio_format(path):
        return QImage(), QSize(), QImage()
    reader = file_reader(path)  # (told the format: size() probes no plugin, holding the GIL)
    full = reader.size()
    if not full.isValid() or full.width() * full.height() > MAX_INPUT_PIXELS:
        return QImage(), full, QImage()
    if max(full.width(), full.height()) <= side:
        whole = reader.read()
        return whole, full, whole
    if reader.supportsOption(QImageIOHandler.ImageOption.ScaledSize):
        reader.setScaledSize(full.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
        return reader.read(), full, QImage()
    whole = reader.read()
    if whole.isNull():
        return whole, full, whole
    # Fast to twice the size, then smooth: each call holds the GIL (a few ms at most this way).
    rough = whole.scaled(side * 2, side * 2, Qt.AspectRatioMode.KeepAspectRatio)
    small = rough.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return small, full, whole


class SourceLoader(QObject):
    """Runs source-reading jobs on a worker pool; results come back as queued signals."""

    #: ticket, small preview (null when the format gives none quickly), the full size
    preview = Signal(int, QImage, QSize)
    #: ticket, Loaded
    loaded = Signal(int, object)
    #: ticket, a sentence saying why the image cannot be used
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticket = 0

    def current(self) -> int:
        return self._ticket

    def is_current(self, ticket: int) -> bool:
        return ticket == self._ticket

    def cancel(self) -> None:
        """Whatever is still running finishes, but its results are dropped."""
        self._ticket += 1

    def start(self, work: Callable[..., Loaded], *, preview_of: str | Path | None = None) -> int:
        """Run `work` in a worker (a preview of `preview_of` first; `work` is then given the whole
        decoded image, or a null one: see preview_image); returns the job's ticket. `work` raises
        ImageFileError (its message is the sentence shown) when the image is refused."""
        self._ticket += 1
        ticket = self._ticket

        def run() -> None:
            use_lazily_zeroed_blocks()  # (here: Pillow loads on first use, not with the panels)
            try:
                result: Loaded | str
                if preview_of is not None:
                    small, full, whole = preview_image(preview_of)
                    if full.isValid():  # (a null picture: the size alone, see preview_image)
                        self.preview.emit(ticket, small, full)
                    result = work(whole)
                else:
                    result = work()
            except ImageFileError as exc:
                result = str(exc)
            except (OSError, ValueError, MemoryError) as exc:  # a broken file must not end the worker silently
                result = f"The image cannot be read ({exc})."
            except RuntimeError:  # the picker was closed (its loader deleted) while this ran
                return
            try:
                if isinstance(result, str):
                    self.failed.emit(ticket, result)
                else:
                    self.loaded.emit(ticket, result)
            except RuntimeError:  # the picker was closed meanwhile: nobody is waiting for this
                pass

        worker_pool.start(run)
        return ticket
