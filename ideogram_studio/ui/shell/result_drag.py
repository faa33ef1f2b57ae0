"""Dragging a result out of the strip, the batch grid or the viewer (issue 14): into any drop zone of
the studio (a mode's source slot, a reference slot, the mask canvas) and out to other applications.

The drag carries what every drop target understands: a file URL (file managers, browsers, design
tools take it; the studio's drop zones load local files), the image itself (for targets that take
image data only), and the result's content hash under the studio's own type (so a drop inside the
studio can tell its own results from other files).

The file is an exported copy, as Export writes it: named from its prompt (never the library's hash
name) and without what a source file said about its owner (a photo's place and camera): a drop on a
browser's upload field sends it on. Copies live in the cache's drags folder for a day; a result
dragged again reuses its copy while the copy is as written (an application may have saved over it).

Nothing heavy happens when the drag starts: the image is decoded only when a target asks for image
data (a 4096² result took ~150 ms to decode, which every drag start paid before).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QByteArray, QMetaType, QMimeData, Qt, QUrl
from PySide6.QtGui import QDrag, QPixmap
from PySide6.QtWidgets import QWidget

from ...gallery import GalleryError
from ...settings import cache_dir
from ..common.image_decode import decode_file
from ..widgets.image_drop import RESULT_MIME

if TYPE_CHECKING:
    from ...services import Services
    from ..common.thumbnail_loader import ThumbnailCache
    from ..widgets.viewer import ImageViewer
    from .batch_view import ResultArea
    from .results_strip import ResultsStrip

#: The drag's picture: the thumbnail at most this size (logical px).
DRAG_PICTURE = 128
#: How long a dragged-out copy is kept (the application it was dropped on may read it late).
KEEP_DRAGGED = 24 * 3600
#: Qt's own type for image data in a QMimeData (what hasImage() and imageData() ask for).
QT_IMAGE_MIME = "application/x-qt-image"
#: Copies written this session: image hash → (path, size, modification time) as written.
_copies: dict[str, tuple[Path, int, int]] = {}


class DragHost(Protocol):
    """What the drags need of the main window (named here: the window imports this module)."""

    @property
    def services(self) -> Services: ...
    @property
    def strip(self) -> ResultsStrip: ...
    @property
    def result_area(self) -> ResultArea: ...
    @property
    def viewer(self) -> ImageViewer: ...
    @property
    def thumbnails(self) -> ThumbnailCache: ...

    def shown_image_hash(self) -> str | None: ...


def result_mime(services: Services, image_hash: str) -> QMimeData | None:
    """The drag's data for a stored result: its exported copy's URL, the image and its hash; None
    when the result is gone (trashed and purged meanwhile). When no copy can be written (a full
    disk), the image and its hash still go: the studio's own drop zones and image-taking apps work."""
    try:
        stored = services.gallery.path_for(image_hash)
    except GalleryError:
        return None
    if not stored.is_file():
        return None
    path = dragged_copy(services, image_hash)
    mime = ResultMime(path or stored)
    if path is not None:
        mime.setUrls([QUrl.fromLocalFile(str(path))])
    mime.setData(RESULT_MIME, QByteArray(image_hash.encode("ascii")))
    return mime


class ResultMime(QMimeData):
    """A result's drag data whose image is decoded when a target first asks for it, not when the
    drag starts (the studio's own drop zones read the hash; file managers the URL)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path

    def formats(self) -> list[str]:
        return [*super().formats(), QT_IMAGE_MIME]

    def hasFormat(self, mimetype: str) -> bool:
        return mimetype == QT_IMAGE_MIME or super().hasFormat(mimetype)

    def retrieveData(self, mimetype: str, preferredType: QMetaType | Any) -> Any:
        if mimetype == QT_IMAGE_MIME:
            image = decode_file(self._path)
            return None if image.isNull() else image
        return super().retrieveData(mimetype, preferredType)


def drags_folder() -> Path:
    return cache_dir() / "drags"


def dragged_copy(services: Services, image_hash: str) -> Path | None:
    """An exported copy of the result in a folder of its own (its name is then the export's name,
    never "-2"); None when the result is gone or cannot be copied (a full disk: nothing to drag).
    The copy made earlier this session is given again while it is exactly as written."""
    _forget_old_copies(drags_folder())
    known = _copies.get(image_hash)
    if known is not None:
        path, size, mtime = known
        try:
            stat = path.stat()
            if (stat.st_size, stat.st_mtime_ns) == (size, mtime):
                path.parent.touch()  # kept another day from now
                return path
        except OSError:
            pass
    folder = drags_folder() / image_hash[:16]
    shutil.rmtree(folder, ignore_errors=True)
    try:
        report = services.gallery.export([image_hash], folder)
        if not report.written:
            return None
        copy = report.written[0][1]
        stat = copy.stat()
    except (GalleryError, OSError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    _copies[image_hash] = (copy, stat.st_size, stat.st_mtime_ns)
    return copy


def _forget_old_copies(folder: Path) -> None:
    try:
        old = [p for p in folder.iterdir() if time.time() - p.stat().st_mtime > KEEP_DRAGGED]
    except OSError:
        return
    for path in old:
        shutil.rmtree(path, ignore_errors=True)


def start_result_drag(
    source: QWidget, services: Services, image_hash: str | None, picture: QPixmap | None = None
) -> Qt.DropAction:
    """Drag the result out of `source` (a copy: the result stays where it is). Returns what the
    drop did (IgnoreAction when nothing took it or there was nothing to drag)."""
    if not image_hash:
        return Qt.DropAction.IgnoreAction
    mime = result_mime(services, image_hash)
    if mime is None:
        return Qt.DropAction.IgnoreAction
    drag = QDrag(source)
    drag.setMimeData(mime)
    if picture is not None and not picture.isNull():
        size = picture.deviceIndependentSize().toSize()
        target = size.scaled(DRAG_PICTURE, DRAG_PICTURE, Qt.AspectRatioMode.KeepAspectRatio)
        drag.setPixmap(
            picture.scaled(
                target * picture.devicePixelRatio(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
    return drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)


def install_result_drags(window: DragHost) -> None:
    """Drags from the strip, the batch grid and the viewer."""
    services, thumbs = window.services, window.thumbnails

    def drag_from(source: QWidget, image_hash: str | None) -> None:
        start_result_drag(source, services, image_hash, thumbs.peek(image_hash) if image_hash else None)

    window.strip.drag_requested.connect(lambda h: drag_from(window.strip, h))
    window.result_area.grid.drag_requested.connect(lambda h: drag_from(window.result_area.grid, h))
    window.viewer.drag_out_requested.connect(lambda: drag_from(window.viewer, window.shown_image_hash()))
