"""Reframe: the source kept, the frame changed to one of the 69 resolutions, the new area filled.

The resolutions are grouped by their nearest named aspect ratio (``shape_picker.grouped_resolutions``):
a row of ratio buttons, then the sizes of that ratio. The preview draws the new frame and where
the source will sit in it: scaled to fit and centred (``reframe_layout.place``, what the sandbox
does), with the area the service fills hatched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from PySide6.QtCore import QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import AspectRatio, Resolution, size_of
from ...api.requests import ApiRequest, ReframeRequest
from ...imaging.reframe_layout import place
from ..common import theme
from ..common.theme import mute
from ..pickers.shape_picker import (
    ICON_SIZE,
    aspect_label,
    bind_shape_icon,
    grouped_resolutions,
    nearest_aspect,
    resolution_label,
)
from .mode_panel import ModePanel

REFRAME_FIELDS = [
    "rendering_speed",
    "num_images",
    "seed",
    "style_preset",
    "color_palette",
    "style_codes",
    "style_reference_images",
]
#: The largest 16:9 size (each ratio's list starts with its largest, and a click picks it).
DEFAULT_RESOLUTION = Resolution.R_1344X768
#: Room under the frame for the preview's two-line caption.
CAPTION_HEIGHT = 38
_RES_ROLE = Qt.ItemDataRole.UserRole + 1


def _pixels(resolution: Resolution) -> int:
    w, h = size_of(resolution)
    return w * h


def size_choice_label(resolution: Resolution, aspect: AspectRatio, largest: bool) -> str:
    """A size as the list says it, in plain words: "1344×768 · largest · a little taller than 16:9"."""
    w, h = size_of(resolution)
    aw, ah = size_of(aspect)
    words = [f"{w}×{h}"]
    if largest:
        words.append("largest")
    if w * ah == h * aw:
        words.append(f"exactly {aw}:{ah}")
    else:
        words.append(f"a little {'wider' if w * ah > h * aw else 'taller'} than {aw}:{ah}")
    return " · ".join(words)


class ResolutionSelector(QWidget):
    """Ratio buttons (the 69 resolutions grouped by their nearest named ratio) and the sizes of
    the chosen ratio. Always holds a resolution (the endpoint requires one)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Each ratio's sizes, largest first.
        self._groups = {a: sorted(items, key=_pixels, reverse=True) for a, items in grouped_resolutions()}
        self._buttons: dict[AspectRatio, QToolButton] = {}
        self._updating = False
        self._setup_ui()
        self.set_value(DEFAULT_RESOLUTION)

    # ---- public ----------------------------------------------------------------------------
    def value(self) -> Resolution:
        data = self._combo.currentData(_RES_ROLE)
        return Resolution(data) if data else DEFAULT_RESOLUTION

    def set_value(self, resolution: Resolution) -> None:
        aspect = nearest_aspect(resolution)
        self._updating = True
        try:
            self._buttons[aspect].setChecked(True)
            self._fill_combo(aspect)
            self._combo.setCurrentIndex(max(0, self._combo.findData(resolution.value, _RES_ROLE)))
        finally:
            self._updating = False
        self.changed.emit()

    def aspect(self) -> AspectRatio:
        return nearest_aspect(self.value())

    def choose_aspect(self, aspect: AspectRatio) -> None:
        """Pick a ratio as a click does: its largest size."""
        self._buttons[aspect].click()

    def button(self, aspect: AspectRatio) -> QToolButton:
        return self._buttons[aspect]

    def combo(self) -> QComboBox:
        return self._combo

    def aspects(self) -> list[AspectRatio]:
        return list(self._groups)

    def resolutions_of(self, aspect: AspectRatio) -> list[Resolution]:
        return list(self._groups[aspect])

    def mark_source(self, size: QSize | None) -> None:
        """Underline the ratio nearest the source's shape."""
        nearest = nearest_aspect(f"{size.width()}x{size.height()}") if size and not size.isEmpty() else None
        for aspect, button in self._buttons.items():
            font = button.font()
            font.setUnderline(aspect == nearest)
            button.setFont(font)
            tip = button.toolTip().split("\n")[0]
            button.setToolTip(tip + ("\nThe source's own shape." if aspect == nearest else ""))

    # ---- ui --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        grid = QGridLayout()
        grid.setHorizontalSpacing(2)
        grid.setVerticalSpacing(2)
        group = QButtonGroup(self)
        group.setExclusive(True)
        per_row = 8
        for i, (aspect, items) in enumerate(self._groups.items()):
            w, h = size_of(aspect)
            button = QToolButton(self)
            button.setCheckable(True)
            button.setAutoRaise(True)
            bind_shape_icon(button, w, h)
            button.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
            button.setText(aspect_label(aspect))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setFixedSize(QSize(46, 50))
            font = button.font()
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
            button.setFont(font)
            button.setToolTip(f"≈ {aspect_label(aspect)}: {len(items)} size{'s' if len(items) != 1 else ''}")
            group.addButton(button)
            self._buttons[aspect] = button
            grid.addWidget(button, i // per_row, i % per_row)
        grid.setColumnStretch(per_row, 1)
        group.buttonClicked.connect(self._on_aspect_clicked)
        layout.addLayout(grid)
        row = QHBoxLayout()
        row.addWidget(QLabel("Size", self))
        self._combo = QComboBox(self)
        self._combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._combo.setToolTip("The exact output size, largest first (each size's exact ratio in its tooltip).")
        self._combo.currentIndexChanged.connect(self._on_size_changed)
        row.addWidget(self._combo, 1)
        layout.addLayout(row)

    def _fill_combo(self, aspect: AspectRatio) -> None:
        self._combo.blockSignals(True)
        self._combo.clear()
        for i, r in enumerate(self._groups[aspect]):
            w, h = size_of(r)
            self._combo.addItem(size_choice_label(r, aspect, largest=i == 0))
            index = self._combo.count() - 1
            self._combo.setItemData(index, r.value, _RES_ROLE)
            tip = f"{resolution_label(r)}: {w * h / 1e6:.2f} megapixels"
            self._combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self._combo.blockSignals(False)

    @Slot(QAbstractButton)
    def _on_aspect_clicked(self, button: QAbstractButton) -> None:
        aspect = next(a for a, b in self._buttons.items() if b is button)
        self._updating = True
        try:
            self._fill_combo(aspect)
            self._combo.setCurrentIndex(0)  # the largest
        finally:
            self._updating = False
        self.changed.emit()

    @Slot(int)
    def _on_size_changed(self, _index: int) -> None:
        if not self._updating:
            self.changed.emit()


class ReframePreview(QWidget):
    """The new frame, with the source placed as the service places it and the new area hatched."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = QImage()
        self._source_size = QSize()
        self._resolution = DEFAULT_RESOLUTION
        self.setMinimumHeight(150 + CAPTION_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_source(self, image: QImage) -> None:
        # A small copy is all the preview needs (a 6000×4000 source must not slow repaints).
        self._source = (
            image.scaled(640, 640, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            if not image.isNull()
            else QImage()
        )
        self._source_size = image.size()
        self.update()

    def set_resolution(self, resolution: Resolution) -> None:
        self._resolution = resolution
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 150 + CAPTION_HEIGHT)

    def caption(self) -> str:
        """What the preview says under the frame (two lines)."""
        fw, fh = size_of(self._resolution)
        first = f"New frame {fw}×{fh}"
        if self._source.isNull():
            return first + "\nOpen or drop a source image to see where it goes"
        sw, sh = self._source_size.width(), self._source_size.height()
        placement = place((sw, sh), self._resolution)
        share = placement.new_area_share
        first += f" · {share:.0%} painted new" if share >= 0.005 else " · same shape: nothing to fill"
        second = f"Source {sw}×{sh} → {placement.width}×{placement.height} (×{placement.scale:.2f}), centred"
        return f"{first}\n{second}"

    def frame_rect(self) -> QRectF:
        """Where the frame is drawn, in widget coordinates."""
        fw, fh = size_of(self._resolution)
        area = QRectF(self.rect()).adjusted(8, 6, -8, -CAPTION_HEIGHT)
        scale = min(area.width() / fw, area.height() / fh)
        w, h = fw * scale, fh * scale
        return QRectF(area.center().x() - w / 2, area.top() + (area.height() - h) / 2, w, h)

    def source_rect(self) -> QRectF | None:
        """Where the source is drawn inside the frame, in widget coordinates (None without one)."""
        if self._source.isNull():
            return None
        placement = place((self._source_size.width(), self._source_size.height()), self._resolution)
        frame = self.frame_rect()
        k = frame.width() / placement.frame_width
        return QRectF(frame.left() + placement.left * k, frame.top() + placement.top * k,
                      placement.width * k, placement.height * k)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        frame = self.frame_rect()
        hatch = QColor(pal.color(QPalette.ColorRole.Highlight))
        hatch.setAlpha(70)
        p.fillRect(frame, pal.color(QPalette.ColorRole.AlternateBase))
        p.fillRect(frame, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        source = self.source_rect()
        if source is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(source, self._source)
            p.setPen(QPen(theme.color("ring_light"), 1, Qt.PenStyle.DashLine))
            p.drawRect(source)
        else:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(frame, Qt.AlignmentFlag.AlignCenter, "The source goes here")
        p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(frame)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        p.setFont(font)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        text_rect = QRectF(0, self.height() - CAPTION_HEIGHT + 2, self.width(), CAPTION_HEIGHT - 2)
        p.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self.caption())
        p.end()


class ReframePanel(ModePanel):
    request_class: ClassVar[type[ApiRequest]] = ReframeRequest
    mode_name = "Reframe"
    send_text = "Reframe"

    def _setup_body(self, form: QVBoxLayout) -> Iterator[None]:
        picker = self.make_source_picker("Reframe")
        yield
        self.section_title("New frame")
        self.resolution_selector = ResolutionSelector(self.body)
        self.resolution_selector.changed.connect(self._on_resolution_changed)
        form.addWidget(self.resolution_selector)
        self.add_message(["resolution"], self.resolution_selector)
        self.preview = ReframePreview(self.body)
        form.addWidget(self.preview)
        note = QLabel(
            "The source is kept, scaled to fit and centred; the hatched area is painted new. "
            "Documented for square sources.",
            self.body,
        )
        note.setWordWrap(True)
        mute(note)
        form.addWidget(note)
        yield
        yield from self.fields_in_steps(REFRAME_FIELDS, style_expanded=False)
        picker.image_changed.connect(self._on_source_changed)
        self.preview.set_resolution(self.resolution_selector.value())

    def _build(self, final: bool) -> ApiRequest:
        assert self.source_picker is not None
        return ReframeRequest(
            image=self.source_picker.image(),
            resolution=self.resolution_selector.value(),
            **self.field_values(),
        )

    def set_request(self, request: ApiRequest) -> None:
        if not isinstance(request, ReframeRequest):
            raise TypeError(f"ReframePanel takes a ReframeRequest, not {type(request).__name__}")
        assert self.source_picker is not None and self.fields is not None
        self._loading += 1
        try:
            if request.image is not None:
                self.source_picker.set_image_file(request.image, None, convert=False)
            if request.resolution is not None:
                self.resolution_selector.set_value(request.resolution)
            self.fields.set_values(request)
        finally:
            self._loading -= 1
        self._refresh()

    def restore_state(self, state: dict[str, object]) -> None:
        super().restore_state(state)
        fields = state.get("fields") if isinstance(state, dict) else None
        value = fields.get("resolution") if isinstance(fields, dict) else None
        if isinstance(value, str) and value in Resolution._value2member_map_:
            self.resolution_selector.set_value(Resolution(value))

    @Slot()
    def _on_resolution_changed(self) -> None:
        self.preview.set_resolution(self.resolution_selector.value())
        self._on_changed()

    @Slot()
    def _on_source_changed(self) -> None:
        assert self.source_picker is not None
        image = self.source_picker.qimage()
        self.preview.set_source(image)
        self.resolution_selector.mark_source(image.size() if not image.isNull() else None)
