"""The image the viewer shows now, for widgets that cannot see the window (a form's “My styles”
takes its preview from it). The window registers where it comes from; a preview is a small PNG."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

_provider: Callable[[], QImage | None] | None = None
#: A style's preview tile is shown at most this size (longest side, pixels).
PREVIEW_SIDE = 256


def set_provider(provider: Callable[[], QImage | None] | None) -> None:
    global _provider
    _provider = provider


def current_image() -> QImage | None:
    image = _provider() if _provider is not None else None
    return image if image is not None and not image.isNull() else None


def preview_png(side: int = PREVIEW_SIDE) -> bytes | None:
    """The current result as a PNG of at most `side` pixels, in sRGB as shown; None without one."""
    image = current_image()
    if image is None:
        return None
    if max(image.width(), image.height()) > side:
        image = image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    # (here: QBuffer's class and QIODevice's enums cost ~6 ms, not before the first form takes typing)
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6 takes str here
    buffer.close()
    return bytes(data.data()) if ok else None
