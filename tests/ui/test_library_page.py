"""The library page with its real widgets, on a gallery of several thousand rows (real PNGs for
the newest, the ones on screen): search as you type, filters, sorting, keys, trash and undo,
tags, collections, drag and drop in and out, the detail panel, long tasks, bad input."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QItemSelectionModel, QMimeData, QObject, QPoint, QPointF, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QDropEvent, QGuiApplication, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ideogram_studio.gallery import Gallery, Sort
from ideogram_studio.gallery.local_source import LocalLibrarySource
from ideogram_studio.ui.common.task_runner import TaskRunner
from ideogram_studio.ui.common.thumbnail_loader import ThumbnailCache
from ideogram_studio.ui.common.untrusted import FSI
from ideogram_studio.ui.library.grid_model import IDS_MIME, LibraryModel
from ideogram_studio.ui.library.page import LibraryPage
from ideogram_studio.ui.library.sidebar import KIND_ROLE, SCOPE_COLLECTION, SCOPE_TRASH
from ideogram_studio.ui.modes import registry
from tests.core.gallery_fixtures import a1111_png

from .helpers import select_row, wait_for
from .library_data import BuiltLibrary, build_library, picture

SYNTHETIC = 3000
REAL = 48


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One library built per run; each test gets a copy (images hard-linked, index copied)."""
    root = tmp_path_factory.mktemp("library-template") / "library"
    built = build_library(root, real=REAL, synthetic=SYNTHETIC)
    info = {"real": built.real, "derived": built.derived, "collections": built.collections}
    built.gallery.close()
    (root.parent / "built.json").write_text(json.dumps(info))
    return root


def _copy(src: str, dst: str) -> None:
    if f"{os.sep}images{os.sep}" in src or f"{os.sep}bench-sources{os.sep}" in src:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


@pytest.fixture
def built(template: Path, tmp_path: Path) -> Iterator[BuiltLibrary]:
    root = tmp_path / "library"
    shutil.copytree(template, root, copy_function=_copy)
    info = json.loads((template.parent / "built.json").read_text())
    gallery = Gallery.open(root, thumbnail_workers=2)
    b = BuiltLibrary(gallery, info["real"], [tuple(d) for d in info["derived"]], info["collections"], SYNTHETIC)
    yield b
    gallery.close()


class Page:
    def __init__(self, page: LibraryPage, built: BuiltLibrary, runner: TaskRunner) -> None:
        self.page = page
        self.built = built
        self.gallery = built.gallery
        self.runner = runner
        self.failures: list[tuple[str, str]] = []
        runner.failed.connect(lambda title, text: self.failures.append((title, text)))


@contextlib.contextmanager
def open_page(qtbot: QtBot, built: BuiltLibrary, rows: int) -> Iterator[Page]:
    runner = TaskRunner()
    # The window's "Send to" and "Use as" targets, as the studio gives them.
    page = LibraryPage(built.gallery, runner, send_to=registry.send_to_items(), use_as=registry.use_as_items())
    # (not qtbot.addWidget: it would be deleted before shutdown())
    page.resize(1400, 900)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=15000)
    try:
        yield Page(page, built, runner)
    finally:
        page.shutdown()
        wait_for(qtbot, runner.cancel_all())
        page.close()
        page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def lib(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, built: BuiltLibrary) -> Iterator[Page]:
    with open_page(qtbot, built, REAL + SYNTHETIC) as page:
        yield page


def key(qtbot: QtBot, widget: Any, k: Qt.Key, text: str = "",
        mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier, autorepeat: bool = False) -> None:
    """A key press sent to the widget (with `autorepeat`: as if the key were held down)."""
    event = QKeyEvent(QEvent.Type.KeyPress, k, mods, text, autorepeat)
    QApplication.sendEvent(widget, event)


def wait_search(qtbot: QtBot, page: LibraryPage) -> None:
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        pass


def row_hash(page: LibraryPage, row: int) -> str:
    images = page.model.fetch_now([row])
    return images[0].hash


def wait_idle(qtbot: QtBot, lib: Page) -> None:
    qtbot.waitUntil(lambda: not [t for t in lib.runner.running() if t.get_name().startswith("library-write")],
                    timeout=10000)


# ---- the model --------------------------------------------------------------------------------------


@pytest.mark.parametrize("python_tester", [True, False], ids=["py-tester", "qt-tester"])
def test_the_model_passes_the_model_tester(lib: Page, qtmodeltester: Any, python_tester: bool) -> None:
    qtmodeltester.check(lib.page.model, force_py=python_tester)


