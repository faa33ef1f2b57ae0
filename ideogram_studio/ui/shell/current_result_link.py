"""Where “the current result” comes from, for a saved style's preview (ui/common/current_result.py):
the image the viewer shows large, or, while a batch's grid shows, the grid's current image."""

from __future__ import annotations

from PySide6.QtGui import QImage

from ..common import current_result
from ..common.thumbnail_loader import ThumbnailCache
from ..widgets.viewer import ImageViewer
from .batch_view import ResultArea


def install_current_result(area: ResultArea, viewer: ImageViewer, thumbnails: ThumbnailCache) -> None:
    def image() -> QImage | None:
        if area.showing_grid() and (image_hash := area.current_hash()) is not None:
            pixmap = thumbnails.pixmap(image_hash)  # the strip's thumbnail (256 px), asked for if missing
            return pixmap.toImage() if pixmap is not None else None
        return viewer.image()

    current_result.set_provider(image)
