"""One crash handler for `sys.excepthook` and the event loop's exception handler.

A bug is logged (redacted) and shown in a non-modal dialog the designer can copy from; the app
keeps running where it safely can. Never `exec()`: a nested loop inside qasync breaks tasks.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from ...logs import redact

if TYPE_CHECKING:  # (asyncio itself loads after the prompt takes typing: see app._run_loops)
    import asyncio

    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger("ideogram_studio.crash")


class CrashHandler(QObject):
    crashed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous_hook = sys.excepthook
        self._boxes: list[QMessageBox] = []
        self.reports: list[str] = []
        self.show_dialogs = True

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        self.install_excepthook()
        loop.set_exception_handler(self._loop_handler)

    def install_excepthook(self) -> None:
        """Errors in Qt's callbacks, before the event loop of asyncio exists (see install())."""
        sys.excepthook = self._excepthook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook

    def report(self, exc: BaseException, context: str = "") -> None:
        text = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        if context:
            text = f"{redact(context)}\n\n{text}"
        self.reports.append(text)
        log.error("unexpected error: %s", text)
        self.crashed.emit(text)
        if self.show_dialogs and QApplication.instance() is not None:
            self._show(text)

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        self.report(exc.with_traceback(tb))

    def _loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.report(exc, context.get("message", ""))
        else:
            log.error("event loop: %s", redact(str(context.get("message"))))

    def _show(self, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox  # (with the first crash: the handler is set before typing)

        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Something went wrong",
            "Ideogram Studio hit an unexpected error. Your results and queued jobs are safe; "
            "the details below were written to the log.",
            QMessageBox.StandardButton.Close,
        )
        box.setDetailedText(text)
        box.finished.connect(lambda _=0, b=box: self._boxes.remove(b) if b in self._boxes else None)
        self._boxes.append(box)
        box.open()
