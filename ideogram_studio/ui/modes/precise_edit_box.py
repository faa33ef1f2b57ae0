"""Edit's Precise Edit 4.5 rows: the context window (drawn on the canvas by ContextWindowTool) and up
to four reference images (three with a mask). Shown only while Precise Edit is the chosen model.

The rules are the core's (api/context_window.py and the request's validation): this box shows the
window's value, offers the largest window the rules allow, and passes the limit on references to
the drop zone so a fifth (or, with a mask, a fourth) is refused at the slot with the reason.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from ...api.context_window import largest_allowed
from ..common.field_errors import FieldMessage
from ..common.theme import mute
from ..mask.context_window import ContextWindowTool
from .field_widgets import field_label
from .reference_zone import ReferenceZone

MAX_REFERENCES = 4
MAX_REFERENCES_WITH_MASK = 3
WITH_A_MASK = "with a mask (clear the mask to add a fourth)"
NO_WINDOW = "Not set: Precise Edit may look at and change the whole image."


class PreciseEditBox(QWidget):
    """Emits ``changed`` when the window or the references change."""

    changed = Signal()

    def __init__(self, tool: ContextWindowTool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool = tool
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(field_label(self, "Context window", bold=True))
        row = QHBoxLayout()
        row.setSpacing(6)
        self.draw_button = QToolButton(self)
        self.draw_button.setObjectName("contextWindowButton")
        self.draw_button.setDefaultAction(tool.action)
        row.addWidget(self.draw_button)
        self.largest_button = QPushButton("Largest allowed", self)
        self.largest_button.setToolTip("The biggest centred window the service's rules allow on this image.")
        row.addWidget(self.largest_button)
        self.clear_button = QPushButton("Whole image", self)
        self.clear_button.setToolTip("Send no context window: the service may use the whole image.")
        row.addWidget(self.clear_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.window_label = QLabel(NO_WINDOW, self)
        self.window_label.setObjectName("contextWindowValue")
        self.window_label.setWordWrap(True)
        mute(self.window_label)
        self.window_label.setToolTip(
            "Pixels outside the window come back unchanged. Rules: each side at least 256 px, aspect ratio "
            "between 1:6 and 6:1, at most 4,194,304 pixels (2048×2048)."
        )
        layout.addWidget(self.window_label)
        self.window_message = FieldMessage(self)
        layout.addWidget(self.window_message)
        layout.addWidget(field_label(self, "Reference images", bold=True))
        self.references = ReferenceZone(
            "Reference images", MAX_REFERENCES, self, hint="Up to 4 images that guide the edit (3 with a mask)"
        )
        self.references.setObjectName("preciseReferences")
        layout.addWidget(self.references)
        self.references_message = self.references.message()
        tool.changed.connect(self._on_window_changed)
        self.references.changed.connect(self.changed)
        self.largest_button.clicked.connect(self._use_largest)
        self.clear_button.clicked.connect(lambda: tool.set_window(None))

    def set_has_mask(self, has_mask: bool) -> None:
        """With a mask the service takes one reference fewer: the slot refuses it, with the reason."""
        if has_mask:
            self.references.set_max_count(MAX_REFERENCES_WITH_MASK, WITH_A_MASK)
        else:
            self.references.set_max_count(MAX_REFERENCES)

    @Slot()
    def _use_largest(self) -> None:
        canvas = self.tool.canvas()
        if not canvas.has_image():
            self.window_message.show_error("Choose the source image first.")
            return
        size = canvas.image_size()
        window = largest_allowed(size.width(), size.height())
        if window is None:
            self.window_message.show_error(
                f"The image is {size.width()}×{size.height()}: no window fits (each side must be at least 256 px)."
            )
            return
        self.tool.set_window(window)

    @Slot()
    def _on_window_changed(self) -> None:
        window = self.tool.window()
        if window is None:
            self.window_label.setText(NO_WINDOW)
        else:
            self.window_label.setText(
                f"{window.width}×{window.height} px from x {window.x_min}, y {window.y_min} "
                f"(sent as {window.to_field()}: y_min, x_min, y_max, x_max)"
            )
        self.changed.emit()
