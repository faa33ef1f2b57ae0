"""Generate's layout editor in the window: "Layout" shows it in the centre (where Edit's mask
canvas is), with the Layout | Result switch above it (F6); a model without structured prompts
takes it away again and shows the results."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QWidget


class CanvasHost(Protocol):
    def add_canvas(self, mode_id: str, editor: QWidget) -> None: ...

    def remove_canvas(self, mode_id: str) -> None: ...

    def show_canvas(self, canvas: bool) -> None: ...


def attach_layout(host: CanvasHost, panel: Any) -> None:
    """Wire a panel that offers a layout editor (Generate: layout_requested, layout_available)."""
    if not hasattr(panel, "layout_requested"):
        return
    mode_id = panel.objectName().removeprefix("mode-")

    def open_layout() -> None:
        editor = panel.layout_editor()
        editor.setObjectName(f"canvas-{mode_id}")
        host.add_canvas(mode_id, editor)
        host.show_canvas(True)
        editor.canvas.fit()
        editor.canvas.setFocus()

    panel.layout_requested.connect(open_layout)
    panel.layout_available.connect(lambda available: None if available else host.remove_canvas(mode_id))
