"""Drag-and-drop of images (file URLs or image data) onto a widget, shared by the drop zones."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent

#: The studio's own drag type: the content hash of a stored result (a drag out of the strip, the
#: batch grid or the viewer also carries the file's URL and the image, for everyone else).
RESULT_MIME = "application/x-ideogram-studio-result"


def result_hash(mime: QMimeData | None) -> str | None:
    """The content hash of a studio result carried by a drag (None for anything else)."""
    if mime is None or not mime.hasFormat(RESULT_MIME):
        return None
    value = bytes(mime.data(RESULT_MIME).data()).decode("ascii", "replace").strip()
    return value or None


class ImageDropTarget:
    """Mixin for a QWidget (list it first): highlights while an image is dragged over, and hands
    the dropped QMimeData to `accept_image_mime`. The widget must call setAcceptDrops(True)."""

    def set_drop_highlight(self, on: bool) -> None:
        raise NotImplementedError

    def accept_image_mime(self, mime: QMimeData) -> Any:
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()
            self.set_drop_highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.set_drop_highlight(False)
        super().dragLeaveEvent(event)  # type: ignore[misc]

    def dropEvent(self, event: QDropEvent) -> None:
        self.set_drop_highlight(False)
        self.accept_image_mime(event.mimeData())
        event.acceptProposedAction()
