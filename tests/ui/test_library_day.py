"""The library's share of a designer's day: export with a naming template, the built-in smart
collections (Last import, This batch, Picked) and the colour note of a converted source."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFormLayout, QLabel, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from ideogram_studio.gallery import Gallery
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.common.untrusted import unwrap
from ideogram_studio.ui.library.page import LibraryPage
from ideogram_studio.ui.modes import registry
from tests.core.gallery_fixtures import noise_png

from .helpers import wait_for


@pytest.fixture
def gallery(tmp_path: Path) -> Iterator[Gallery]:
    g = Gallery.open(tmp_path / "library")
    for row, seed in ((1, 11), (2, 12), (3, 13)):
        stored = g.store_image(
            noise_png(32, 32, seed), operation="generate", request_fields={"prompt": "a teal mug"},
            response_fields={"seed": seed, "batch": "Mugs", "batch_row": row, "is_image_safe": True},
        )
        g.add_tags([stored.hash], ["batch Mugs"])
    yield g
    g.close()


@pytest.fixture
def page(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, gallery: Gallery) -> Iterator[LibraryPage]:
    runner = TaskRunner()
    page = LibraryPage(gallery, runner, send_to=registry.send_to_items(), use_as=registry.use_as_items())
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=15000)
    try:
        yield page
    finally:
        page.shutdown()
        wait_for(qtbot, runner.cancel_all())
        page.close()
        page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_export_dialog_names_files_from_a_template_and_refuses_a_bad_one(
    qtbot: QtBot, page: LibraryPage, tmp_path: Path
) -> None:
    page.grid.selectAll()
    dialog = page.export_selection()
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Export 3 images"
    export = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.set_template("{batch}-{colour}")
    assert not export.isEnabled() and "Unknown field {colour}" in dialog.preview.text()
    dialog.set_template("{batch}-{row}-{seed}")
    assert not export.isEnabled()  # no folder yet
    out = tmp_path / "out"
    dialog.folder_edit.setText(str(out))
    assert export.isEnabled() and dialog.preview.text().strip("\u2068\u2069").startswith("Mugs-")
    qtbot.mouseClick(export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task_bar.report() is not None, timeout=10000)
    assert sorted(p.name for p in out.iterdir()) == ["Mugs-1-11.png", "Mugs-2-12.png", "Mugs-3-13.png"]
    # The next export offers the same folder and template; the names already there are not replaced.
    again = page.export_selection()
    assert again is not None and again.template() == "{batch}-{row}-{seed}" and again.folder_edit.text() == str(out)
    before = (out / "Mugs-1-11.png").read_bytes()
    qtbot.mouseClick(again.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (out / "Mugs-3-13-2.png").exists() and not page.session.tasks.busy(), timeout=10000)
    assert len(list(out.iterdir())) == 6
    assert (out / "Mugs-1-11.png").read_bytes() == before and (out / "Mugs-1-11-2.png").exists()


def test_an_export_to_an_unwritable_place_is_said_in_words(qtbot: QtBot, page: LibraryPage, tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_bytes(b"not a folder")
    page.grid.selectAll()
    page.export_to(blocker / "out", template="{batch}-{row}")
    qtbot.waitUntil(lambda: page.task_bar.report() is not None, timeout=10000)
    report = page.task_bar.report()
    assert report is not None and not report.ok and "export" in report.summary.lower()
    assert "Traceback" not in report.summary and not (blocker.parent / "out").exists()


def smart_item(page: LibraryPage, name: str) -> QTreeWidgetItem | None:
    section = page.filters.section("saved")
    for i in range(section.childCount()):
        item = section.child(i)
        if item.text(0) == name:
            return item
    return None


def test_built_in_smart_collections_count_live_and_run_their_search(
    qtbot: QtBot, page: LibraryPage, gallery: Gallery
) -> None:
    qtbot.waitUntil(lambda: (item := smart_item(page, "This batch")) is not None and item.text(1) == "3", timeout=10000)
    last_import, picked = smart_item(page, "Last import"), smart_item(page, "Picked")
    assert last_import is not None and last_import.text(1) == "" and "Nothing imported" in last_import.toolTip(0)
    assert picked is not None and picked.text(1) == "0"
    page.grid.selectAll()
    first = page.selected_hashes()[0]
    gallery.set_flag([first], 1)
    page.session.refresh_saved_searches()  # as the page does whenever the library's counts change
    qtbot.waitUntil(lambda: (item := smart_item(page, "Picked")) is not None and item.text(1) == "1", timeout=10000)
    item = smart_item(page, "Picked")
    assert item is not None
    page.filters.scrollToItem(item)
    qtbot.mouseClick(page.filters.viewport(), Qt.MouseButton.LeftButton, pos=page.filters.visualItemRect(item).center())
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    assert page.query_text() == "is:picked" and page.selected_hashes() in ([], [first])


def test_the_detail_panel_says_a_source_was_converted(qtbot: QtBot, page: LibraryPage, gallery: Gallery) -> None:
    stored = gallery.store_image(
        noise_png(32, 32, 77), operation="remix", request_fields={"prompt": "warmer"}, response_fields={"seed": 7},
        input_colour={"image": ["Converted from Display P3 to sRGB."]},
    )
    page.insert_new(stored.hash)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=10000)
    assert page.select_hash(stored.hash)
    qtbot.waitUntil(lambda: page.detail.current_hash() == stored.hash, timeout=10000)

    def row_text(name: str) -> str | None:
        form = page.detail._form
        for r in range(form.rowCount()):
            label = form.itemAt(r, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(r, QFormLayout.ItemRole.FieldRole)
            if label is not None and field is not None and unwrap(label.widget().text()) == name:
                value = field.widget().findChild(QLabel, "value")
                return unwrap(value.text()) if value is not None else None
        return None

    qtbot.waitUntil(lambda: row_text("Source colour") is not None, timeout=10000)
    assert "Converted from Display P3 to sRGB." in (row_text("Source colour") or "")
