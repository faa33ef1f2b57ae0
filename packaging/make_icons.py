"""Render the app icon's PNG sizes from its one source SVG.

    python packaging/make_icons.py            # (re)write packaging/linux/icons/hicolor/<N>x<N>/apps/<app-id>.png
    python packaging/make_icons.py --check    # exit 1 if a committed PNG is missing or differs from a fresh render
    python packaging/make_icons.py --out DIR  # write the hicolor tree somewhere else

The source is ideogram_studio/resources/icons/ideogram-studio.svg (shipped in the package: the
window icon). The PNGs are only for the Linux desktop (hicolor theme), so they are committed under
packaging/linux/icons/ and not shipped in the wheel; install.sh copies them and the SVG (as
scalable/apps/<app-id>.svg). Windows/macOS builds take the 512 px PNG (PyInstaller turns it into
.ico/.icns with Pillow). Rendering uses Qt's own QSvgRenderer, the renderer the app uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP_ID = "ai.ideogram.studio.IdeogramStudio"
SOURCE = ROOT / "ideogram_studio" / "resources" / "icons" / "ideogram-studio.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DEFAULT_OUT = HERE / "linux" / "icons" / "hicolor"
# A fresh render may differ from the committed one by rounding in another Qt version.
MAX_CHANNEL_DIFF = 8


def icon_path(out: Path, size: int) -> Path:
    return out / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(size: int, source: Path = SOURCE):  # -> QImage (Qt is imported lazily)
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


def differs(a, b) -> bool:  # QImage, QImage
    from PySide6.QtGui import QImage

    if a.size() != b.size():
        return True
    a = a.convertToFormat(QImage.Format.Format_ARGB32)
    b = b.convertToFormat(QImage.Format.Format_ARGB32)
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixel(x, y), b.pixel(x, y)
            if any(abs(((pa >> s) & 0xFF) - ((pb >> s) & 0xFF)) > MAX_CHANNEL_DIFF for s in (0, 8, 16, 24)):
                return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="hicolor folder to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="compare with the PNGs in --out; write nothing")
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons"])
    stale = []
    for size in SIZES:
        image = render(size)
        path = icon_path(args.out, size)
        if args.check:
            if not path.exists() or differs(image, QImage(str(path))):
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"make_icons: cannot write {path}")
        print(path)
    if stale:
        print("out of date (run python packaging/make_icons.py):\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
