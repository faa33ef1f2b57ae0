"""Render the app icon's PNG sizes (the Linux desktop's hicolor theme) from its one source SVG.

Part of the one resource build: run ``python scripts/build_resources.py`` (``--check`` to compare);
running this file does the same. The source is resources/icons/ideogram-studio.svg (its built copy
ships in the package as the window icon). The PNGs are only for the Linux desktop, so they are
committed under packaging/linux/icons/ and not shipped in the wheel; install.sh copies them and the
source SVG (as scalable/apps/<app-id>.svg). Windows/macOS builds take the 512 px PNG (PyInstaller
turns it into .ico/.icns with Pillow). Rendering uses Qt's own QSvgRenderer, the renderer the app uses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP_ID = "ai.ideogram.studio.IdeogramStudio"
SOURCE = ROOT / "resources" / "icons" / "ideogram-studio.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DEFAULT_OUT = HERE / "linux" / "icons" / "hicolor"
# A fresh render may differ from the committed one by rounding in another Qt version.
MAX_CHANNEL_DIFF = 8


def icon_path(out: Path, size: int) -> Path:
    return out / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def ensure_app() -> Any:
    """Qt needs a QGuiApplication to render; offscreen, so no display is needed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(["build_resources"])


def render(size: int, source: Path = SOURCE) -> Any:  # -> QImage (Qt is imported lazily)
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {source} is not a valid SVG for Qt")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def differs(a: Any, b: Any) -> bool:  # QImage, QImage
    from PySide6.QtGui import QImage

    if a.size() != b.size():
        return True
    a = a.convertToFormat(QImage.Format.Format_ARGB32)
    b = b.convertToFormat(QImage.Format.Format_ARGB32)
    if bytes(a.constBits()) == bytes(b.constBits()):
        return False
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixel(x, y), b.pixel(x, y)
            if any(abs(((pa >> s) & 0xFF) - ((pb >> s) & 0xFF)) > MAX_CHANNEL_DIFF for s in (0, 8, 16, 24)):
                return True
    return False


def write_png_icons(out: Path = DEFAULT_OUT) -> list[Path]:
    """Write every size that is missing or differs from a fresh render; returns what was written."""
    from PySide6.QtGui import QImage

    written = []
    for size in SIZES:
        image = render(size)
        path = icon_path(out, size)
        if path.exists() and not differs(image, QImage(str(path))):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"make_icons: cannot write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_resources

    sys.exit(build_resources.main())
