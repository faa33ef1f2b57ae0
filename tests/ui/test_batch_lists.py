"""Named lists for batch prompts (issue 17): `{colour}` takes a list the designer typed once; the
lists of the last batch sent are there again for the next batch, after a restart too."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from ideogram_studio.secrets import MemoryStore

from .helpers import close_studio, open_studio, wait_jobs_finished


def test_named_lists_are_kept_for_the_next_batch_after_a_restart(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    studio = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        dialog = studio.window.open_batch()
        dialog.template_edit.setPlainText("a {colour} mug")
        assert "no list called 'colour'" in dialog.problems.item(0).text()
        dialog.lists_edit.setPlainText("colour: teal, coral")
        qtbot.waitUntil(lambda: dialog.send_button.text() == "Send 2 requests")
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
        wait_jobs_finished(qtbot, studio, 2)
        assert sorted(j.request.prompt for j in studio.jobs()) == ["a coral mug", "a teal mug"]
    finally:
        close_studio(qtbot, studio)

    again = open_studio(qtbot, tmp_path, MemoryStore())
    try:
        dialog = again.window.open_batch()
        assert dialog.lists_edit.toPlainText() == "colour: teal, coral"
        dialog.template_edit.setPlainText("a {colour} {cap|tote}")
        qtbot.waitUntil(lambda: dialog.send_button.text() == "Send 4 requests")
        dialog.reject()
    finally:
        close_studio(qtbot, again)
