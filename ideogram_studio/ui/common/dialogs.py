"""Questions asked without a nested event loop: `QMessageBox.open()` and a future, never `exec()`
(a nested loop inside qasync breaks running tasks)."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


async def ask(
    title: str,
    text: str,
    accept_label: str | None,
    *,
    parent: QWidget | None = None,
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
) -> bool:
    """Show a message; with `accept_label`, a choice between it and Cancel. True if accepted."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # texts quote file names, prompts, servers: never HTML
    accept = box.addButton(accept_label, QMessageBox.ButtonRole.AcceptRole) if accept_label else None
    box.addButton(QMessageBox.StandardButton.Cancel if accept_label else QMessageBox.StandardButton.Close)
    done: asyncio.Future[bool] = asyncio.get_event_loop().create_future()

    def on_finished(_result: int) -> None:
        if not done.done():
            done.set_result(accept is not None and box.clickedButton() is accept)

    box.finished.connect(on_finished)
    box.open()
    try:
        return await done
    finally:
        box.deleteLater()
