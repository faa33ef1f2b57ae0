"""MaskEditor: the mask canvas with its tool bar, tool settings and a status line.

Row 1 holds the canvas's QActions (tools, undo/redo, invert/clear/fill, show, fit/100 %) plus
Load/Save mask, as a palette of buttons that wraps onto a second line when the canvas is narrow;
row 2 the brush size and hardness, the overlay colour and opacity, and the export options (grow,
feather). Every action's tooltip names its shortcut. The shortcuts work while the
focus is anywhere inside the editor.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...imaging.mask_export import MaskRule
from ..common import theme
from ..widgets.flow_layout import FlowLayout
from .canvas import MaskCanvas
from .canvas_actions import shortcut_tooltip
from .tools import MAX_SIZE, MIN_SIZE

_SLIDER_STEPS = 1000


def _size_to_slider(size: int) -> int:
    return round(math.log(size / MIN_SIZE) / math.log(MAX_SIZE / MIN_SIZE) * _SLIDER_STEPS)


def _slider_to_size(value: int) -> int:
    return round(MIN_SIZE * float((MAX_SIZE / MIN_SIZE) ** (value / _SLIDER_STEPS)))


#: Narrow enough that the settings row fits the window's centre beside the panel at 1280 px.
_SLIDER_MIN_WIDTH = 48
#: The tools drawn as icons (resources/icons); the others show their names.
_TOOL_ICONS = {
    "brush": "mask/brush", "eraser": "mask/eraser", "rect": "mask/rectangle", "lasso": "mask/lasso",
    "invert": "mask/invert", "clear": "mask/clear", "fill": "mask/fill", "undo": "actions/undo", "redo": "actions/redo",
}


def _separator(parent: QWidget) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    line.setFixedSize(9, 20)
    return line


def _swatch(color: QColor) -> QIcon:
    pix = QPixmap(16, 16)
    pix.fill(color)
    return QIcon(pix)


class MaskEditor(QWidget):
    """The canvas plus its tools. ``canvas()`` gives the MaskCanvas and its full API."""

    message = Signal(str)
    mask_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas = MaskCanvas(self)
        self._canvas.scale_prompt = self._ask_scale
        self._setup_ui()
        self._connect()
        self._sync_from_canvas()

    # ---- public ---------------------------------------------------------------------------
    def canvas(self) -> MaskCanvas:
        return self._canvas

    def set_image(self, image: QImage | str | Path, keep_mask: bool = False) -> bool:
        return self._canvas.set_image(image, keep_mask)

    def export_mask(self) -> bytes:
        return self._canvas.export_mask()

    def check_mask(self) -> str | None:
        return self._canvas.check_mask()

    def status_text(self) -> str:
        return self._message_label.text()

    # ---- ui -------------------------------------------------------------------------------
    def _tool_button(self, bar: QWidget, name: str, action: QAction) -> QToolButton:
        button = QToolButton(bar)
        button.setObjectName(f"mask-tool-{name}")
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        icon = _TOOL_ICONS.get(name)
        if icon:
            button.setIconSize(QSize(20, 20))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            theme.bind_icon(action, icon)
        else:
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.tool_buttons[name] = button
        return button

    def _setup_ui(self) -> None:
        c = self._canvas
        a = c.actions_by_name()

        self._load_action = QAction("Load mask…", self)
        self._load_action.setToolTip(
            "Load a black-and-white mask file (black = change, as the API reads it); "
            "drop a file on the image to do the same"
        )
        self._load_action.triggered.connect(self._load_mask)
        self._painted_rule_action = QAction("Files mark the change in white / opaque (most tools)", self)
        self._painted_rule_action.setCheckable(True)
        self._painted_rule_action.setToolTip(
            "Off: black marks the area to change (the API's own polarity). On: white, or opaque pixels "
            "of a transparent PNG, mark it, as in most other tools."
        )
        self._painted_rule_action.toggled.connect(
            lambda on: c.set_mask_file_rule(MaskRule.PAINTED if on else MaskRule.API)
        )
        self._save_action = QAction("Save mask…", self)
        self._save_action.setToolTip("Save the mask as the API gets it: black = change, white = keep")
        self._save_action.triggered.connect(self._save_mask)
        self._color_action = QAction("Colour…", self)
        self._color_action.setToolTip("Overlay colour")
        self._color_action.triggered.connect(self._pick_color)

        # The tools as a palette: icons where the tool has one (its name and keys in the tooltip),
        # words otherwise, in a row that wraps rather than hide a tool behind an overflow "»".
        bar = QWidget(self)
        bar.setObjectName("maskToolBar")
        flow = FlowLayout(bar, spacing=2)
        flow.setContentsMargins(4, 2, 4, 2)
        #: The row's buttons by action name ("brush", "undo", "load"...).
        self.tool_buttons: dict[str, QToolButton] = {}
        groups = (("brush", "eraser", "rect", "lasso", "subtract"), ("undo", "redo"),
                  ("invert", "clear", "fill", "show"), ("fit", "actual_size"))
        for group in groups:
            for name in group:
                flow.addWidget(self._tool_button(bar, name, a[name]))
            flow.addWidget(_separator(bar))
        load_button = self._tool_button(bar, "load", self._load_action)
        load_button.addAction(self._painted_rule_action)
        load_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        flow.addWidget(load_button)
        flow.addWidget(self._tool_button(bar, "save", self._save_action))
        self._bar = bar

        settings = QHBoxLayout()
        settings.setContentsMargins(6, 0, 6, 0)
        settings.setSpacing(6)

        self._size_slider = QSlider(Qt.Orientation.Horizontal)
        self._size_slider.setRange(0, _SLIDER_STEPS)
        self._size_slider.setMinimumWidth(_SLIDER_MIN_WIDTH)
        self._size_spin = QSpinBox()
        self._size_spin.setRange(MIN_SIZE, MAX_SIZE)
        self._size_spin.setSuffix(" px")
        size_tip = shortcut_tooltip("Brush size in image pixels", a["size_down"].shortcuts() + a["size_up"].shortcuts())
        for w in (self._size_slider, self._size_spin):
            w.setToolTip(size_tip)
        self._hardness_slider = QSlider(Qt.Orientation.Horizontal)
        self._hardness_slider.setRange(0, 100)
        self._hardness_slider.setMinimumWidth(_SLIDER_MIN_WIDTH)
        self._hardness_slider.setToolTip("Hardness: 100 % is a hard edge, lower values fade it out")
        self._hardness_label = QLabel()
        self._hardness_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("100 %") + 4)

        self._color_button = QToolButton()
        self._color_button.setDefaultAction(self._color_action)
        self._color_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self._opacity_slider.setRange(5, 100)
        self._opacity_slider.setMinimumWidth(_SLIDER_MIN_WIDTH)
        self._opacity_slider.setToolTip("Overlay opacity (display only; the exported mask is black and white)")

        self._grow_spin = QSpinBox()
        self._grow_spin.setRange(0, 200)
        self._grow_spin.setSuffix(" px")
        self._grow_spin.setToolTip("Grow the painted area by this much when the mask is exported (0: as painted)")
        self._feather_spin = QSpinBox()
        self._feather_spin.setRange(0, 200)
        self._feather_spin.setSuffix(" px")
        self._feather_spin.setToolTip(
            "Smooth the painted edge over this many pixels when the mask is exported (0: as painted); "
            "the mask stays black and white"
        )

        def label(text: str, buddy: QWidget) -> QLabel:
            lab = QLabel(text)
            lab.setBuddy(buddy)
            return lab

        settings.addWidget(label("Size", self._size_slider))
        settings.addWidget(self._size_slider, 2)
        settings.addWidget(self._size_spin)
        settings.addSpacing(8)
        settings.addWidget(label("Hardness", self._hardness_slider))
        settings.addWidget(self._hardness_slider, 1)
        settings.addWidget(self._hardness_label)
        settings.addSpacing(8)
        settings.addWidget(self._color_button)
        settings.addWidget(label("Opacity", self._opacity_slider))
        settings.addWidget(self._opacity_slider, 1)

        # The status line: messages on the left; export options, coverage and zoom on the right.
        status = QHBoxLayout()
        status.setContentsMargins(6, 0, 6, 2)
        status.setSpacing(6)
        self._message_label = QLabel()
        self._message_label.setObjectName("maskMessage")
        self._message_label.setWordWrap(True)
        self._message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._coverage_label = QLabel()
        self._coverage_label.setObjectName("maskCoverage")
        self._zoom_label = QLabel()
        self._zoom_label.setObjectName("maskZoom")
        self._zoom_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("6400 %") + 4)
        self._zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status.addWidget(self._message_label, 1)
        status.addWidget(label("Grow", self._grow_spin))
        status.addWidget(self._grow_spin)
        status.addWidget(label("Feather", self._feather_spin))
        status.addWidget(self._feather_spin)
        status.addSpacing(8)
        status.addWidget(self._coverage_label)
        status.addWidget(self._zoom_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(bar)
        layout.addLayout(settings)
        layout.addWidget(self._canvas, 1)
        layout.addLayout(status)

        # The shortcuts fire while the focus is anywhere in the editor (sliders included).
        self.addActions(list(a.values()))
        self._coverage_timer = QTimer(self)
        self._coverage_timer.setSingleShot(True)
        self._coverage_timer.setInterval(120)
        self._coverage_timer.timeout.connect(self._update_coverage)

    def _connect(self) -> None:
        c = self._canvas
        c.message.connect(self._show_message)
        c.mask_saved.connect(self._on_saved)
        c.message.connect(self.message)
        c.mask_changed.connect(self.mask_changed)
        c.mask_changed.connect(self._coverage_timer.start)
        c.zoom_changed.connect(self._show_zoom)
        c.brush_size_changed.connect(self._show_size)
        c.hardness_changed.connect(self._show_hardness)
        c.overlay_changed.connect(lambda color, opacity: self._show_overlay(color, opacity))
        self._size_slider.valueChanged.connect(lambda v: c.set_brush_size(_slider_to_size(v)))
        self._size_spin.valueChanged.connect(c.set_brush_size)
        self._hardness_slider.valueChanged.connect(lambda v: c.set_hardness(v / 100))
        self._opacity_slider.valueChanged.connect(lambda v: c.set_overlay(opacity=v / 100))
        self._grow_spin.valueChanged.connect(self._export_options_changed)
        self._feather_spin.valueChanged.connect(self._export_options_changed)

    def _sync_from_canvas(self) -> None:
        c = self._canvas
        self._show_size(c.brush_size())
        self._show_hardness(c.hardness())
        self._show_overlay(c.overlay_color(), c.overlay_opacity())
        self._show_zoom(c.zoom_factor())
        self._update_coverage()

    # ---- reflect canvas state ---------------------------------------------------------------
    def _show_size(self, size: int) -> None:
        for w, v in ((self._size_slider, _size_to_slider(size)), (self._size_spin, size)):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)

    def _show_hardness(self, hardness: float) -> None:
        self._hardness_slider.blockSignals(True)
        self._hardness_slider.setValue(round(hardness * 100))
        self._hardness_slider.blockSignals(False)
        self._hardness_label.setText(f"{round(hardness * 100)} %")

    def _show_overlay(self, color: QColor, opacity: float) -> None:
        self._color_action.setIcon(_swatch(color))
        self._opacity_slider.blockSignals(True)
        self._opacity_slider.setValue(round(opacity * 100))
        self._opacity_slider.blockSignals(False)

    def _show_zoom(self, zoom: float) -> None:
        self._zoom_label.setText(f"{zoom * 100:.0f} %")

    def _show_message(self, text: str) -> None:
        self._message_label.setText(text)

    def _update_coverage(self) -> None:
        c = self._canvas
        if not c.has_image():
            self._coverage_label.setText("")
            return
        ratio = c.coverage_ratio()
        self._coverage_label.setText(f"{ratio:.0%} to change" if ratio else "Nothing painted")

    def _export_options_changed(self) -> None:
        self._canvas.set_export_options(self._grow_spin.value(), self._feather_spin.value())

    # ---- dialogs ----------------------------------------------------------------------------
    def _ask_scale(self, mask_size: QSize, image_size: QSize) -> bool:
        answer = QMessageBox.question(
            self,
            "Mask size",
            f"The mask is {mask_size.width()}×{mask_size.height()} pixels but the image is "
            f"{image_size.width()}×{image_size.height()}.\n\nScale the mask to the image size?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _load_mask(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load mask", "", "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
        )
        if path:  # (read in a worker: an 8K file held the window ~0.9 s)
            self._canvas.load_mask_later(path)

    def _save_mask(self) -> None:
        if not self._canvas.has_image():
            self._show_message("Open an image first.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save mask", "mask.png", "PNG image (*.png)")
        if path:
            if not path.lower().endswith(".png"):
                path += ".png"
            # (encoded in a worker: an 8K mask held the window ~0.2 s; the line says when it is written)
            if self._canvas.save_mask_later(path):
                self._show_message(f"Saving {Path(path).name}…")

    def _on_saved(self, path: str) -> None:
        self._show_message(f"Saved {Path(path).name} (black = change, white = keep).")

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(self._canvas.overlay_color(), self, "Overlay colour")
        if color.isValid():
            self._canvas.set_overlay(color)
