"""The footer under every mode's form, always visible: the request-wide message, the reason sending
is blocked (with a link to the field), the cost estimate, and the send button with its "front of the
queue" menu (Ctrl+Enter; Ctrl+Shift+Enter puts the job at the front of the queue)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...api.enums import human_name
from ...api.requests import ApiRequest
from ..common import theme
from ..common.field_errors import FieldMessage


class Footer(NamedTuple):
    """The bar under a form, always visible: see ``build_footer``."""

    frame: QFrame
    message: FieldMessage
    blocker_label: QLabel
    cost_label: QLabel
    send_button: QPushButton
    front_button: QToolButton
    send_action: QAction
    front_action: QAction


def build_footer(owner: QWidget, text: str, frame_name: str, button_name: str, menu_name: str = "") -> Footer:
    """The footer of a form: the request-wide message, the reason sending is blocked (with a link
    to the field, which may be scrolled away), the cost estimate and the send button with its
    "front of the queue" menu. The Ctrl+Enter and Ctrl+Shift+Enter actions are added to ``owner``;
    the caller connects the button, the actions and the blocker's link."""
    footer = QFrame(owner)
    footer.setObjectName(frame_name)
    foot = QVBoxLayout(footer)
    foot.setContentsMargins(14, 8, 14, 12)
    foot.setSpacing(6)
    message = FieldMessage(footer)
    foot.addWidget(message)
    blocker = QLabel(footer)
    blocker.setObjectName("blockerLabel")
    blocker.setWordWrap(True)
    blocker.setTextFormat(Qt.TextFormat.RichText)
    theme.set_text_color(blocker, "error")
    blocker.hide()
    foot.addWidget(blocker)
    cost = QLabel(footer)
    cost.setObjectName("costLabel")
    cost.setWordWrap(True)
    foot.addWidget(cost)
    row = QHBoxLayout()
    row.setSpacing(6)
    button = QPushButton(text, footer)
    button.setObjectName(button_name)
    button.setMinimumHeight(36)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    row.addWidget(button, 1)
    front = QToolButton(footer)
    front.setObjectName(menu_name)
    front.setArrowType(Qt.ArrowType.DownArrow)
    front.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    front.setFixedSize(QSize(36, 36))
    front.setToolTip("More ways to send: at the front of the queue (Ctrl+Shift+Enter)")
    row.addWidget(front)
    foot.addLayout(row)

    send_action = QAction(text, owner)
    send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    send_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    front_action = QAction(f"{text} at front of queue", owner)
    front_action.setShortcuts([QKeySequence("Ctrl+Shift+Return"), QKeySequence("Ctrl+Shift+Enter")])
    front_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    owner.addAction(send_action)
    owner.addAction(front_action)
    menu = QMenu(front)
    menu.addAction(send_action)
    menu.addAction(front_action)
    front.setMenu(menu)
    return Footer(footer, message, blocker, cost, button, front, send_action, front_action)


def submit_on_ctrl_enter(event: QKeyEvent, submit: Callable[[bool], object]) -> bool:
    """Ctrl+Enter (Ctrl+Shift+Enter: front of the queue) from line edits, spin boxes and combos,
    which pass Enter on to their parent. True if the event was handled."""
    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
        event.modifiers() & Qt.KeyboardModifier.ControlModifier
    ):
        submit(bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        event.accept()
        return True
    return False


def show_cost(label: QLabel, request: ApiRequest, mark_character: bool = False) -> None:
    """The cost estimate, with how it was priced in the tooltip (no guessed figure when unknown).
    ``mark_character``: say in the text when character-reference pricing applies."""
    # (with the form's first check: the price tables and decimal are not loaded before the form takes typing)
    from ...api.pricing import DEFAULT_SPEED, estimate_cost, format_cost, price_per_image

    total = estimate_cost(request)
    each = price_per_image(request)
    n = request.image_count()
    noun = "image" if n == 1 else "images"
    speed = getattr(request, "rendering_speed", None) or DEFAULT_SPEED
    basis = "character-reference pricing" if request.has_character_reference else "standard pricing"
    if total is None or each is None:
        why = f"No price is published for the {human_name(speed)} speed"
        if request.has_character_reference:
            why += " with a character reference"
        label.setText(f"Estimated cost: {why[0].lower()}{why[1:]}")
        label.setToolTip(why + "; the studio shows no guessed figure.")
        return
    each_text = format_cost(each).removeprefix("≈ ")
    suffix = " · character reference" if mark_character and request.has_character_reference else ""
    label.setText(f"Estimated cost: {format_cost(total)} ({n} {noun} × {each_text}{suffix})")
    label.setToolTip(
        f"An estimate from the published prices: {human_name(speed)}, {basis}. "
        "Withheld (unsafe) images are billed too."
    )
