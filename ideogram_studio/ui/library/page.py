"""The library page the window embeds: search field, side bar with counts, the grid, the detail
panel, the trash, and long work in an inline bar.

Flow: text typed → parsed at once (mistakes underlined at the field) → after 120 ms of quiet the
search runs in a thread (a newer one supersedes it) → the model gets the ids and the first page
of rows → the grid repaints; the side bar's counts follow in the background. Writes to the
gallery (favourite, rating, tags, trash…) run one after another on a writer thread, so an undo
never overtakes what it undoes; the grid is updated at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QGuiApplication,
    QImage,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QShowEvent,
    QTextCharFormat,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...gallery import Gallery, GalleryError, ImageRow, Sort
from ...gallery.library_ops import (
    DateCounts,
    DetailInfo,
    LibraryReader,
    export_with_progress,
    library_problem,
    load_detail,
    neighbour_row,
)
from ...gallery.search_syntax import Search, SearchIssue, parse_search, remove_terms, toggle_value
from ...gallery.search_syntax import __doc__ as SYNTAX_DOC
from ..common.task_runner import EXPECTED, TaskRunner
from ..common.thumbnail_loader import ThumbnailCache
from ..common.untrusted import isolate, one_line
from .actions import MenuItems
from .detail_panel import CHAIN_ICON, LibraryDetail
from .grid_model import PAGE_SIZE, LibraryModel
from .grid_view import DEFAULT_SIZE, MAX_SIZE, MIN_SIZE, LibraryGrid, LibraryPreview
from .maintenance_tasks import LibraryTaskBar, LongTasks
from .reports import check_report, export_report, import_report, problem_text, purge_message, rebuild_report
from .sidebar import SCOPE_ALL, SCOPE_COLLECTION, SCOPE_TRASH, LibraryFilters

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Quiet time after a key before the search runs.
DEBOUNCE_MS = 120
#: Quiet time after a search before the side bar's counts are refreshed.
FACETS_DELAY_MS = 200
#: A selection larger than this is not kept across searches, nor summarised by tag.
KEEP_SELECTION = 5_000
def _lower_priority() -> None:
    """Make the calling thread yield the CPU to the GUI (Linux: nice applies per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


SORTS = ((Sort.NEWEST, "Newest first"), (Sort.OLDEST, "Oldest first"), (Sort.RATING, "Rating"),
         (Sort.PROMPT, "Prompt A→Z"))


def syntax_help() -> str:
    """The search syntax, for the field's tooltip (the parser's module doc, from the first example)."""
    doc = SYNTAX_DOC or ""
    start = doc.find("    red car")
    return "Search — " + (doc[start:].strip() if start >= 0 else doc.strip())


class SearchField(QLineEdit):
    """The search field; mistakes are underlined in red where they are (an input-method format,
    so it follows the text as it scrolls)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._issues: tuple[SearchIssue, ...] = ()

    def issues(self) -> tuple[SearchIssue, ...]:
        return self._issues

    def set_issues(self, issues: Sequence[SearchIssue]) -> None:
        self._issues = tuple(issues)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(220, 30, 30))
        fmt.setForeground(QColor(200, 20, 20))
        cursor = self.cursorPosition()
        n = len(self.text())
        attrs = []
        for issue in self._issues:
            start = max(0, min(issue.start, n))
            length = max(0, min(issue.end, n) - start)
            if length:
                attrs.append(QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.TextFormat,
                                                         start - cursor, length, fmt))
        event = QInputMethodEvent("", attrs)
        QApplication.sendEvent(self, event)
        self.setProperty("invalid", bool(self._issues))
        self.style().unpolish(self)
        self.style().polish(self)


@dataclass
class _Scope:
    kind: str = SCOPE_ALL
    collection: int | None = None


class _TrashCommand(QUndoCommand):
    """Move to the Trash; undo restores. The first redo is the delete itself."""

    def __init__(self, page: LibraryPage, ids: list[int], text: str) -> None:
        super().__init__(text)
        self._page, self._ids = page, ids

    def redo(self) -> None:
        self._page._do_trash(self._ids)

    def undo(self) -> None:
        self._page._do_restore(self._ids)


class _RestoreCommand(QUndoCommand):
    def __init__(self, page: LibraryPage, ids: list[int], text: str) -> None:
        super().__init__(text)
        self._page, self._ids = page, ids

    def redo(self) -> None:
        self._page._do_restore(self._ids, from_trash_view=True)

    def undo(self) -> None:
        self._page._do_trash(self._ids, reselect=False)


class _AnnotateCommand(QUndoCommand):
    """Favourite or rating of some images: redo sets the new value, undo puts back the old ones."""

    def __init__(self, page: LibraryPage, field: str, ids: list[int], new: Any, old: dict[int, Any],
                 text: str) -> None:
        super().__init__(text)
        self._page, self._field, self._ids, self._new, self._old = page, field, ids, new, old

    def redo(self) -> None:
        self._page._do_annotate(self._field, {self._new: self._ids})

    def undo(self) -> None:
        groups: dict[Any, list[int]] = {}
        for i, v in self._old.items():
            groups.setdefault(v, []).append(i)
        self._page._do_annotate(self._field, groups)


class LibraryPage(QWidget):
    """The library: see the module doc. Embed it and connect its signals."""

    open_requested = Signal(str)
    reuse_requested = Signal(str)
    use_field_requested = Signal(str, object)
    send_to_requested = Signal(str, str)
    use_as_requested = Signal(str, str)
    describe_requested = Signal(str)
    upscale_requested = Signal(str, int, int)
    locate_library_requested = Signal()
    #: A search was shown: the number of images.
    search_finished = Signal(int)
    #: The side bar's counts were refreshed.
    facets_updated = Signal()
    #: The detail panel shows an image (its hash).
    detail_shown = Signal(str)
    #: A short note for a status bar.
    message = Signal(str)

    def __init__(
        self, gallery: Gallery, runner: TaskRunner, parent: QWidget | None = None, *, send_to: MenuItems = (),
        use_as: MenuItems = (),
    ) -> None:
        """``send_to``, ``use_as``: the (target, label) items of the "Send to" and "Use as" menus;
        the chosen target comes back in ``send_to_requested`` / ``use_as_requested``."""
        super().__init__(parent)
        self._send_to, self._use_as = send_to, use_as
        self.gallery = gallery
        self.runner = runner
        self.reader = LibraryReader(gallery)
        self.thumbnails = ThumbnailCache(gallery, 256, parent=self, max_inflight=6)
        self.detail_thumbnails = ThumbnailCache(gallery, 128, 16 * 1024 * 1024, parent=self, max_inflight=4)
        self.model = LibraryModel(gallery, self.reader, self.thumbnails, self)
        self.undo_stack = QUndoStack(self)
        # One thread per kind of work: a search never waits behind a facet count, and the counts
        # run at a lower CPU priority than the GUI and the search (2-core machines).
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="library-writer")
        self._search_pool = ThreadPoolExecutor(1, thread_name_prefix="library-search")
        self._facets_pool = ThreadPoolExecutor(1, thread_name_prefix="library-facets", initializer=_lower_priority)
        self._io_pool = ThreadPoolExecutor(1, thread_name_prefix="library-io")
        self._search = parse_search("")
        self._scope = _Scope()
        self._generation = 0
        self._facets_running = False
        self._facets_dirty = False
        self._shown_once = False
        self._closed = False
        self._rebuilding = False
        self._detail_hash: str | None = None
        self._dialog: QFileDialog | None = None
        self._preview: LibraryPreview | None = None
        self._trash_count = 0
        self._purge_ids: list[int] | None = None
        self._setup_ui()
        self._make_actions()
        self._connect()

    # ---- public ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Run the current search again (and refresh the counts)."""
        self._start_search()

    def set_query_text(self, text: str) -> None:
        """Put text in the search field and search at once."""
        self.search_field.blockSignals(True)
        self.search_field.setText(text)
        self.search_field.blockSignals(False)
        self._on_text_changed(text, debounce=False)

    def query_text(self) -> str:
        return self.search_field.text()

    def search(self) -> Search:
        """The parsed search as shown (scope and sort included)."""
        return self._effective_search()

    def selected_ids(self) -> list[int]:
        return [i for i in (self.model.id_at(r) for r in self.grid.selected_rows()) if i is not None]

    def selected_hashes(self) -> list[str]:
        """Hashes of the selected images, in grid order (fetched for rows not loaded yet)."""
        rows = self.grid.selected_rows()
        out: list[str] = []
        missing: list[int] = []
        for r in rows:
            image = self.model.image(r)
            if image is None:
                image_id = self.model.id_at(r)
                if image_id is not None:
                    missing.append(image_id)
        found = self.reader.hashes_for(missing) if missing else {}
        for r in rows:
            image = self.model.image(r)
            if image is not None:
                out.append(image.hash)
            else:
                image_id = self.model.id_at(r)
                if image_id is not None and image_id in found:
                    out.append(found[image_id])
        return out

    def current_hash(self) -> str | None:
        index = self.grid.currentIndex()
        return self.model.hash_at(index.row()) if index.isValid() else None

    def insert_new(self, image_hash: str) -> None:
        """A result was just stored: show it where it belongs (at the top, newest first) without a
        reset: scroll position and selection stay."""
        self.runner.run(self._insert_new(image_hash), "library-insert")

    def select_hash(self, image_hash: str) -> bool:
        """Select and show an image if the grid has it; else just show it in the detail panel."""
        row = self.model.row_of_hash(image_hash)
        if row is None:
            image_id = self.reader.id_of(image_hash)
            row = self.model.row_of(image_id) if image_id is not None else None
        if row is not None:
            index = self.model.index(row)
            self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.grid.scrollTo(index)
            return True
        self._load_detail(image_hash)
        return False

    def set_scope(self, kind: str, collection: int | None = None) -> None:
        self._scope = _Scope(kind, collection)
        self.filters.set_scope(kind, collection)
        self.trash_bar.setVisible(kind == SCOPE_TRASH)
        self._confirm_row.hide()
        self._update_actions()
        self._start_search(keep_selection=False)

    def scope(self) -> tuple[str, int | None]:
        return self._scope.kind, self._scope.collection

    def set_sort(self, sort: Sort) -> None:
        i = self.sort_combo.findData(sort.value)
        if i >= 0:
            self.sort_combo.setCurrentIndex(i)

    def set_thumbnail_size(self, size: int) -> None:
        self.size_slider.setValue(size)

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Import files and folders (drag and drop, or the menu) with progress and a report."""
        paths = [Path(p) for p in paths]
        if not paths:
            return
        started = self.tasks.start(
            "Import",
            lambda progress, cancel: self.gallery.import_paths(paths, progress=progress, cancel=cancel),
            import_report,
            done=lambda _r: self._after_change(),
        )
        if started is None:
            self._say("Wait for the running task to finish first.")

    def export_to(self, folder: Path, ids: Sequence[int] | None = None, *, metadata: bool = True) -> None:
        """Copies without any source's place, camera or owner; `metadata=False`: pixels only (no
        request metadata inside, no sidecar)."""
        ids = list(ids if ids is not None else self.selected_ids())
        if not ids:
            self._say("Select the images to export first.")
            return
        self.tasks.start(
            "Export" if metadata else "Export (pixels only)",
            lambda progress, cancel: export_with_progress(self.gallery, ids, folder, progress=progress, cancel=cancel,
                                                          metadata=metadata),
            lambda r: export_report(r, folder),
        )

    def export_selection(self, *, metadata: bool = True) -> QFileDialog | None:
        """Ask for a folder (non-modal) and export the selection there."""
        ids = self.selected_ids()
        if not ids:
            self._say("Select the images to export first.")
            return None
        how = "" if metadata else ", pixels only"
        dialog = QFileDialog(self, f"Export {len(ids):,} image(s) to a folder{how}")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda folder: self.export_to(Path(folder), ids, metadata=metadata))
        dialog.open()
        self._dialog = dialog
        return dialog

    def check_library(self, repair: bool = False) -> None:
        self.tasks.start(
            "Repair library" if repair else "Library check",
            lambda progress, cancel: self.gallery.check(repair=repair, progress=progress, cancel=cancel),
            check_report,
            done=lambda r: self._after_check(r.clean, repair),
            actions=lambda r: ("Repair",) if not r.clean and not repair and not r.cancelled else (),
        )

    def rebuild_index(self) -> None:
        """Rebuild the index from the files (nothing else touches the gallery meanwhile)."""
        if self.tasks.busy():
            self._say("Wait for the running task to finish first.")
            return
        self._rebuilding = True
        self.model.set_frozen(True)
        self.reader.reopen()
        self._set_enabled(False)

        def work(progress: Callable[[int, int, Path], None], _cancel: object) -> Any:
            return self.gallery.rebuild(progress=progress)

        def finished(_report: Any = None) -> None:
            self._rebuilding = False
            self.reader.reopen()
            self.model.set_frozen(False)
            self.model.forget()
            self._set_enabled(True)
            self._after_change()

        self.tasks.start("Rebuild index", work, rebuild_report, cancellable=False, done=finished, failed=finished)

    def show_in_folder(self, image_hash: str | None = None) -> None:
        image_hash = image_hash or self.current_hash()
        if not image_hash:
            return
        try:
            path = self.gallery.path_for(image_hash)
        except GalleryError as exc:
            self._say(exc.message)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def empty_trash(self) -> None:
        """Ask inline (never a modal box) before deleting the trash for good."""
        if self._trash_count == 0:
            self._say("The Trash is empty.")
            return
        self._confirm_label.setText(
            f"Delete the {self._trash_count:,} image(s) in the Trash for good? Their files are removed; "
            "images other results were made from are kept as hidden inputs.")
        self._confirm_row.show()
        self.trash_bar.show()
        self._confirm_button.setFocus()

    def shutdown(self) -> None:
        """Stop background work and close the page's connections (the window calls it at quit)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(RuntimeError):  # Qt objects already deleted (the window went first)
            self.thumbnails.close()
            self.detail_thumbnails.close()
            self._debounce.stop()
            self._facets_timer.stop()
            self._selection_timer.stop()
            if self._preview is not None:
                self._preview.close()
        self.model.close()
        self.tasks.cancel()
        self._writer.shutdown(wait=True)
        for pool in (self._search_pool, self._facets_pool, self._io_pool):
            pool.shutdown(wait=True, cancel_futures=True)
        self.reader.close()

    # ---- set-up ------------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("library-page")
        self.setStyleSheet("SearchField[invalid=\"true\"] { border: 1px solid #d02020; border-radius: 3px; }"
                           "QLabel#search-error { color: #c01818; }")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(4)

        top = QHBoxLayout()
        self.search_field = SearchField(self)
        self.search_field.setObjectName("library-search")
        self.search_field.setPlaceholderText("Search prompts and tags — try  castle -night tag:poster rating:>=4")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setToolTip(syntax_help())
        top.addWidget(self.search_field, 1)
        self.sort_combo = QComboBox(self)
        self.sort_combo.setObjectName("library-sort")
        for sort, label in SORTS:
            self.sort_combo.addItem(label, sort.value)
        self.sort_combo.setToolTip("Order of the grid")
        top.addWidget(self.sort_combo)
        size_label = QLabel("Size", self)
        top.addWidget(size_label)
        self.size_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.size_slider.setObjectName("library-size")
        self.size_slider.setRange(MIN_SIZE, MAX_SIZE)
        self.size_slider.setSingleStep(8)
        self.size_slider.setPageStep(32)
        self.size_slider.setValue(DEFAULT_SIZE)
        self.size_slider.setFixedWidth(140)
        self.size_slider.setToolTip("Thumbnail size")
        top.addWidget(self.size_slider)
        self.library_button = QToolButton(self)
        self.library_button.setText("Library ▾")
        self.library_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        top.addWidget(self.library_button)
        outer.addLayout(top)
        self.search_error = QLabel(self)
        self.search_error.setObjectName("search-error")
        self.search_error.setWordWrap(True)
        self.search_error.hide()
        outer.addWidget(self.search_error)

        self.filters = LibraryFilters(self)
        self.filters.setMinimumWidth(190)
        self.detail = LibraryDetail(self.detail_thumbnails, self, send_to=self._send_to, use_as=self._use_as)

        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(4)
        self.trash_bar = QWidget(centre)
        self.trash_bar.setObjectName("trash-bar")
        trash_layout = QVBoxLayout(self.trash_bar)
        trash_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self._trash_label = QLabel("Trash: images stay here until you empty it. Select some and Restore.", centre)
        row.addWidget(self._trash_label, 1)
        self.restore_button = QPushButton("Restore", centre)
        self.restore_button.setObjectName("trash-restore")
        self.empty_button = QPushButton("Empty Trash…", centre)
        self.empty_button.setObjectName("trash-empty")
        row.addWidget(self.restore_button)
        row.addWidget(self.empty_button)
        trash_layout.addLayout(row)
        self._confirm_row = QWidget(centre)
        self._confirm_row.setObjectName("trash-confirm")
        self._confirm_row.setStyleSheet("QWidget#trash-confirm { background: #fde8e8; border-radius: 4px; }")
        confirm = QHBoxLayout(self._confirm_row)
        self._confirm_label = QLabel(self._confirm_row)
        self._confirm_label.setWordWrap(True)
        confirm.addWidget(self._confirm_label, 1)
        self._confirm_button = QPushButton("Delete for good", self._confirm_row)
        self._confirm_button.setObjectName("trash-confirm-delete")
        self._confirm_cancel = QPushButton("Cancel", self._confirm_row)
        confirm.addWidget(self._confirm_button)
        confirm.addWidget(self._confirm_cancel)
        trash_layout.addWidget(self._confirm_row)
        self._confirm_row.hide()
        self.trash_bar.hide()
        centre_layout.addWidget(self.trash_bar)

        self.grid = LibraryGrid(self.model, self.thumbnails, centre)
        self.grid.set_thumbnail_size(DEFAULT_SIZE)
        self._empty = QLabel(centre)
        self._empty.setObjectName("library-empty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setStyleSheet("color: palette(mid); font-size: 15px;")
        self._missing = QWidget(centre)
        self._missing.setObjectName("library-missing")
        missing_layout = QVBoxLayout(self._missing)
        missing_layout.addStretch(1)
        self._missing_label = QLabel(self._missing)
        self._missing_label.setWordWrap(True)
        self._missing_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._missing_label.setStyleSheet("font-size: 15px;")
        missing_layout.addWidget(self._missing_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.locate_button = QPushButton("Locate…", self._missing)
        self.locate_button.setObjectName("library-locate")
        self.retry_button = QPushButton("Try again", self._missing)
        buttons.addWidget(self.locate_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        missing_layout.addLayout(buttons)
        missing_layout.addStretch(2)
        self._centre_stack = QStackedWidget(centre)
        self._centre_stack.addWidget(self.grid)
        self._centre_stack.addWidget(self._empty)
        self._centre_stack.addWidget(self._missing)
        centre_layout.addWidget(self._centre_stack, 1)
        self.task_bar = LibraryTaskBar(centre)
        centre_layout.addWidget(self.task_bar)
        self.tasks = LongTasks(self.runner, self.task_bar)
        self.status = QLabel(centre)
        self.status.setObjectName("library-status")
        self.status.setStyleSheet("color: palette(mid);")
        centre_layout.addWidget(self.status)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("library-splitter")
        self.splitter.addWidget(self.filters)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 800, 340])
        outer.addWidget(self.splitter, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self._start_search())
        self._facets_timer = QTimer(self)
        self._facets_timer.setSingleShot(True)
        self._facets_timer.setInterval(FACETS_DELAY_MS)
        self._facets_timer.timeout.connect(self._start_facets)
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(30)
        self._selection_timer.timeout.connect(self._update_detail)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(6000)
        self._message_timer.timeout.connect(self._update_status)
        self.detail_thumbnails.set_display_size(CHAIN_ICON, self.devicePixelRatioF())

    def _action(self, text: str, slot: Callable[[], None], keys: Sequence[str | QKeySequence] = (), *,
                repeat: bool = True, tip: str = "") -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setAutoRepeat(repeat)
        # Active only while the focus is in the page (the window has shortcuts of its own); the
        # grid's keys are answered by the grid itself (LibraryGrid.set_key_actions).
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        action.setToolTip(f"{tip or text} ({shown})" if shown else tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _make_actions(self) -> None:
        a = self._action
        self.act_open = a("Open", self._open_current, ["Return", "Enter"], repeat=False)
        self.act_preview = a("Large preview", self.toggle_preview, ["Space"], repeat=False)
        self.act_favourite = a("Favourite", self.toggle_favourite, [".", "F"], repeat=False,
                               tip="Mark or unmark as favourite")
        self.act_ratings = [a("No rating" if n == 0 else "★" * n, functools.partial(self.rate, n), [str(n)])
                            for n in range(6)]
        self.act_trash = a("Move to Trash", self.trash_selection, ["Delete"], repeat=False,
                           tip="Move to the Trash (Ctrl+Z brings it back)")
        self.act_restore = a("Restore from Trash", self.restore_selection, ["Ctrl+Shift+R"], repeat=False)
        self.act_purge = a("Delete for good…", self.purge_selection, ["Shift+Delete"], repeat=False)
        self.act_copy_prompt = a("Copy prompt", self.copy_prompt, ["Ctrl+C"])
        self.act_copy_seed = a("Copy seed", self.copy_seed, ["Ctrl+Shift+C"])
        self.act_reuse = a("Reuse settings", lambda: self._emit_current(self.reuse_requested), ["Ctrl+Shift+U"])
        self.act_describe = a("Describe", lambda: self._emit_current(self.describe_requested))
        self.act_upscale = a("Upscale…", self._open_upscale, ["Ctrl+U"])
        # Exports never carry a source photo's place or camera; this one keeps the studio's request metadata.
        self.act_export = a("Export with the request metadata…", self._export_selection, ["Ctrl+E"])
        self.act_export_pixels = a("Export pixels only…", self._export_pixels_only, ["Ctrl+Shift+E"])
        self.act_show = a("Show in folder", lambda: self.show_in_folder())
        self.act_tag = a("Add tag…", self._focus_tags, ["T"])
        self.act_select_all = a("Select all", self.grid.selectAll, [QKeySequence(QKeySequence.StandardKey.SelectAll)])
        self.act_clear = a("Clear selection", self.grid.clearSelection, ["Esc"])
        self.act_search = a("Search", self._focus_search, [QKeySequence(QKeySequence.StandardKey.Find), "/"])
        self.act_import_files = a("Import files…", lambda: self._ask_import(folder=False), ["Ctrl+I"])
        self.act_import_folder = a("Import folder…", lambda: self._ask_import(folder=True))
        self.act_check = a("Check library", lambda: self.check_library())
        self.act_rebuild = a("Rebuild index", self.rebuild_index)
        self.act_empty = a("Empty Trash…", self.empty_trash)
        self.act_new_collection = a("New collection", lambda: self._create_collection(None))
        self.act_send = [a(label, functools.partial(self._emit_pair, self.send_to_requested, target))
                         for target, label in self._send_to]
        self.act_use = [a(label, functools.partial(self._emit_pair, self.use_as_requested, target))
                        for target, label in self._use_as]

        self.act_undo = self.undo_stack.createUndoAction(self, "Undo")
        self.act_undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.act_redo = self.undo_stack.createRedoAction(self, "Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.act_undo, self.act_redo, self.act_search, self.act_import_files, self.act_export,
                       self.act_export_pixels):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        # Keys of the grid: answered by the grid while it has the focus (a held key does not repeat
        # what must happen once per press).
        self.grid.set_key_actions([
            self.act_open, self.act_preview, self.act_favourite, *self.act_ratings, self.act_trash,
            self.act_purge, self.act_restore, self.act_copy_prompt, self.act_copy_seed, self.act_reuse,
            self.act_upscale, self.act_tag, self.act_clear,
        ])

        # One context menu for every image, built once.
        menu = QMenu(self)
        menu.setObjectName("library-menu")
        menu.addAction(self.act_open)
        menu.addAction(self.act_preview)
        menu.addSeparator()
        menu.addAction(self.act_favourite)
        rating = menu.addMenu("Rating")
        for action in self.act_ratings[1:] + self.act_ratings[:1]:
            rating.addAction(action)
        menu.addAction(self.act_tag)
        self._collection_menu = menu.addMenu("Add to collection")
        self._collection_menu.aboutToShow.connect(self._fill_collection_menu)
        menu.addSeparator()
        menu.addAction(self.act_copy_prompt)
        menu.addAction(self.act_copy_seed)
        menu.addAction(self.act_reuse)
        send = menu.addMenu("Send to")
        for action in self.act_send:
            send.addAction(action)
        use = menu.addMenu("Use as")
        for action in self.act_use:
            use.addAction(action)
        menu.addAction(self.act_describe)
        menu.addAction(self.act_upscale)
        menu.addSeparator()
        menu.addAction(self.act_export)
        menu.addAction(self.act_export_pixels)
        menu.addAction(self.act_show)
        menu.addSeparator()
        menu.addAction(self.act_trash)
        menu.addAction(self.act_restore)
        menu.addAction(self.act_purge)
        self.context_menu = menu

        library = QMenu(self)
        for action in (self.act_import_files, self.act_import_folder, self.act_export, self.act_export_pixels,
                       self.act_select_all):
            library.addAction(action)
        library.addSeparator()
        library.addAction(self.act_new_collection)
        library.addSeparator()
        library.addAction(self.act_check)
        library.addAction(self.act_rebuild)
        library.addAction(self.act_empty)
        library.addSeparator()
        library.addAction(self.act_undo)
        library.addAction(self.act_redo)
        self.library_button.setMenu(library)
        self._update_actions()

    def _connect(self) -> None:
        self.search_field.textChanged.connect(self._on_text_changed)
        self.search_field.returnPressed.connect(lambda: self._start_search())
        self.sort_combo.currentIndexChanged.connect(lambda _i: self._start_search())
        self.size_slider.valueChanged.connect(self.grid.set_thumbnail_size)
        self.grid.open_requested.connect(lambda row: self._emit_row(self.open_requested, row))
        self.grid.files_dropped.connect(self.import_paths)
        self.grid.customContextMenuRequested.connect(self._on_context_menu)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.grid.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._rewire_selection)
        self.model.rows_loaded.connect(self._on_rows_loaded)
        self.filters.scope_changed.connect(lambda kind, cid: self.set_scope(kind, cid))
        self.filters.filter_toggled.connect(self._on_filter_toggled)
        self.filters.rating_chosen.connect(lambda key: self._replace_term("rating", f"rating:{key}" if key else ""))
        self.filters.date_chosen.connect(lambda key: self._replace_term("date", f"date:{key}" if key else ""))
        self.filters.favourites_toggled.connect(lambda on: self._replace_term("fav", "fav" if on else ""))
        self.filters.create_collection_requested.connect(self._create_collection)
        self.filters.rename_collection_requested.connect(self._rename_collection)
        self.filters.delete_collection_requested.connect(self._delete_collection)
        self.filters.images_dropped.connect(self.add_to_collection)
        d = self.detail
        d.reuse_requested.connect(self.reuse_requested)
        d.use_field_requested.connect(self.use_field_requested)
        d.send_to_requested.connect(self.send_to_requested)
        d.use_as_requested.connect(self.use_as_requested)
        d.describe_requested.connect(self.describe_requested)
        d.upscale_requested.connect(self.upscale_requested)
        d.open_requested.connect(self.open_requested)
        d.preview_requested.connect(lambda h: self.toggle_preview(h))
        d.show_in_folder_requested.connect(self.show_in_folder)
        d.image_clicked.connect(self.select_hash)
        d.tags_added.connect(self.add_tags)
        d.tag_removed.connect(self.remove_tag)
        d.add_to_collection_requested.connect(lambda cid: self.add_to_collection(cid, self._detail_targets()))
        d.remove_from_collection_requested.connect(self._remove_from_collection)
        d.message.connect(self._say)
        self.restore_button.clicked.connect(self.restore_selection)
        self.empty_button.clicked.connect(self.empty_trash)
        self._confirm_button.clicked.connect(self._confirm_empty)
        self._confirm_cancel.clicked.connect(self._confirm_row.hide)
        self.locate_button.clicked.connect(self.locate_library_requested)
        self.retry_button.clicked.connect(self.refresh)
        self.task_bar.action_clicked.connect(self._on_task_action)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self.refresh)

    # ---- searching -----------------------------------------------------------------------------------
    def _effective_search(self) -> Search:
        sort = Sort(self.sort_combo.currentData() or Sort.NEWEST.value)
        s = self._search
        return s.with_query(
            sort=sort,
            trashed=self._scope.kind == SCOPE_TRASH,
            collection=self._scope.collection if self._scope.kind == SCOPE_COLLECTION else None,
        )

    def _on_text_changed(self, text: str, debounce: bool = True) -> None:
        self._search = parse_search(text)
        self._show_issues(self._search.errors)
        if debounce:
            self._debounce.start()
        else:
            self._debounce.stop()
            self._start_search()

    def _show_issues(self, issues: Sequence[SearchIssue]) -> None:
        self.search_field.set_issues(issues)
        if not issues:
            self.search_error.hide()
            self.search_field.setToolTip(syntax_help())
            return
        first = issues[0]
        more = f"  (+{len(issues) - 1} more)" if len(issues) > 1 else ""
        self.search_error.setText(f"Column {first.start + 1}: {first.message}{more}")
        self.search_error.show()
        self.search_field.setToolTip("\n".join(f"Column {i.start + 1}: {i.message}" for i in issues)
                                     + "\n\n" + syntax_help())

    def _start_search(self, *, keep_selection: bool = True, select_ids: Sequence[int] | None = None) -> None:
        if self._closed or self._rebuilding:
            return
        self._debounce.stop()
        problem = library_problem(self.gallery)
        if problem is not None:
            self._show_missing(problem_text(problem))
            return
        if self._centre_stack.currentWidget() is self._missing:
            self._centre_stack.setCurrentWidget(self.grid)
            for w in (self.filters, self.detail, self.search_field, self.sort_combo):
                w.setEnabled(True)
            self.reader.reopen()
        self._generation += 1
        search = self._effective_search()
        self.thumbnails.want([])  # the shown results are about to change: leave the CPU to the search
        keep: tuple[list[int], int | None] = ([], None)
        if keep_selection and self.grid.selected_count() <= KEEP_SELECTION:
            current = self.model.id_at(self.grid.currentIndex().row()) if self.grid.currentIndex().isValid() else None
            keep = (self.selected_ids(), current)
        if select_ids is not None:
            keep = (list(select_ids), select_ids[0] if select_ids else None)
        self.runner.run(self._search_task(self._generation, search, keep), "library-search", replace=True)

    async def _search_task(self, generation: int, search: Search, keep: tuple[list[int], int | None]) -> None:
        reader = self.reader  # (worker code holds no reference to the widget)

        def work() -> tuple[list[int], list[ImageRow]]:
            ids = reader.ids(search)
            return ids, reader.rows_for(ids[:PAGE_SIZE])

        try:
            ids, rows = await self._in(self._search_pool, work)
        except EXPECTED as exc:
            if generation == self._generation:
                problem = library_problem(self.gallery)
                if problem is not None:
                    self._show_missing(problem_text(problem))
                else:
                    self._say(getattr(exc, "message", None) or str(exc))
            return
        if generation != self._generation or self._closed:
            return  # a newer search superseded this one
        self.model.set_ids(ids, rows)
        self._restore_selection(*keep)
        self._centre_stack.setCurrentWidget(self.grid if ids else self._empty)
        if not ids:
            self._empty.setText(self._empty_text())
        self._update_status()
        self.search_finished.emit(len(ids))
        self._schedule_facets()

    def _empty_text(self) -> str:
        if self._scope.kind == SCOPE_TRASH:
            return "The Trash is empty."
        if self.search_field.text().strip():
            return "No image matches this search.\nRemove a filter, or check the words."
        if self._scope.kind == SCOPE_COLLECTION:
            return "This collection is empty.\nDrag images from the grid onto it in the side bar."
        return "Your library is empty.\nGenerated images appear here; drop image files here to import them."

    def _restore_selection(self, ids: list[int], current: int | None) -> None:
        if not ids and current is None:
            self._update_detail()
            return
        selection = QItemSelection()
        for image_id in ids:
            r = self.model.row_of(image_id)
            if r is not None:
                index = self.model.index(r)
                selection.select(index, index)
        sm = self.grid.selectionModel()
        sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        r = self.model.row_of(current) if current is not None else None
        if r is not None:
            index = self.model.index(r)
            sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.grid.scrollTo(index)

    def _schedule_facets(self) -> None:
        if self._facets_running:
            self._facets_dirty = True
        else:
            self._facets_timer.start()

    def _start_facets(self) -> None:
        if self._closed or self._rebuilding:
            return
        self._facets_running = True
        self._facets_dirty = False
        self.runner.run(self._facets_task(self._effective_search()), "library-facets", replace=True)

    async def _facets_task(self, search: Search) -> None:
        reader, gallery = self.reader, self.gallery

        def work() -> tuple[Any, DateCounts, Any, int, int, list[str]]:
            facets = reader.facets(search)
            dates = reader.date_counts(search)
            collections = gallery.collections()
            total = reader.count(Search())  # the whole library (not in the trash)
            trash = reader.trash_count()
            tags = [str(t.value) for t in gallery.all_tags()]
            return facets, dates, collections, total, trash, tags

        try:
            facets, dates, collections, total, trash, tags = await self._in(self._facets_pool, work)
        except EXPECTED as exc:
            log.info("facet counts failed: %s", exc)
            return
        finally:
            self._facets_running = False
            if self._facets_dirty and not self._closed:
                self._facets_timer.start()
        if self._closed:
            return
        self._trash_count = trash
        self.filters.set_counts(search, facets, dates, collections, total, trash)
        self.detail.set_collections(collections)
        self.detail.set_tag_completions(tags)
        self._trash_label.setText(f"Trash: {trash:,} image(s). They stay here until you empty the Trash.")
        self.facets_updated.emit()

    # ---- side bar → text ---------------------------------------------------------------------------
    def _on_filter_toggled(self, field: str, value: object, on: bool) -> None:
        text = toggle_value(self.search_field.text(), field, None if value is None else str(value), on)
        self.set_query_text(text)

    def _replace_term(self, field: str, token: str) -> None:
        fields = {"date": ("date", "after", "before"), "rating": ("rating",), "fav": ("fav",)}[field]
        text = remove_terms(self.search_field.text(), lambda t: t.field in fields)
        if token:
            text = f"{text} {token}".strip()
        self.set_query_text(text)

    # ---- new results ---------------------------------------------------------------------------------
    async def _insert_new(self, image_hash: str) -> None:
        search = self._effective_search()
        generation = self._generation
        reader = self.reader

        def work() -> tuple[int, int | None, list[ImageRow]] | None:
            image_id = reader.id_of(image_hash)
            if image_id is None:
                return None
            return image_id, reader.position(search, image_id), reader.rows_for([image_id])

        try:
            found = await self._in(self._search_pool, work)
        except EXPECTED:
            return
        if found is None or generation != self._generation or self._closed:
            return
        image_id, position, rows = found
        if position is None:
            self._schedule_facets()
            return
        anchor = self.grid.first_visible_row()
        at_top = self.grid.verticalScrollBar().value() == 0
        anchor_y = self.grid.visualRect(self.model.index(anchor)).top() if anchor is not None else 0
        if not self.model.insert(position, image_id, rows[0] if rows else None):
            return
        if anchor is not None and not at_top:
            self.grid.keep_anchor(anchor + (1 if position <= anchor else 0), anchor_y)
        self._update_status()
        self._schedule_facets()

    # ---- selection → detail ----------------------------------------------------------------------------
    def _rewire_selection(self) -> None:
        self._selection_timer.start()

    def _on_selection_changed(self, *_args: object) -> None:
        self._update_actions()
        self._selection_timer.start()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._selection_timer.start()
        if self._preview is not None and self._preview.isVisible() and current.isValid():
            self._load_preview(current.row())

    def _on_rows_loaded(self, ids: list[int]) -> None:
        if self._detail_hash is None and self.grid.selected_count() == 1:
            self._selection_timer.start()

    def _update_detail(self) -> None:
        self._update_status()
        count = self.grid.selected_count()
        if count == 1:
            rows = self.grid.selected_rows()
            image = self.model.image(rows[0]) if rows else None
            if image is None:
                if rows:
                    self.model.ensure_rows(rows[0], rows[0])
                self._detail_hash = None
                return
            if image.hash != self._detail_hash:
                self._load_detail(image.hash)
            return
        self._detail_hash = None
        tags: dict[str, int] = {}
        if 0 < count <= 2_000:
            for image in self.model.fetch_now(self.grid.selected_rows()):
                for t in image.tags:
                    tags[t] = tags.get(t, 0) + 1
        self.detail.show_selection(count, sorted(tags.items(), key=lambda kv: (-kv[1], kv[0].casefold())))

    def _load_detail(self, image_hash: str) -> None:
        self._detail_hash = image_hash
        self.runner.run(self._detail_task(image_hash), "library-detail", replace=True)

    async def _detail_task(self, image_hash: str) -> None:
        gallery = self.gallery

        def work() -> tuple[DetailInfo | None, QImage | None]:
            info = load_detail(gallery, image_hash)
            image: QImage | None = None
            if info is not None:
                try:
                    path = gallery.submit_thumbnail(image_hash, 512).result(timeout=30)
                    image = QImage(str(path))
                except Exception:  # no preview is not a reason to show no details
                    image = None
            return info, image

        try:
            info, image = await self._in(self._io_pool, work)
        except EXPECTED as exc:
            self._say(getattr(exc, "message", None) or str(exc))
            return
        if info is None or self._detail_hash != image_hash or self._closed:
            return
        self.detail.show_info(info, image)
        self.detail_shown.emit(image_hash)

    def _detail_targets(self) -> list[int]:
        ids = self.selected_ids()
        if ids:
            return ids
        info = self.detail.info()
        return [info.row.id] if info is not None else []

    # ---- preview -----------------------------------------------------------------------------------
    def toggle_preview(self, image_hash: str | None = None) -> None:
        if self._preview is not None and self._preview.isVisible():
            self._preview.close()
            return
        if self._preview is None:
            self._preview = LibraryPreview(self)
            self._preview.navigate.connect(self._on_preview_navigate)
            self._preview.open_requested.connect(lambda: self._emit_current(self.open_requested))
            self._preview.closed.connect(lambda: self.grid.setFocus())
        row = self.grid.currentIndex().row() if self.grid.currentIndex().isValid() else -1
        if image_hash is None and row < 0:
            return
        self._preview.set_image(None)
        self._preview.show_over(self.grid)
        if image_hash is not None and image_hash != self.current_hash():
            self.runner.run(self._preview_task(image_hash, ""), "library-preview", replace=True)
        else:
            self._load_preview(row)

    def preview(self) -> LibraryPreview | None:
        return self._preview

    def _load_preview(self, row: int) -> None:
        image = self.model.image(row)
        if image is None:
            return
        prompt = (image.prompt or image.prompt_used or "").strip()
        # The prompt isolated: an override inside it cannot reverse the size before it.
        caption = f"{image.width}×{image.height}" + (f" · {isolate(one_line(prompt, 160))}" if prompt else "")
        self.runner.run(self._preview_task(image.hash, caption), "library-preview", replace=True)

    async def _preview_task(self, image_hash: str, caption: str) -> None:
        gallery = self.gallery

        def work() -> QImage:
            return QImage.fromData(gallery.read_bytes(image_hash))

        try:
            image = await self._in(self._io_pool, work)
        except EXPECTED as exc:
            self._say(getattr(exc, "message", None) or str(exc))
            return
        if self._preview is not None and self._preview.isVisible():
            self._preview.set_image(image if not image.isNull() else None, caption)

    def _on_preview_navigate(self, key: int) -> None:
        event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self.grid, event)

    # ---- actions on the selection ---------------------------------------------------------------------
    def _target_ids(self) -> list[int]:
        ids = self.selected_ids()
        if not ids and self.grid.currentIndex().isValid():
            image_id = self.model.id_at(self.grid.currentIndex().row())
            ids = [image_id] if image_id is not None else []
        return ids

    def toggle_favourite(self) -> None:
        ids = self._target_ids()
        if not ids:
            return
        rows = self._rows_of(ids)
        new = not all(r.favourite for r in rows) if rows else True
        old = {r.id: r.favourite for r in rows}
        text = ("Favourite" if new else "Unfavourite") + f" {len(ids):,} image(s)"
        self.undo_stack.push(_AnnotateCommand(self, "favourite", ids, new, old, text))

    def rate(self, stars: int) -> None:
        ids = self._target_ids()
        if not ids:
            return
        rows = self._rows_of(ids)
        old = {r.id: r.rating for r in rows}
        text = f"Rate {len(ids):,} image(s) {stars}★" if stars else f"Clear the rating of {len(ids):,} image(s)"
        self.undo_stack.push(_AnnotateCommand(self, "rating", ids, stars, old, text))

    def _rows_of(self, ids: list[int]) -> list[ImageRow]:
        rows = [self.model.row_of(i) for i in ids]
        return self.model.fetch_now([r for r in rows if r is not None])

    def _do_annotate(self, field: str, groups: dict[Any, list[int]]) -> None:
        for value, ids in groups.items():
            self.model.patch(ids, **{field: value})

        def work() -> None:
            for value, ids in groups.items():
                if field == "favourite":
                    self.gallery.set_favourite(ids, bool(value))
                else:
                    self.gallery.set_rating(ids, int(value))

        self._write(work, then=lambda: self._refetch([i for ids in groups.values() for i in ids]))

    def trash_selection(self) -> None:
        if self._scope.kind == SCOPE_TRASH:
            self._say("These images are in the Trash already: Restore them, or Delete for good.")
            return
        ids = self._target_ids()
        if ids:
            self.undo_stack.push(_TrashCommand(self, ids, f"Move {len(ids):,} image(s) to the Trash"))

    def restore_selection(self) -> None:
        if self._scope.kind != SCOPE_TRASH:
            return
        ids = self._target_ids()
        if ids:
            self.undo_stack.push(_RestoreCommand(self, ids, f"Restore {len(ids):,} image(s)"))

    def purge_selection(self) -> None:
        """In the Trash: delete the selection for good, after an inline confirmation."""
        if self._scope.kind != SCOPE_TRASH:
            self._say("Only images in the Trash can be deleted for good.")
            return
        ids = self._target_ids()
        if not ids:
            return
        self._purge_ids = ids
        self._confirm_label.setText(f"Delete {len(ids):,} image(s) for good? This cannot be undone.")
        self._confirm_row.show()
        self._confirm_button.setFocus()

    def _confirm_empty(self) -> None:
        self._confirm_row.hide()
        ids, self._purge_ids = self._purge_ids, None
        if ids:
            self.model.remove_ids(ids)
            self._write(lambda: self.gallery.purge(ids), then=self._after_purge)
        else:
            self.model.set_ids([])
            self._write(lambda: self.gallery.empty_trash(), then=self._after_purge)

    def _after_purge(self, report: Any = None) -> None:
        for h in getattr(report, "purged", []):
            self.thumbnails.invalidate(h)
        self._say(purge_message(report))
        self.undo_stack.clear()  # what was purged cannot come back
        self._after_change()

    def _do_trash(self, ids: list[int], *, reselect: bool = True) -> None:
        old_count = self.model.rowCount()
        removed = self.model.remove_ids(ids)
        if reselect and self._scope.kind != SCOPE_TRASH:
            row = neighbour_row(removed, old_count)
            if row is not None:
                index = self.model.index(row)
                self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.grid.scrollTo(index)
        self._say(f"Moved {len(ids):,} image(s) to the Trash — Ctrl+Z brings them back.")
        self._write(lambda: self.gallery.trash(ids), then=lambda _r: self._after_change(search=False))

    def _do_restore(self, ids: list[int], *, from_trash_view: bool = False) -> None:
        if from_trash_view or self._scope.kind == SCOPE_TRASH:
            self.model.remove_ids(ids)
            self._write(lambda: self.gallery.restore(ids), then=lambda _r: self._after_change(search=False))
            self._say(f"Restored {len(ids):,} image(s).")
            return
        self._write(lambda: self.gallery.restore(ids),
                    then=lambda _r: self._start_search(keep_selection=False, select_ids=ids))
        self._say(f"Restored {len(ids):,} image(s).")

    def add_tags(self, tags: list[str]) -> None:
        ids = self._detail_targets()
        if ids and tags:
            self._write(lambda: self.gallery.add_tags(ids, tags), then=lambda _r: self._after_tags(ids))

    def remove_tag(self, tag: str) -> None:
        ids = self._detail_targets()
        if ids:
            self._write(lambda: self.gallery.remove_tags(ids, [tag]), then=lambda _r: self._after_tags(ids))

    def _after_tags(self, ids: list[int]) -> None:
        self._refetch(ids)
        self._detail_hash = None
        self._selection_timer.start()
        self._schedule_facets()

    def add_to_collection(self, collection_id: int, ids: list[int]) -> None:
        if not ids:
            return
        self._write(lambda: self.gallery.add_to_collection(collection_id, ids),
                    then=lambda _r: self._after_collection(f"Added {len(ids):,} image(s) to the collection."))

    def _remove_from_collection(self, collection_id: int) -> None:
        ids = self._detail_targets()
        self._write(lambda: self.gallery.remove_from_collection(collection_id, ids),
                    then=lambda _r: self._after_collection("Removed from the collection."))

    def _after_collection(self, text: str) -> None:
        self._say(text)
        self._detail_hash = None
        self._selection_timer.start()
        if self._scope.kind == SCOPE_COLLECTION:
            self._start_search()
        else:
            self._schedule_facets()

    def _create_collection(self, parent: object) -> None:
        names = {c.name for c in self.gallery.collections()}
        name, n = "New collection", 1
        while name in names:
            n += 1
            name = f"New collection {n}"
        parent_id = int(parent) if isinstance(parent, int) else None

        def made(collection: Any) -> None:
            self._schedule_facets()
            self._after_facets_then(lambda: self.filters.edit_collection(collection.id))

        self._write(lambda: self.gallery.create_collection(name, parent_id), then=made)

    def _rename_collection(self, collection_id: int, name: str) -> None:
        self._write(lambda: self.gallery.rename_collection(collection_id, name),
                    then=lambda _r: self._schedule_facets())

    def _delete_collection(self, collection_id: int) -> None:
        def done(_r: object) -> None:
            if self._scope.kind == SCOPE_COLLECTION and self._scope.collection == collection_id:
                self.set_scope(SCOPE_ALL)
            else:
                self._schedule_facets()

        self._write(lambda: self.gallery.delete_collection(collection_id), then=done)

    def _after_facets_then(self, fn: Callable[[], None]) -> None:
        def once() -> None:
            with contextlib.suppress(RuntimeError, TypeError):
                self.facets_updated.disconnect(once)
            fn()

        self.facets_updated.connect(once)

    def copy_prompt(self) -> None:
        image = self.model.image(self.grid.currentIndex().row()) if self.grid.currentIndex().isValid() else None
        if image is not None and (image.prompt or image.prompt_used):
            QGuiApplication.clipboard().setText(image.prompt or image.prompt_used or "")
            self._say("Prompt copied.")

    def copy_seed(self) -> None:
        image = self.model.image(self.grid.currentIndex().row()) if self.grid.currentIndex().isValid() else None
        if image is not None and image.seed is not None:
            QGuiApplication.clipboard().setText(str(image.seed))
            self._say("Seed copied.")

    # ---- plumbing ------------------------------------------------------------------------------------
    async def _in(self, pool: ThreadPoolExecutor, fn: Callable[[], T]) -> T:
        """Run `fn` on one of the page's threads and wait for it (the GUI thread stays free)."""
        return await asyncio.get_running_loop().run_in_executor(pool, fn)

    def _write(self, fn: Callable[[], T], then: Callable[..., None] | None = None) -> None:
        """Run a gallery write on the writer thread (in order), then `then(result)` on the GUI thread."""
        if self._closed:
            return

        async def run() -> None:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self._writer, fn)
            if then is not None and not self._closed:
                try:
                    then(result)
                except TypeError:
                    then()

        task = self.runner.run(run(), "library-write")
        task.add_done_callback(self._on_write_done)

    def _on_write_done(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None and not self._closed:
            exc = task.exception()
            if isinstance(exc, EXPECTED):
                self._say(getattr(exc, "message", None) or str(exc))
                self._start_search()  # the grid showed the change already: show the truth again

    def _refetch(self, ids: list[int]) -> None:
        reader = self.reader

        async def run() -> None:
            rows = await self._in(self._io_pool, lambda: reader.rows_for(ids[:KEEP_SELECTION]))
            if not self._closed:
                self.model.update_rows(rows)
                self._schedule_facets()

        self.runner.run(run(), "library-refetch")

    def _after_change(self, *, search: bool = True) -> None:
        if search:
            self._start_search()
        else:
            self._update_status()
            self._schedule_facets()

    def _after_check(self, clean: bool, repaired: bool) -> None:
        if repaired:
            self.thumbnails.retry_failed()
            self.model.forget()
            self._after_change()

    def _on_task_action(self, label: str) -> None:
        if label == "Repair":
            self.check_library(repair=True)

    def _ask_import(self, *, folder: bool) -> None:
        dialog = QFileDialog(self, "Import a folder" if folder else "Import images")
        if folder:
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
            dialog.fileSelected.connect(lambda path: self.import_paths([Path(path)]))
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
            dialog.setNameFilter("Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)")
            dialog.filesSelected.connect(lambda paths: self.import_paths([Path(p) for p in paths]))
        dialog.open()
        self._dialog = dialog

    def _show_missing(self, problem: str) -> None:
        self._missing_label.setText(problem)
        self._centre_stack.setCurrentWidget(self._missing)
        self.model.set_ids([])
        self.detail.show_selection(0, [])
        for w in (self.filters, self.detail, self.search_field, self.sort_combo):
            w.setEnabled(False)
        self.status.setText("The library cannot be reached.")

    def is_library_missing(self) -> bool:
        return self._centre_stack.currentWidget() is self._missing

    def _set_enabled(self, enabled: bool) -> None:
        for w in (self.search_field, self.grid, self.filters, self.detail, self.sort_combo, self.library_button):
            w.setEnabled(enabled)

    def _open_current(self) -> None:
        self._emit_current(self.open_requested)

    def _open_upscale(self) -> None:
        h = self.current_hash()
        if h is None:
            return
        if self.detail.current_hash() != h:
            self._load_detail(h)
        self.detail.open_upscale()

    def _emit_current(self, signal: Any) -> None:
        h = self.current_hash()
        if h:
            signal.emit(h)

    def _emit_row(self, signal: Any, row: int) -> None:
        h = self.model.hash_at(row)
        if h:
            signal.emit(h)

    def _emit_pair(self, signal: Any, first: str) -> None:
        h = self.current_hash()
        if h:
            signal.emit(first, h)

    def _focus_tags(self) -> None:
        self.detail.tag_edit.setFocus()

    def _focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.grid.indexAt(pos)
        if index.isValid() and not self.grid.selectionModel().isSelected(index):
            self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._update_actions()
        self.context_menu.popup(self.grid.viewport().mapToGlobal(pos))

    def _fill_collection_menu(self) -> None:
        menu = self._collection_menu
        menu.clear()
        collections = self.gallery.collections()
        if not collections:
            menu.addAction("No collections yet", lambda: None).setEnabled(False)
        for c in collections:
            menu.addAction(c.name, functools.partial(self._add_targets_to, c.id))
        menu.addSeparator()
        menu.addAction(self.act_new_collection)

    def _add_targets_to(self, collection_id: int) -> None:
        self.add_to_collection(collection_id, self._target_ids())

    def _export_selection(self) -> None:
        self.export_selection()

    def _export_pixels_only(self) -> None:
        self.export_selection(metadata=False)

    def _update_actions(self) -> None:
        count = self.grid.selected_count() if hasattr(self, "grid") else 0
        one = count >= 1 or (hasattr(self, "grid") and self.grid.currentIndex().isValid())
        in_trash = self._scope.kind == SCOPE_TRASH
        if not hasattr(self, "act_open"):
            return
        for action in (self.act_open, self.act_preview, self.act_copy_prompt, self.act_copy_seed, self.act_reuse,
                       self.act_describe, self.act_upscale, self.act_show, *self.act_send, *self.act_use):
            action.setEnabled(one)
        for action in (self.act_favourite, *self.act_ratings, self.act_tag, self.act_export, self.act_export_pixels):
            action.setEnabled(one)
        self.act_trash.setEnabled(one and not in_trash)
        self.act_trash.setVisible(not in_trash)
        self.act_restore.setEnabled(one and in_trash)
        self.act_restore.setVisible(in_trash)
        self.act_purge.setEnabled(one and in_trash)
        self.act_purge.setVisible(in_trash)

    def _update_status(self) -> None:
        n = self.model.rowCount()
        selected = self.grid.selected_count()
        where = {SCOPE_TRASH: " in the Trash", SCOPE_COLLECTION: " in this collection"}.get(self._scope.kind, "")
        text = f"{n:,} image{'s' if n != 1 else ''}{where}"
        if selected:
            text += f" · {selected:,} selected"
        if self._message_timer.isActive():
            return
        self.status.setText(text)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self._message_timer.start()
        self.message.emit(text)