def test_rows_are_fetched_lazily_and_flags_never_fetch(qtbot: QtBot, lib: Page) -> None:
    model = lib.page.model
    n = model.rowCount()
    for r in range(n):
        model.flags(model.index(r))
    assert model.image(n - 1) is None  # the last rows were never shown
    assert model.data(model.index(n - 1), Qt.ItemDataRole.DisplayRole) is None  # asks for the page
    qtbot.waitUntil(lambda: model.image(n - 1) is not None, timeout=5000)
    assert model.data(model.index(n - 1), Qt.ItemDataRole.DisplayRole)


def test_select_all_on_thousands_fetches_nothing(qtbot: QtBot, lib: Page) -> None:
    """Ctrl+A selects every row without fetching them (its speed: tests/benchmarks/bench_library_grid.py)."""
    page = lib.page
    cached = len(page.model._rows)
    page.grid.setFocus()
    QTest.keyClick(page.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert page.grid.selected_count() == page.model.rowCount()
    assert len(page.model._rows) <= cached + 2 * 256  # nothing fetched for the selection
    qtbot.waitUntil(lambda: "selected" in page.detail._selection_label.text(), timeout=5000)
    key(qtbot, page.grid, Qt.Key.Key_Escape)
    assert page.grid.selected_count() == 0


# ---- searching and filtering ----------------------------------------------------------------------


def test_search_as_you_type_and_mistakes_at_the_field(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    page.search_field.setFocus()
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        QTest.keyClicks(page.search_field, "lighthouse")
    lighthouses = page.model.rowCount()
    assert 0 < lighthouses < REAL
    assert all("lighthouse" in (r.prompt or "") for r in page.model.fetch_now(range(lighthouses)))
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        QTest.keyClicks(page.search_field, " foo:bar")
    assert page.model.rowCount() == lighthouses  # the mistake is left out, the rest searched
    assert page.search_error.isVisible()
    assert "Column 12" in page.search_error.text() and "Unknown filter" in page.search_error.text()
    issue = page.search_field.issues()[0]
    assert page.search_field.text()[issue.start:issue.end] == "foo:"
    assert "Unknown filter" in page.search_field.toolTip()
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.search_field.clear()
    assert not page.search_error.isVisible()
    assert page.model.rowCount() == REAL + SYNTHETIC
    assert "rating:>=4" in page.search_field.toolTip()  # the syntax is documented at the field


def test_a_newer_search_supersedes_the_older(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    seen: list[int] = []
    page.search_finished.connect(seen.append)
    page.search_field.setFocus()
    QTest.keyClicks(page.search_field, "castle")  # one key at a time, faster than the debounce
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    # Every task the page started has ended: a second search would have been seen by now.
    qtbot.waitUntil(lambda: not lib.runner.running(), timeout=10000)
    assert len(seen) == 1
    assert all("castle" in (r.prompt or "").lower() for r in page.model.fetch_now(range(min(50, seen[0]))))


def test_side_bar_filters_toggle_the_search_text(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    qtbot.waitUntil(lambda: page.filters.find_item("filter", "edit", "op") is not None, timeout=10000)
    item = page.filters.find_item("filter", "edit", "op")
    assert item is not None
    count = int(item.text(1).replace(",", ""))
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.filters.itemClicked.emit(item, 0)
    assert page.search_field.text() == "op:edit"
    assert page.model.rowCount() == count
    assert {r.operation for r in page.model.fetch_now(range(page.model.rowCount()))} == {"edit"}
    with qtbot.waitSignal(page.facets_updated, timeout=10000):
        pass
    item = page.filters.find_item("filter", "edit", "op")
    assert item is not None and item.checkState(0) == Qt.CheckState.Checked
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.filters.itemClicked.emit(item, 0)
    assert page.search_field.text() == ""
    rating = page.filters.find_item("rating", ">=4")
    assert rating is not None
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.filters.itemClicked.emit(rating, 0)
    assert page.search_field.text() == "rating:>=4"
    assert min(r.rating for r in page.model.fetch_now(range(page.model.rowCount()))) >= 4
    fav = page.filters.find_item("favourite")
    assert fav is not None
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.filters.itemClicked.emit(fav, 0)
    assert page.search_field.text() == "rating:>=4 fav"
    today = page.filters.find_item("date", "today")
    assert today is not None
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.filters.itemClicked.emit(today, 0)
    assert page.search_field.text() == "rating:>=4 fav date:today"


def test_sorting(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_sort(Sort.OLDEST)
    rows = page.model.fetch_now(range(20))
    assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
    assert rows[0].created_at.year == 2024  # the synthetic rows are the oldest
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_sort(Sort.RATING)
    rows = page.model.fetch_now(range(50))
    assert [r.rating for r in rows] == sorted((r.rating for r in rows), reverse=True) and rows[0].rating == 5
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_sort(Sort.PROMPT)
    rows = page.model.fetch_now(range(30))
    prompts = [(r.prompt or "").casefold() for r in rows]
    assert prompts == sorted(prompts)


# ---- keys: favourite, rating, delete, undo ---------------------------------------------------------


def test_favourite_and_rating_by_key_with_undo(qtbot: QtBot, lib: Page) -> None:
    page, g = lib.page, lib.gallery
    select_row(page, 2)
    h = row_hash(page, 2)
    was = g.get(h)
    assert was is not None
    key(qtbot, page.grid, Qt.Key.Key_Period, ".")
    assert page.model.image(2).favourite is (not was.favourite)  # type: ignore[union-attr]  # at once
    qtbot.waitUntil(lambda: g.get(h).favourite is (not was.favourite), timeout=5000)  # type: ignore[union-attr]
    key(qtbot, page.grid, Qt.Key.Key_F, "f")
    qtbot.waitUntil(lambda: g.get(h).favourite is was.favourite, timeout=5000)  # type: ignore[union-attr]
    key(qtbot, page.grid, Qt.Key.Key_4, "4")
    qtbot.waitUntil(lambda: g.get(h).rating == 4, timeout=5000)  # type: ignore[union-attr]
    key(qtbot, page.grid, Qt.Key.Key_0, "0")
    qtbot.waitUntil(lambda: g.get(h).rating == 0, timeout=5000)  # type: ignore[union-attr]
    wait_idle(qtbot, lib)  # the write has recorded its undo step (it does so after the gallery has it)
    QTest.keyClick(page.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z
    qtbot.waitUntil(lambda: g.get(h).rating == 4, timeout=5000)  # type: ignore[union-attr]
    # Several at once
    page.grid.selectionModel().select(page.model.index(5), QItemSelectionModel.SelectionFlag.Select)
    h5 = row_hash(page, 5)
    key(qtbot, page.grid, Qt.Key.Key_5, "5")
    qtbot.waitUntil(lambda: g.get(h).rating == 5 and g.get(h5).rating == 5, timeout=5000)  # type: ignore[union-attr]


def test_delete_trashes_once_selects_the_neighbour_and_undo_restores(qtbot: QtBot, lib: Page) -> None:
    page, g = lib.page, lib.gallery
    n = page.model.rowCount()
    select_row(page, 5)
    gone, next_one = row_hash(page, 5), row_hash(page, 6)
    key(qtbot, page.grid, Qt.Key.Key_Delete)
    assert page.model.rowCount() == n - 1
    assert page.current_hash() == next_one  # the neighbour, not the newest image
    assert page.selected_hashes() == [next_one]
    key(qtbot, page.grid, Qt.Key.Key_Delete, autorepeat=True)  # the key held down: no second delete
    key(qtbot, page.grid, Qt.Key.Key_Delete, autorepeat=True)
    assert page.model.rowCount() == n - 1
    qtbot.waitUntil(lambda: g.get(gone).trashed_at is not None, timeout=5000)  # type: ignore[union-attr]
    assert g.get(next_one).trashed_at is None  # type: ignore[union-attr]
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.library_actions.undo.trigger()
    assert g.get(gone).trashed_at is None  # type: ignore[union-attr]
    assert page.model.rowCount() == n
    assert page.current_hash() == gone
    # redo deletes again
    page.library_actions.redo.trigger()
    assert page.model.rowCount() == n - 1
    qtbot.waitUntil(lambda: g.get(gone).trashed_at is not None, timeout=5000)  # type: ignore[union-attr]


def test_delete_the_last_selects_the_one_before(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    n = page.model.rowCount()
    select_row(page, n - 1)
    before = row_hash(page, n - 2)
    key(qtbot, page.grid, Qt.Key.Key_Delete)
    assert page.current_hash() == before


def test_trash_view_restore_and_empty_with_inline_confirmation(qtbot: QtBot, lib: Page) -> None:
    page, g = lib.page, lib.gallery
    hashes = [row_hash(page, r) for r in (0, 1, 2)]
    for _ in hashes:
        select_row(page, 0)
        key(qtbot, page.grid, Qt.Key.Key_Delete)
    wait_idle(qtbot, lib)
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_scope(SCOPE_TRASH)
    assert page.trash_bar.isVisible()
    assert page.model.rowCount() == 3
    assert set(page.model.fetch_now(range(3))[i].hash for i in range(3)) == set(hashes)
    # Restore one
    select_row(page, 0)
    restored = row_hash(page, 0)
    page.restore_button.click()
    assert page.model.rowCount() == 2
    qtbot.waitUntil(lambda: g.get(restored).trashed_at is None, timeout=5000)  # type: ignore[union-attr]
    # The restore reports in the status line when its task ends: wait for it, so its message cannot
    # land after the empty-trash one below (they run as separate tasks).
    qtbot.waitUntil(lambda: "Restored" in page.status.text(), timeout=5000)
    # Empty the trash: asks inline first
    qtbot.waitUntil(lambda: page.session.trash_count == 2, timeout=10000)
    page.empty_button.click()
    assert page._confirm_row.isVisible() and "2 image(s)" in page._confirm_label.text()
    paths = {h: g.path_for(h) for h in hashes if h != restored}

    def gone_or_kept(h: str) -> bool:
        row = g.get(h)  # an image another result was made from is kept as a hidden input
        return row is None or (row.is_input and row.trashed_at is None)

    page._confirm_button.click()
    qtbot.waitUntil(lambda: all(gone_or_kept(h) for h in paths), timeout=10000)
    assert all(not p.exists() for h, p in paths.items() if g.get(h) is None)
    assert any(g.get(h) is None for h in paths)
    assert g.get(restored) is not None
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=5000)
    qtbot.waitUntil(lambda: "Deleted" in page.status.text(), timeout=5000)  # said when the purge task ends


# ---- tags and collections --------------------------------------------------------------------------


def test_tags_with_autocomplete(qtbot: QtBot, lib: Page) -> None:
    page, g = lib.page, lib.gallery
    select_row(page, 1)
    h = row_hash(page, 1)
    qtbot.waitUntil(lambda: page.detail.current_hash() == h, timeout=10000)
    qtbot.waitUntil(lambda: "brand kit" in page.detail._tag_model.stringList(), timeout=10000)
    edit = page.detail.tag_edit
    edit.setFocus()
    QTest.keyClicks(edit, "fresh-tag, second")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: {"fresh-tag", "second"} <= set(g.get(h).tags), timeout=5000)  # type: ignore[union-attr]
    # Chips show tags isolated (FSI … PDI: a tag from another library may hold a bidi override).
    chip_type = type(page.detail.use_button("x") or page.detail._add_to)
    qtbot.waitUntil(lambda: any(c.text().lstrip(FSI).startswith("fresh-tag")
                                for c in page.detail._tag_chips.findChildren(chip_type)), timeout=5000)
    chip = next(c for c in page.detail._tag_chips.findChildren(type(page.detail._add_to))
                if c.text().lstrip(FSI).startswith("second"))
    chip.click()
    qtbot.waitUntil(lambda: "second" not in g.get(h).tags, timeout=5000)  # type: ignore[union-attr]
    # The completer knows every tag
    completer = edit.completer()
    completer.setCompletionPrefix("bra")
    assert completer.currentCompletion() == "brand kit"


def test_collections_create_rename_and_drop_images_on_them(qtbot: QtBot, lib: Page) -> None:
    page, g = lib.page, lib.gallery
    before = {c.id for c in g.collections()}
    page.filters.create_collection_requested.emit(None)
    qtbot.waitUntil(lambda: len(g.collections()) == len(before) + 1, timeout=5000)
    new = next(c for c in g.collections() if c.id not in before)
    qtbot.waitUntil(lambda: page.filters.find_item(SCOPE_COLLECTION, new.id) is not None, timeout=10000)
    item = page.filters.find_item(SCOPE_COLLECTION, new.id)
    assert item is not None
    item.setText(0, "Spring campaign")  # what editing the item in place does
    qtbot.waitUntil(lambda: any(c.name == "Spring campaign" for c in g.collections()), timeout=5000)
    # Drag two grid items onto it
    select_row(page, 0)
    page.grid.selectionModel().select(page.model.index(3), QItemSelectionModel.SelectionFlag.Select)
    mime = page.model.mimeData([page.model.index(0), page.model.index(3)])
    qtbot.waitUntil(lambda: page.filters.find_item(SCOPE_COLLECTION, new.id) is not None, timeout=10000)
    item = page.filters.find_item(SCOPE_COLLECTION, new.id)
    assert item is not None
    page.filters.scrollToItem(item)
    pos = page.filters.visualItemRect(item).center()
    drop(page.filters.viewport(), mime, pos)
    qtbot.waitUntil(lambda: next(c for c in g.collections() if c.id == new.id).count == 2, timeout=5000)
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_scope(SCOPE_COLLECTION, new.id)
    assert page.model.rowCount() == 2


def drop(target: Any, mime: QMimeData, pos: QPoint) -> None:
    for kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
        from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent

        cls = QDragEnterEvent if kind == QEvent.Type.DragEnter else QDragMoveEvent
        event = cls(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, event)
    event = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)


# ---- new results --------------------------------------------------------------------------------------


def test_insert_new_keeps_scroll_position_and_selection(qtbot: QtBot, lib: Page) -> None:
    page, g = lib.page, lib.gallery
    n = page.model.rowCount()
    # At the top: the new result shows first.
    new = g.store_image(picture(200, 200, 555, "new"), operation="generate", request_fields={"prompt": "fresh kite"},
                        response_fields={"seed": 1}).hash
    page.insert_new(new)
    qtbot.waitUntil(lambda: page.model.rowCount() == n + 1, timeout=5000)
    assert row_hash(page, 0) == new
    # Scrolled down with a selection: both stay.
    bar = page.grid.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)
    qtbot.waitUntil(lambda: (page.grid.first_visible_row() or 0) > 0, timeout=5000)
    first = page.grid.first_visible_row()
    assert first is not None
    select_row(page, first + 2)  # (selecting scrolls the current image into full view)
    page.grid.selectionModel().select(page.model.index(first + 4), QItemSelectionModel.SelectionFlag.Select)
    selected = page.selected_hashes()
    QApplication.processEvents()  # the view's delayed layout and scroll-into-view run before we measure
    anchor = page.grid.first_visible_row()
    assert anchor is not None
    anchor_hash = row_hash(page, anchor)
    anchor_y = page.grid.visualRect(page.model.index(anchor)).top()
    resets: list[int] = []
    page.model.modelReset.connect(lambda: resets.append(1))
    newer = g.store_image(picture(200, 200, 556, "newer"), operation="generate",
                          request_fields={"prompt": "fresh kite 2"}, response_fields={"seed": 2}).hash
    page.insert_new(newer)
    qtbot.waitUntil(lambda: page.model.rowCount() == n + 2, timeout=5000)
    assert not resets
    assert row_hash(page, 0) == newer
    assert page.selected_hashes() == selected
    row = page.model.row_of_hash(anchor_hash)
    assert row == anchor + 1
    assert page.grid.visualRect(page.model.index(row)).top() == anchor_y
    # A result that does not match the search is not inserted.
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_query_text("lighthouse")
    m = page.model.rowCount()
    other = g.store_image(picture(100, 100, 557), operation="generate", request_fields={"prompt": "a boat"},
                          response_fields={"seed": 3}).hash
    page.insert_new(other)
    qtbot.waitUntil(lambda: not lib.runner.running(), timeout=10000)  # the insert task has ended
    assert page.model.rowCount() == m


# ---- drag and drop -----------------------------------------------------------------------------------


def test_drag_out_gives_the_stored_files(lib: Page) -> None:
    page = lib.page
    indexes = [page.model.index(r) for r in (0, 1, 4000 % page.model.rowCount())]
    mime = page.model.mimeData(indexes)
    urls = mime.urls()
    assert len(urls) == 3
    assert all(u.isLocalFile() and Path(u.toLocalFile()).is_file() for u in urls)
    assert Path(urls[0].toLocalFile()) == lib.gallery.path_for(row_hash(page, 0))
    assert json.loads(bytes(mime.data(IDS_MIME).data())) == [page.model.id_at(r) for r in (0, 1, 4000 % 3048)]


def test_drop_a_mixed_folder_imports_the_images_and_lists_what_was_skipped(
    qtbot: QtBot, lib: Page, tmp_path: Path
) -> None:
    page = lib.page
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "a.png").write_bytes(picture(120, 80, 901))
    (folder / "b.png").write_bytes(picture(80, 120, 902))
    (folder / "sd.png").write_bytes(a1111_png())
    (folder / "notes.txt").write_text("not an image")
    (folder / "broken.png").write_bytes(picture(64, 64, 903)[:200])
    n = page.model.rowCount()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    with qtbot.waitSignal(page.search_finished, timeout=20000):
        drop(page.grid.viewport(), mime, QPoint(50, 50))
    report = page.task_bar.report()
    assert report is not None
    assert "Imported 3 images" in report.summary and "skipped 2 files" in report.summary
    assert any("notes.txt" in line for line in report.details)
    assert any("broken.png" in line for line in report.details)
    assert page.task_bar.isVisible() and page.task_bar.details.toPlainText()
    assert page.model.rowCount() == n + 3
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_query_text("lighthouse dramatic clouds")  # the A1111 prompt was read on import
    assert page.model.rowCount() == 1


def test_a_big_import_shows_progress_and_can_be_cancelled_without_half_imports(
    qtbot: QtBot, lib: Page, tmp_path: Path
) -> None:
    page, g = lib.page, lib.gallery
    folder = tmp_path / "many"
    folder.mkdir()
    data = picture(64, 64, 42)
    from ideogram_studio.gallery.pngchunks import splice_itxt

    for i in range(400):
        (folder / f"img-{i:04d}.png").write_bytes(splice_itxt(data, "copy", str(i)))
    page.import_paths([folder])
    qtbot.waitUntil(lambda: page.task_bar.progress.value() > 0, timeout=20000)
    assert page.task_bar.cancel_button.isEnabled()
    page.task_bar.cancel_button.click()
    qtbot.waitUntil(lambda: page.task_bar.report() is not None, timeout=20000)
    report = page.task_bar.report()
    assert report is not None and "Cancelled" in report.summary
    imported = int(report.summary.split("Imported ")[1].split()[0].replace(",", ""))
    assert 0 < imported < 400
    check = g.check(deep=False, temp_min_age=0)
    assert not check.temp_files and not check.missing and not check.orphans


# ---- detail panel --------------------------------------------------------------------------------------


def test_detail_panel_shows_fields_lineage_and_acts(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    child, parent, _operation, mask = next(d for d in lib.built.derived if d[2] == "edit")
    assert page.select_hash(child)
    qtbot.waitUntil(lambda: page.detail.current_hash() == child, timeout=10000)
    d = page.detail
    row = lib.gallery.get(child)
    assert row is not None
    labels = d.field_labels()
    for label in ("Prompt", "Prompt as used", "Seed", "Size", "Resolution", "Aspect ratio", "Rendering speed",
                  "Magic prompt", "Style type", "Made", "Operation", "File", "Hash"):
        assert label in labels, label
    assert d.field_value("Prompt") == row.prompt
    assert d.field_value("Seed") == str(row.seed)
    assert "dramatic light" in (d.field_value("Prompt as used") or "")
    assert d.field_value("Hash") == child
    # The API's enum values read as words, not "TURBO" or "ON"; switches as Yes / No.
    request = lib.gallery.metadata(child)["request"]
    assert d.field_value("Rendering speed") == str(request["rendering_speed"]).capitalize()
    assert d.field_value("Magic prompt") == str(request["magic_prompt"]).capitalize()
    # The service's "1024x1024" is written as the Size row writes sizes.
    width, height = str(lib.gallery.metadata(child)["response"]["resolution"]).split("x")
    assert d.field_value("Resolution") == f"{width}×{height}"
    chain = d.chain_hashes()
    assert parent in chain and child in chain and mask in chain
    # "use" buttons and Reuse settings
    with qtbot.waitSignal(page.use_field_requested) as used:
        d.use_button("seed").click()  # type: ignore[union-attr]
    assert used.args == ["seed", row.seed]
    with qtbot.waitSignal(page.use_field_requested) as used:
        d.use_button("prompt").click()  # type: ignore[union-attr]
    assert used.args == ["prompt", row.prompt]
    with qtbot.waitSignal(page.reuse_requested) as reused:
        d._reuse.click()
    assert reused.args == [child]
    d._copy_prompt.click()
    assert QGuiApplication.clipboard().text() == row.prompt
    d._copy_seed.click()
    assert QGuiApplication.clipboard().text() == str(row.seed)
    # One click on the parent in the chain shows it
    d.click_chain(parent)
    qtbot.waitUntil(lambda: page.detail.current_hash() == parent, timeout=10000)
    assert page.current_hash() == parent
    assert child in page.detail.chain_hashes()  # and its child is one click away


def test_actions_emit_signals_for_the_window(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    select_row(page, 0)
    h = row_hash(page, 0)
    qtbot.waitUntil(lambda: page.detail.current_hash() == h, timeout=10000)
    with qtbot.waitSignal(page.send_to_requested) as sent:
        page.library_actions.send[0].trigger()
    assert sent.args == ["edit", h]
    with qtbot.waitSignal(page.use_as_requested) as used:
        page.library_actions.use[1].trigger()
    assert used.args == ["style-reference", h]
    with qtbot.waitSignal(page.describe_requested) as described:
        page.library_actions.describe.trigger()
    assert described.args == [h]
    popover = page.detail.open_upscale()
    popover.resemblance.setValue(70)
    popover.detail.setValue(30)
    with qtbot.waitSignal(page.upscale_requested) as upscaled:
        popover.button.click()
    assert upscaled.args == [h, 70, 30]
    with qtbot.waitSignal(page.open_requested) as opened:
        key(qtbot, page.grid, Qt.Key.Key_Return)
    assert opened.args == [h]
    # the detail panel's own buttons
    with qtbot.waitSignal(page.describe_requested):
        page.detail.findChild(type(page.detail._add_to), "detail-describe").click()  # type: ignore[union-attr]
    # the context menu shows the actions with their keys, one menu for all images
    texts = [a.text() for a in page.context_menu.actions()]
    assert "Move to Trash" in texts and "Copy prompt" in texts
    assert page.library_actions.trash.shortcut().toString() == "Del"


def test_space_opens_a_large_preview_and_closes_it(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    select_row(page, 0)
    key(qtbot, page.grid, Qt.Key.Key_Space, " ")
    preview = page.preview()
    assert preview is not None and preview.isVisible()
    qtbot.waitUntil(lambda: preview.viewer.has_image(), timeout=5000)
    size = preview.viewer.image().size()  # type: ignore[union-attr]
    row = page.model.image(0)
    assert row is not None and (size.width(), size.height()) == (row.width, row.height)
    key(qtbot, preview.viewer, Qt.Key.Key_Right)  # arrows step through the grid
    assert page.grid.currentIndex().row() == 1
    key(qtbot, preview.viewer, Qt.Key.Key_Space, " ")
    assert not preview.isVisible()


def test_thumbnails_are_made_at_device_pixels_and_the_slider_resizes(qtbot: QtBot, lib: Page) -> None:
    page = lib.page
    qtbot.waitUntil(lambda: page.thumbnails.is_current(row_hash(page, 0)), timeout=15000)
    page.size_slider.setValue(256)
    assert page.grid.thumbnail_size() == 256
    dpr = page.grid.devicePixelRatioF()
    assert page.thumbnails.device_size == round(256 * dpr)
    qtbot.waitUntil(lambda: page.thumbnails.is_current(row_hash(page, 0)), timeout=15000)
    pixmap = page.thumbnails.peek(row_hash(page, 0))
    assert pixmap is not None and pixmap.devicePixelRatio() == dpr
    longest = max(pixmap.width(), pixmap.height())
    row = page.model.image(0)
    assert row is not None
    assert longest == min(round(256 * dpr), max(row.width, row.height))
    assert page.grid.gridSize().height() == 256 + 8


# ---- long tasks and bad input -----------------------------------------------------------------------------


def test_export_selection_names_files_from_prompts(qtbot: QtBot, lib: Page, tmp_path: Path) -> None:
    page = lib.page
    select_row(page, 0)
    page.grid.selectionModel().select(page.model.index(1), QItemSelectionModel.SelectionFlag.Select)
    out = tmp_path / "out"
    page.export_to(out)
    qtbot.waitUntil(lambda: page.task_bar.report() is not None, timeout=10000)
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 2 and all(f.startswith("a-") for f in files)
    assert "Exported 2 images" in page.task_bar.report().summary  # type: ignore[union-attr]
    dialog = page.export_selection()  # non-modal: open(), never exec()
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


@pytest.fixture
def small(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[Page]:
    """A library of real images only (the synthetic rows' files do not match their hashes)."""
    built = build_library(tmp_path / "small", real=12, synthetic=0)
    try:
        with open_page(qtbot, built, 12) as page:
            yield page
    finally:
        built.gallery.close()


def test_check_repair_and_rebuild_run_in_the_bar(qtbot: QtBot, small: Page) -> None:
    lib = small
    page, g = lib.page, lib.gallery
    victim = lib.built.real[3]
    g.path_for(victim).unlink()
    page.check_library()
    qtbot.waitUntil(lambda: page.task_bar.report() is not None, timeout=30000)
    report = page.task_bar.report()
    assert report is not None and not report.ok and "1 missing" in report.summary
    repair = page.task_bar.findChild(type(page.restore_button), "task-action")
    assert repair is not None and repair.text() == "Repair"
    n = page.model.rowCount()
    with qtbot.waitSignal(page.search_finished, timeout=30000):
        repair.click()
    assert page.model.rowCount() == n - 1
    with qtbot.waitSignal(page.search_finished, timeout=60000):
        page.rebuild_index()
        assert not page.task_bar.cancel_button.isEnabled()  # a rebuild cannot stop halfway
    assert "Rebuilt the index" in page.task_bar.report().summary  # type: ignore[union-attr]
    assert page.model.rowCount() == n - 1
    assert page.search_field.isEnabled()


def test_a_missing_library_folder_says_so_and_offers_locate(qtbot: QtBot, lib: Page) -> None:
    page, g = lib.page, lib.gallery
    moved = g.data_dir.with_name("moved-away")
    g.data_dir.rename(moved)
    try:
        page.refresh()
        assert page.is_library_missing()
        assert "cannot be found" in page._missing_label.text()
        with qtbot.waitSignal(page.locate_library_requested):
            page.locate_button.click()
    finally:
        moved.rename(g.data_dir)
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.retry_button.click()
    assert not page.is_library_missing()


def test_show_in_folder_opens_the_containing_folder(qtbot: QtBot, lib: Page) -> None:
    class Catcher(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[QUrl] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.urls.append(url)

    catcher = Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        select_row(lib.page, 0)
        lib.page.library_actions.show.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert catcher.urls and Path(catcher.urls[0].toLocalFile()) == lib.gallery.path_for(row_hash(lib.page, 0)).parent


def test_a_damaged_thumbnail_is_made_again(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, built: BuiltLibrary) -> None:
    g = built.gallery
    h = built.real[0]
    cache = ThumbnailCache(g, 128)
    ready: list[str] = []
    cache.ready.connect(ready.append)
    cache.request(h)
    qtbot.waitUntil(lambda: h in ready, timeout=10000)
    path = g.cached_thumbnail(h, 128)
    assert path is not None
    path.write_bytes(b"\xff\xd8 garbage")  # a damaged cache file
    cache.invalidate(h)
    ready.clear()
    fresh = ThumbnailCache(g, 128)
    fresh.ready.connect(ready.append)
    fresh.request(h)
    qtbot.waitUntil(lambda: h in ready, timeout=10000)
    assert fresh.peek(h) is not None and not fresh.peek(h).isNull()  # type: ignore[union-attr]


def test_stale_thumbnail_requests_are_dropped(qtbot: QtBot, qloop: asyncio.AbstractEventLoop,
                                              built: BuiltLibrary) -> None:
    g = built.gallery
    cache = ThumbnailCache(g, 256, max_inflight=1)
    cache.set_display_size(100, 1.0)
    ready: list[str] = []
    cache.ready.connect(ready.append)
    first, later = built.real[:20], built.real[20:24]
    cache.want(first)
    cache.want(later)  # the view scrolled: what was not started is dropped
    assert cache.stats()["queued"] == len(later) and cache.stats()["inflight"] == 1
    qtbot.waitUntil(lambda: set(later) <= set(ready), timeout=10000)
    assert len(set(ready) & set(first)) <= 1  # at most the one already started
    # A new size: late results for the old size are dropped, old pixmaps kept as placeholders.
    cache.set_display_size(140, 1.0)
    assert not cache.is_current(later[0]) and cache.peek(later[0]) is not None
    cache.want(later)
    qtbot.waitUntil(lambda: cache.is_current(later[0]), timeout=10000)
    assert max(cache.peek(later[0]).width(), cache.peek(later[0]).height()) <= 140  # type: ignore[union-attr]


def test_the_model_alone_on_a_reader(qtbot: QtBot, qloop: asyncio.AbstractEventLoop, built: BuiltLibrary,
                                     qtmodeltester: Any) -> None:
    g = built.gallery
    source = LocalLibrarySource(g)
    cache = ThumbnailCache(g, 128)
    model = LibraryModel(source, cache)
    try:
        from ideogram_studio.gallery.search_syntax import parse_search

        ids = source.reader.ids(parse_search(""))
        model.set_ids(ids)
        qtmodeltester.check(model, force_py=True)
        model.insert(0, ids[-1])  # already there: nothing happens
        assert model.rowCount() == len(ids)
        removed = model.remove_ids([ids[1], ids[2], ids[10]])
        assert removed == [1, 2, 10] and model.rowCount() == len(ids) - 3
        assert model.row_of(ids[11]) == 8
    finally:
        model.close()
        source.close()


def test_saved_searches_live_in_the_side_bar_with_their_counts(qtbot: QtBot, lib: Page, tmp_path: Path) -> None:
    from ideogram_studio.gallery.saved_searches import SavedSearches

    page = lib.page
    page.session.saved_store = SavedSearches(tmp_path / "config")
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_query_text("lighthouse")
    lighthouses = page.model.rowCount()
    page.session.save_search("Lighthouses", "lighthouse")
    section = page.filters.section("saved")

    def saved_items() -> list[tuple[str, str]]:  # below the built-in smart collections
        children = [section.child(i) for i in range(section.childCount())]
        return [(c.text(0), c.text(1)) for c in children if c.data(0, KIND_ROLE)[0] != "smart"]

    qtbot.waitUntil(lambda: ("Lighthouses", f"{lighthouses:,}") in saved_items(), timeout=10000)
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.set_query_text("")
    item = next(section.child(i) for i in range(section.childCount()) if section.child(i).text(0) == "Lighthouses")
    with qtbot.waitSignal(page.search_finished, timeout=10000):
        page.filters.itemClicked.emit(item, 0)  # a click on the saved search runs it
    assert page.search_field.text() == "lighthouse" and page.model.rowCount() == lighthouses
    page.session.save_search("lighthouses", "x")  # a second one with the same name: said, not saved
    qtbot.waitUntil(lambda: "already" in page.status.text(), timeout=10000)
    page.session.rename_saved_search("Lighthouses", "Beacons")
    qtbot.waitUntil(lambda: saved_items()[0][0] == "Beacons", timeout=10000)
    page.session.delete_saved_search("Beacons")
    qtbot.waitUntil(lambda: saved_items() == [("Save the current search…", "")], timeout=10000)
    assert [s.name for s in SavedSearches(tmp_path / "config").all()] == []


def test_work_asked_after_the_library_shut_down_ends_quietly(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, lib: Page
) -> None:
    # At quit the page shuts down while tasks may still ask for its threads (a refetch after an edit):
    # they end cancelled, never "cannot schedule new futures after shutdown" in the crash handler.
    errors: list[dict[str, Any]] = []
    qloop.set_exception_handler(lambda _loop, context: errors.append(context))
    row_id = lib.page.model.fetch_now([0])[0].id
    lib.page.shutdown()
    lib.page.session._refetch([row_id])
    qtbot.waitUntil(lambda: not [t for t in lib.runner.running() if t.get_name().startswith("library-refetch")],
                    timeout=5000)
    assert errors == []
