"""Helpers for the layout editor's tests: a Generate panel on Ideogram 4.5 with its editor shown,
and real mouse drags on the canvas in frame pixels."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt

from ideogram_studio.ui.modes.generate import GeneratePanel
from ideogram_studio.ui.modes.layout_editor import LayoutEditor

L = Qt.MouseButton.LeftButton
CAPTION: dict[str, Any] = {
    "high_level_description": "A travel poster",
    "style_description": {"aesthetics": "bold", "lighting": "flat", "medium": "print", "art_style": "swiss",
                          "color_palette": ["#112233"]},
    "compositional_deconstruction": {"background": "cream", "elements": [
        {"type": "text", "bbox": [600, 100, 800, 900], "text": "NORTH LIGHT", "desc": "headline"},
        {"type": "obj", "bbox": [100, 300, 500, 700], "desc": "a lighthouse"}]},
}  # fmt: skip


def open_panel(qtbot: Any) -> GeneratePanel:
    widget = GeneratePanel()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_model("ideogram-4-5")
    return widget


def open_editor(qtbot: Any, panel: GeneratePanel) -> LayoutEditor:
    """Through the panel's Layout button, as the designer opens it."""
    with qtbot.waitSignal(panel.layout_requested, timeout=2000):
        qtbot.mouseClick(panel.structured_box.layout_button, L)
    ed = panel.layout_editor()
    qtbot.addWidget(ed)
    ed.resize(900, 640)
    ed.show()
    qtbot.waitExposed(ed)
    ed.canvas.fit()
    return ed


def to_view(ed: LayoutEditor, x: float, y: float) -> QPoint:
    """Frame pixels → the canvas viewport's position."""
    return ed.canvas.map_from_image(QPointF(x, y)).toPoint()


def drag(qtbot: Any, ed: LayoutEditor, a: tuple[float, float], b: tuple[float, float]) -> None:
    """A real press, moves and release on the canvas's viewport."""
    vp = ed.canvas.viewport()
    start, end = to_view(ed, *a), to_view(ed, *b)
    qtbot.mousePress(vp, L, pos=start)
    for i in range(1, 6):
        qtbot.mouseMove(vp, start + (end - start) * i / 5)
    qtbot.mouseRelease(vp, L, pos=end)


def prompt_of(panel: GeneratePanel) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(panel.structured_box.text())
    return result


def elements(panel: GeneratePanel) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = prompt_of(panel)["compositional_deconstruction"]["elements"]
    return found
