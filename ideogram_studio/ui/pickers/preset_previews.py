"""What a style preset looks like in the pickers: its name and description, a generated placeholder
tile until a real preview exists, the preview cache every view shares (``PreviewStore``), and the
cheap request that preview and comparison images are made with.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache

from PySide6.QtCore import QObject, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap

from ...api.enums import RenderingSpeed, StylePreset
from ...api.pricing import estimate_cost
from ...api.requests import GenerateRequest
from ...resources.catalog import style_presets
from ..common import theme

TILE = 92
#: Speed and count used for preview and comparison images: cheap and quick.
PREVIEW_SPEED = RenderingSpeed.TURBO

#: How many recently chosen presets the Recents row keeps.
MAX_RECENTS = 6

NONE_NAME = "None"
NONE_DESCRIPTION = "No style preset is sent."


def preset_name(preset: StylePreset | None) -> str:
    if preset is None:
        return NONE_NAME
    return _infos()[preset][0]


def preset_description(preset: StylePreset | None) -> str:
    if preset is None:
        return NONE_DESCRIPTION
    return _infos()[preset][1]


@cache
def _infos() -> dict[StylePreset, tuple[str, str]]:
    return {p.preset: (p.name, p.description) for p in style_presets()}


def recent_presets(values: Iterable[StylePreset | str]) -> list[StylePreset]:
    """Recents as saved (preset values, maybe unknown ones): known presets, each once, at most MAX_RECENTS."""
    out: list[StylePreset] = []
    for value in values:
        try:
            preset = StylePreset(value)
        except ValueError:
            continue
        if preset not in out:
            out.append(preset)
    return out[:MAX_RECENTS]


def preview_request(prompt: str, preset: StylePreset) -> GenerateRequest:
    """The request one preview or comparison image is made with."""
    return GenerateRequest(prompt=prompt, style_preset=preset, rendering_speed=PREVIEW_SPEED, num_images=1)


def preview_cost(prompt: str, presets: Sequence[StylePreset]) -> Decimal | None:
    """Estimated total for one image per preset (None when any price is unknown)."""
    total = Decimal(0)
    for preset in presets:
        cost = estimate_cost(preview_request(prompt or "preview", preset))
        if cost is None:
            return None
        total += cost
    return total


def placeholder_tile(preset: StylePreset | None, size: int = TILE) -> QImage:
    """A deterministic stand-in preview: colours and shapes derived from the preset's id, plus initials."""
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if preset is None:
        img.fill(theme.color("placeholder_bg"))
        pen = QPen(theme.color("placeholder_fg"), max(2.0, size / 24))
        p.setPen(pen)
        r = size * 0.22
        c = size / 2
        p.drawEllipse(QRectF(c - r, c - r, 2 * r, 2 * r))
        p.drawLine(
            QRectF(c - r, c - r, 2 * r, 2 * r).bottomLeft().toPoint() + QPoint(4, -4),
            QRectF(c - r, c - r, 2 * r, 2 * r).topRight().toPoint() + QPoint(-4, 4),
        )
        p.end()
        return img
    seed = zlib.crc32(preset.value.encode())
    rnd = random.Random(seed)
    hue = seed % 360
    c1 = QColor.fromHsl(hue, 150, 120)
    c2 = QColor.fromHsl((hue + 40 + rnd.randint(0, 60)) % 360, 170, 70)
    from PySide6.QtGui import QLinearGradient  # (here: its class brings ~170 gradient presets' enum, ~1.5 ms)

    gradient = QLinearGradient(0, 0, size, size)
    gradient.setColorAt(0, c1)
    gradient.setColorAt(1, c2)
    p.fillRect(0, 0, size, size, gradient)
    p.setPen(Qt.PenStyle.NoPen)
    for _ in range(3):
        shade = QColor.fromHsl((hue + rnd.randint(-60, 60)) % 360, 180, rnd.randint(140, 220), 90)
        p.setBrush(shade)
        r = size * rnd.uniform(0.15, 0.42)
        p.drawEllipse(QRectF(rnd.uniform(-r / 2, size - r), rnd.uniform(-r / 2, size - r), 2 * r, 2 * r))
    words = [w for w in preset_name(preset).split() if w]
    initials = "".join(w[0] for w in words[:2]).upper()
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.34))
    p.setFont(font)
    p.setPen(theme.color("overlay_text"))
    p.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initials)
    p.end()
    return img


def square_crop(image: QImage, size: int) -> QImage:
    """The centre square of ``image``, scaled to ``size`` × ``size``."""
    scaled = image.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatioByExpanding, Qt.TransformationMode.SmoothTransformation
    )
    return scaled.copy((scaled.width() - size) // 2, (scaled.height() - size) // 2, size, size)


class PreviewStore(QObject):
    """Preview images by preset, shared by every view; placeholder until a real one arrives."""

    preview_changed = Signal(object)

    def __init__(self, tile: int = TILE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tile = tile
        self._real: dict[StylePreset, QImage] = {}
        self._placeholders: dict[StylePreset | None, QImage] = {}
        self._pixmaps: dict[StylePreset | None, QPixmap] = {}
        theme.notifier().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self, _name: str) -> None:
        """The "no preset" tile is drawn in the theme's colours: draw it again."""
        self._placeholders.pop(None, None)
        self._pixmaps.pop(None, None)
        self.preview_changed.emit(None)

    def image(self, preset: StylePreset | None) -> QImage:
        if preset is not None and preset in self._real:
            return self._real[preset]
        if preset not in self._placeholders:
            self._placeholders[preset] = placeholder_tile(preset, self._tile)
        return self._placeholders[preset]

    def pixmap(self, preset: StylePreset | None) -> QPixmap:
        if preset not in self._pixmaps:
            self._pixmaps[preset] = QPixmap.fromImage(self.image(preset))
        return self._pixmaps[preset]

    def has_preview(self, preset: StylePreset | None) -> bool:
        return preset in self._real

    def set_preview(self, preset: StylePreset, image: QImage) -> None:
        if image.isNull():
            return
        self._real[preset] = square_crop(image, self._tile)
        self._pixmaps.pop(preset, None)
        self.preview_changed.emit(preset)
