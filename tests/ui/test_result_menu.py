"""The viewer's and the strip's menu (issue 14): Copy image, Copy prompt, Save as…, Export…, Show in
library, Compare, Send to…, Move to trash — each doing what it says on a stored result."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMenu

from ideogram_studio.gallery import ImageQuery
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.result_menu import result_menu

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def one_result(qtbot: Any, studio: Studio) -> str:
    qtbot.keyClicks(studio.panel.prompt_edit, "a red kite over the dunes")
    QTest.keyClick(studio.panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_jobs_finished(qtbot, studio, 1)
    qtbot.waitUntil(lambda: studio.window.shown_image_hash() is not None, timeout=15000)
    image_hash = studio.window.shown_image_hash()
    assert image_hash is not None
    return image_hash


def action(menu: QMenu, name: str) -> Any:
    found = [a for a in menu.actions() if a.objectName() == name]
    assert found, [a.text() for a in menu.actions()]
    return found[0]


def test_menu_lists_every_command_in_order(qtbot: Any, studio: Studio) -> None:
    image_hash = one_result(qtbot, studio)
    texts = [a.text() for a in result_menu(studio.window, image_hash).actions() if not a.isSeparator()]
    assert texts[:6] == ["Copy image", "Copy prompt", "Save as…", "Export…", "Show in library", "Compare"]
    assert "Remove background" in texts and any(t.startswith("Send to") or "Remix" in t for t in texts)
    assert texts[-1] == "Move to trash"


def test_copy_image_and_prompt(qtbot: Any, studio: Studio) -> None:
    image_hash = one_result(qtbot, studio)
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    action(result_menu(studio.window, image_hash), "result-copy-prompt").trigger()
    qtbot.waitUntil(lambda: clipboard.text() == "a red kite over the dunes")
    action(result_menu(studio.window, image_hash), "result-copy-image").trigger()
    row = studio.services.gallery.get(image_hash)
    assert row is not None
    qtbot.waitUntil(lambda: clipboard.image().size().toTuple() == (row.width, row.height))


def test_export_show_in_library_and_trash(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    image_hash = one_result(qtbot, studio)
    window = studio.window
    action(result_menu(window, image_hash), "result-export").trigger()
    dialog = next(d for d in window.findChildren(QFileDialog) if d.isVisible())
    folder = tmp_path / "out"
    folder.mkdir()
    dialog.fileSelected.emit(str(folder))
    dialog.close()
    qtbot.waitUntil(lambda: any(folder.iterdir()))

    action(result_menu(window, image_hash), "result-show-in-library").trigger()
    qtbot.waitUntil(window.library.is_showing_library)
    qtbot.waitUntil(lambda: window.library.page.current_hash() == image_hash, timeout=10000)
    window.library.show_library(False)

    gallery = studio.services.gallery
    action(result_menu(window, image_hash), "result-trash").trigger()
    qtbot.waitUntil(lambda: image_hash not in window.recent_model.hashes())
    assert image_hash not in {r.hash for r in gallery.rows_for(gallery.ids(ImageQuery()))}


def test_save_as_writes_the_named_file_whole(qtbot: Any, studio: Studio, tmp_path: Path) -> None:
    image_hash = one_result(qtbot, studio)
    window = studio.window
    action(result_menu(window, image_hash), "result-save-as").trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(QFileDialog)))
    dialog = next(d for d in window.findChildren(QFileDialog) if d.isVisible())
    row = studio.services.gallery.get(image_hash)
    assert row is not None
    # Offered a name by date and size, never the hash.
    offered = dialog.selectedFiles()[0]
    assert f"{row.width}x{row.height}" in offered and image_hash[:8] not in offered
    target = tmp_path / "poster.png"
    target.write_bytes(b"an older file the dialog asked to replace")
    dialog.fileSelected.emit(str(target))
    dialog.close()
    qtbot.waitUntil(lambda: target.read_bytes().startswith(b"\x89PNG"), timeout=10000)
    assert QImage(str(target)).size().toTuple() == (row.width, row.height)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ideogram-save")] == []  # nothing left


def test_compare_in_the_menu_needs_a_second_image(qtbot: Any, studio: Studio) -> None:
    image_hash = one_result(qtbot, studio)
    # One result, the one shown: nothing to compare it with.
    assert not action(result_menu(studio.window, image_hash), "result-compare").isEnabled()
