"""Sorting results (issue 14): P / X / U and 0–5 on the viewer and the strip are stored in the
gallery and drawn in the strip; never while typing in the prompt; "Keep picks, trash rejects" moves
exactly the rejected results to the trash and Undo brings them back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ideogram_studio.gallery import ImageQuery
from ideogram_studio.gallery.models import FLAG_NONE, FLAG_PICK, FLAG_REJECT
from ideogram_studio.secrets import MemoryStore
from ideogram_studio.ui.shell.results_strip import MARK_ROLE

from .helpers import Studio, close_studio, open_studio, wait_jobs_finished


@pytest.fixture
def studio(qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Studio]:
    s = open_studio(qtbot, tmp_path, MemoryStore())
    yield s
    close_studio(qtbot, s)


def make_batch(qtbot: Any, studio: Studio, count: int) -> list[str]:
    studio.panel.images_spin.setValue(count)
    qtbot.keyClicks(studio.panel.prompt_edit, "a lighthouse at dusk")
    QTest.keyClick(studio.panel.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_jobs_finished(qtbot, studio, 1)
    model = studio.window.recent_model
    qtbot.waitUntil(lambda: model.rowCount() == count, timeout=15000)
    return model.hashes()


def flag_of(studio: Studio, image_hash: str) -> tuple[int, int]:
    row = studio.services.gallery.get(image_hash)
    assert row is not None
    return row.flag, row.rating


def test_keys_on_the_strip_and_viewer_flag_and_rate(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    hashes = make_batch(qtbot, studio, 2)
    strip, model = window.strip, window.recent_model

    strip.setFocus()
    strip.setCurrentIndex(model.index(0))
    qtbot.waitUntil(strip.hasFocus)
    QTest.keyClick(strip, Qt.Key.Key_P)
    QTest.keyClick(strip, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: flag_of(studio, hashes[0]) == (FLAG_PICK, 4))
    qtbot.waitUntil(lambda: model.index(0).data(MARK_ROLE) == (FLAG_PICK, 4))

    # The viewer acts on the image it shows.
    window.controller.show_image(hashes[1])
    qtbot.waitUntil(lambda: window.shown_image_hash() == hashes[1])
    window.viewer.setFocus()
    qtbot.waitUntil(window.viewer.hasFocus)
    QTest.keyClick(window.viewer, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: flag_of(studio, hashes[1])[0] == FLAG_REJECT)
    QTest.keyClick(window.viewer, Qt.Key.Key_U)
    qtbot.waitUntil(lambda: flag_of(studio, hashes[1])[0] == FLAG_NONE)

    # Typing a P in the prompt is a letter, not a pick.
    window.generate_panel.prompt_edit.setFocus()
    qtbot.waitUntil(window.generate_panel.prompt_edit.hasFocus)
    QTest.keyClick(window.generate_panel.prompt_edit, Qt.Key.Key_X)
    assert flag_of(studio, hashes[0]) == (FLAG_PICK, 4)


def test_keep_picks_trash_rejects_and_undo(qtbot: Any, studio: Studio) -> None:
    window = studio.window
    hashes = make_batch(qtbot, studio, 4)
    culling = window.culling
    gallery = studio.services.gallery
    for image_hash in hashes[:2]:
        culling.set_flag(image_hash, FLAG_PICK)
    for image_hash in hashes[2:]:
        culling.set_flag(image_hash, FLAG_REJECT)
    qtbot.waitUntil(lambda: [flag_of(studio, h)[0] for h in hashes] == [1, 1, -1, -1])

    culling.keep_picks_action.trigger()
    qtbot.waitUntil(lambda: window.recent_model.rowCount() == 2)
    assert window.recent_model.hashes() == hashes[:2]
    visible = {row.hash for row in gallery.rows_for(gallery.ids(ImageQuery()))}
    assert set(hashes[:2]) <= visible and not set(hashes[2:]) & visible
    assert culling.undo_action.isEnabled()

    culling.undo_action.trigger()
    qtbot.waitUntil(lambda: window.recent_model.rowCount() == 4)
    visible = {row.hash for row in gallery.rows_for(gallery.ids(ImageQuery()))}
    assert set(hashes) <= visible
    assert not culling.undo_action.isEnabled()
