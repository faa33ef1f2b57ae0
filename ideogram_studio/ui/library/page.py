"""The library page the window embeds: search field, side bar with counts, the grid, the detail
panel, the trash, and long work in an inline bar.

A thin widget over a LibrarySession (session.py): it builds the widgets, forwards what the
designer does (typing, clicks, keys, drops) to the session, and renders what the session says
(results, counts, mistakes in the search, the detail, messages). The session owns the threads,
the searches, undo and every write; it talks to a library source, the local gallery by default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QWidget

from ...gallery import Gallery, GalleryError, Sort
from ...gallery.library_ops import DetailInfo, LibraryProblem
from ...gallery.local_source import LocalLibrarySource
from ...gallery.search_syntax import Search, SearchIssue, remove_terms, toggle_value
from ..common.in_steps import Steps
from ..common.task_runner import TaskRunner
from ..common.untrusted import isolate, one_line
from .actions import MenuItems
from .detail_panel import CHAIN_ICON
from .export_dialog import ExportDialog, namer_for
from .grid_view import LibraryPreview
from .page_actions import PageActions
from .page_layout import PageLayout
from .reports import problem_text
from .scope import SCOPE_COLLECTION, SCOPE_TRASH
from .search_field import issues_text, syntax_help
from .session import KEEP_SELECTION, Found, LibrarySession, Shown, SideBarCounts

#: Search fields each side bar choice replaces (a new date range replaces the old one).
_REPLACED = {"date": ("date", "after", "before"), "rating": ("rating",), "fav": ("fav",)}
IMAGE_FILES = "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)"


class LibraryPage(PageLayout):
    """The library: see the module doc. Embed it and connect its signals."""

    open_requested = Signal(str)
    reuse_requested = Signal(str)
    use_field_requested = Signal(str, object)
    send_to_requested = Signal(str, str)
    use_as_requested = Signal(str, str)
    describe_requested = Signal(str)
    #: Describe with Ideogram 4: the image as a structured prompt (a layout) for Generate.
    describe_layout_requested = Signal(str)
    remove_background_requested = Signal(str)
    #: Layers of the current image: (hash, "layerize" | "psd" | "svg").
    layers_requested = Signal(str, str)
    #: "Reproduce" (False) or "Vary" (True) the current image: (hash, vary).
    again_requested = Signal(str, bool)
    upscale_requested = Signal(str, int, int)
    locate_library_requested = Signal()
    #: A search's whole result is in the grid (its first page was painted earlier): the number of images.
    search_finished = Signal(int)
    #: The side bar's counts were refreshed.
    facets_updated = Signal()
    #: The detail panel shows an image (its hash).
    detail_shown = Signal(str)
    #: A short note for a status bar.
    message = Signal(str)

    def __init__(self, gallery: Gallery | None, runner: TaskRunner, parent: QWidget | None = None, *,
                 send_to: MenuItems = (), use_as: MenuItems = (), session: LibrarySession | None = None,
                 in_steps: bool = False) -> None:
        """The page over `gallery`, or over a session of another library source. `send_to`,
        `use_as`: the (target, label) items of the "Send to" and "Use as" menus; the chosen target
        comes back in `send_to_requested` / `use_as_requested`. `in_steps`: see `made_in_steps`."""
        if session is None:
            if gallery is None:
                raise ValueError("LibraryPage needs a gallery or a session")
            session = LibrarySession(LocalLibrarySource(gallery), runner)
        self.session = session
        self.runner = runner
        self.send_to_items, self.use_as_items = send_to, use_as
        #: Made at once, the page searches at once: the first page of results is read while its widgets
        #: are made (and shown with them). Made in steps (ahead of use), it reads its first page when
        #: made (search_ahead) and searches again when first shown.
        self._shown_once = not in_steps
        if not in_steps:
            session.search_now(keep_selection=False)
        super().__init__(session, parent, send_to=send_to, use_as=use_as, in_steps=in_steps)

    @classmethod
    def made_in_steps(cls, gallery: Gallery | None, runner: TaskRunner, parent: QWidget | None = None, *,
                      send_to: MenuItems = (), use_as: MenuItems = ()) -> Steps[LibraryPage]:
        """The page made a piece at a time (ui/common/in_steps.py): each step a few tens of ms on
        the GUI thread (the widgets of one part, the actions, the wiring, the style's pass)."""
        page = cls(gallery, runner, parent, send_to=send_to, use_as=use_as, in_steps=True)
        yield
        yield from page.building
        page.search_ahead()
        return page

    def search_ahead(self) -> None:
        """Made ahead and not shown yet: the first page of results is read now (on the search's
        thread; the rest and the side bar's counts wait for the page to be shown), so the first
        Ctrl+L paints results in its first frame instead of an empty grid 20-50 ms before them."""
        if not self._shown_once:
            self.session.search_ahead()

    def _build_steps(self, session: LibrarySession, send_to: MenuItems, use_as: MenuItems) -> Iterator[None]:
        yield from super()._build_steps(session, send_to, use_as)
        session.setParent(self)
        self._dialog: QFileDialog | ExportDialog | None = None
        #: The export dialog's last folder and naming template, offered again next time.
        self._export_folder = ""
        self._export_template = ""
        self._preview: LibraryPreview | None = None
        self._purge_ids: list[int] | None = None
        self.session.keep_selection_from(self._selection_to_keep)
        yield
        self.library_actions = PageActions(self)
        self.context_menu = self.library_actions.context_menu
        self.library_button.setMenu(self.library_actions.library_menu)
        yield
        self._connect()
        self.detail_thumbnails.set_display_size(CHAIN_ICON, self.devicePixelRatioF())
        self._update_actions()
        if self.session.is_missing():  # found by the search begun before the page was wired (made at once)
            self._on_problem(self.session.source.problem())

    # ---- what the session owns, as the window and the tests know it ---------------------------------
    @property
    def model(self) -> Any:
        return self.session.model

    @property
    def thumbnails(self) -> Any:
        return self.session.thumbnails

    @property
    def detail_thumbnails(self) -> Any:
        return self.session.detail_thumbnails

    @property
    def undo_stack(self) -> Any:
        return self.session.undo_stack

    # ---- public ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Run the current search again (and refresh the counts)."""
        self.session.refresh()

    def set_query_text(self, text: str) -> None:
        """Put text in the search field and search at once."""
        self.search_field.set_text_quietly(text)
        self.session.set_text(text, debounce=False)

    def query_text(self) -> str:
        return self.search_field.text()

    def search(self) -> Search:
        """The parsed search as shown (scope and sort included)."""
        return self.session.search()

    def selected_ids(self) -> list[int]:
        """In grid order; read from the model's id array by ranges (all of a million: one copy)."""
        ids: list[int] = self.model.ids_in(self.grid.selected_ranges())
        return ids

    def selected_hashes(self) -> list[str]:
        """Hashes of the selected images, in grid order (fetched for rows not loaded yet)."""
        rows = self.grid.selected_rows()
        missing = [i for i in (self.model.id_at(r) for r in rows if self.model.image(r) is None) if i is not None]
        found = self.session.hashes_for(missing)
        out: list[str] = []
        for r in rows:
            image = self.model.image(r)
            if image is not None:
                out.append(image.hash)
            elif (image_id := self.model.id_at(r)) is not None and image_id in found:
                out.append(found[image_id])
        return out

    def current_hash(self) -> str | None:
        index = self.grid.currentIndex()
        return self.model.hash_at(index.row()) if index.isValid() else None

    def insert_new(self, image_hash: str) -> None:
        """A result was just stored: show it where it belongs (at the top, newest first) without a
        reset: scroll position and selection stay."""
        self.session.insert_new(image_hash)

    def select_hash(self, image_hash: str) -> bool:
        """Select and show an image if the grid has it; else just show it in the detail panel."""
        row = self.model.row_of_hash(image_hash)
        if row is None:
            image_id = self.session.id_of(image_hash)
            row = self.model.row_of(image_id) if image_id is not None else None
        if row is not None:
            self._make_current(row)
            return True
        self.session.show_detail(image_hash)
        return False

    def set_scope(self, kind: str, collection: int | None = None) -> None:
        self.session.set_scope(kind, collection)

    def scope(self) -> tuple[str, int | None]:
        return self.session.scope.kind, self.session.scope.collection

    def set_sort(self, sort: Sort) -> None:
        i = self.sort_combo.findData(sort.value)
        if i >= 0:
            self.sort_combo.setCurrentIndex(i)

    def set_thumbnail_size(self, size: int) -> None:
        self.size_slider.setValue(size)

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Import files and folders (drag and drop, or the menu) with progress and a report."""
        self.session.import_paths([Path(p) for p in paths])

    def export_to(
        self, folder: Path, ids: Sequence[int] | None = None, *, metadata: bool = True, template: str = ""
    ) -> None:
        """Copies without any source's place, camera or owner; `metadata=False`: pixels only (no
        request metadata inside, no sidecar); `template`: file names such as `{batch}-{row}-{seed}`
        (empty: from the prompt)."""
        self._export_folder = str(folder)
        ids = list(ids if ids is not None else self.selected_ids())
        self.session.export(ids, folder, metadata=metadata, namer=namer_for(template))

    def export_selection(self, *, metadata: bool = True) -> ExportDialog | None:
        """Ask where to and how to name the files (non-modal), then export the selection there."""
        ids = self.selected_ids()
        if not ids:
            self._say("Select the images to export first.")
            return None
        rows = self.grid.selected_rows()
        sample = self.model.image(rows[0]) if rows else None
        dialog = ExportDialog(len(ids), sample, pixels_only=not metadata, folder=self._export_folder, parent=self)
        if self._export_template:
            dialog.set_template(self._export_template)

        def chosen(folder: str) -> None:
            self._export_template = dialog.template()
            self.export_to(Path(folder), ids, metadata=metadata, template=dialog.template())

        dialog.fileSelected.connect(chosen)
        dialog.open()
        self._dialog = dialog
        return dialog

    def check_library(self, repair: bool = False) -> None:
        self.session.check_library(repair)

    def rebuild_index(self) -> None:
        """Rebuild the index from the files (nothing else touches the gallery meanwhile)."""
        self.session.rebuild_index()

    def show_in_folder(self, image_hash: str | None = None) -> None:
        image_hash = image_hash or self.current_hash()
        if not image_hash:
            return
        try:
            path = self.session.path_for(image_hash)
        except GalleryError as exc:
            self._say(exc.message)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def empty_trash(self) -> None:
        """Ask inline (never a modal box) before deleting the trash for good."""
        trash = self.session.trash_count
        if trash == 0:
            self._say("The Trash is empty.")
            return
        self._purge_ids = None
        self._ask_to_purge(f"Delete the {trash:,} image(s) in the Trash for good? Their files are removed; "
                           "images other results were made from are kept as hidden inputs.")

    def is_library_missing(self) -> bool:
        return self._centre_stack.currentWidget() is self._missing

    def preview(self) -> LibraryPreview | None:
        return self._preview

    def shutdown(self) -> None:
        """Stop background work and close the page's connections (the window calls it at quit)."""
        with contextlib.suppress(RuntimeError):  # Qt objects already deleted (the window went first)
            self._selection_timer.stop()
            self._message_timer.stop()
            if self._preview is not None:
                self._preview.close()
        self.session.shutdown()

    # ---- the designer's intent → the session ---------------------------------------------------------
    def toggle_favourite(self) -> None:
        self.session.toggle_favourite(self._target_ids())

    def rate(self, stars: int) -> None:
        self.session.rate(self._target_ids(), stars)

    def set_flag(self, flag: int) -> None:
        """P / X / U: pick, reject or unflag the selection."""
        self.session.set_flag(self._target_ids(), flag)

    def _sync_detail_marks(self, *_changed: object) -> None:
        """The detail panel's Pick / stars / favourite follow the grid's row of its image."""
        info = self.detail.info()
        row = self.model.row_of(info.row.id) if info is not None else None
        image = self.model.image(row) if row is not None else None
        if image is not None:
            self.detail.culling.set_marks(image.flag, image.rating, image.favourite)

    def trash_selection(self) -> None:
        self.session.trash(self._target_ids())

    def restore_selection(self) -> None:
        if self.session.scope.in_trash:
            self.session.restore(self._target_ids())

    def purge_selection(self) -> None:
        """In the Trash: delete the selection for good, after an inline confirmation."""
        if not self.session.scope.in_trash:
            self._say("Only images in the Trash can be deleted for good.")
            return
        ids = self._target_ids()
        if ids:
            self._purge_ids = ids
            self._ask_to_purge(f"Delete {len(ids):,} image(s) for good? This cannot be undone.")

    def _ask_to_purge(self, question: str) -> None:
        self._confirm_label.setText(question)
        self._confirm_row.show()
        self.trash_bar.show()
        self._confirm_button.setFocus()

    def _confirm_purge(self) -> None:
        self._confirm_row.hide()
        ids, self._purge_ids = self._purge_ids, None
        if ids:
            self.session.purge(ids)
        else:
            self.session.empty_trash()

    def add_tags(self, tags: list[str]) -> None:
        self.session.add_tags(self._detail_targets(), tags)

    def remove_tag(self, tag: str) -> None:
        self.session.remove_tag(self._detail_targets(), tag)

    def add_to_collection(self, collection_id: int, ids: list[int]) -> None:
        self.session.add_to_collection(collection_id, ids)

    def _add_detail_to_collection(self, collection_id: int) -> None:
        self.session.add_to_collection(collection_id, self._detail_targets())

    def _add_targets_to(self, collection_id: int) -> None:
        self.session.add_to_collection(collection_id, self._target_ids())

    def _remove_from_collection(self, collection_id: int) -> None:
        self.session.remove_from_collection(collection_id, self._detail_targets())

    def _create_collection(self, parent: object = None) -> None:
        self.session.create_collection(parent if isinstance(parent, int) else None)

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

    def _on_text_changed(self, text: str) -> None:
        self.session.set_text(text)

    def _on_sort_changed(self, _index: int) -> None:
        self.session.set_sort(Sort(self.sort_combo.currentData() or Sort.NEWEST.value))

    def _on_filter_toggled(self, field: str, value: object, on: bool) -> None:
        self.set_query_text(toggle_value(self.search_field.text(), field, None if value is None else str(value), on))

    def _replace_term(self, field: str, token: str) -> None:
        text = remove_terms(self.search_field.text(), lambda t: t.field in _REPLACED[field])
        self.set_query_text(f"{text} {token}".strip() if token else text)

    def _on_rating_chosen(self, key: str) -> None:
        self._replace_term("rating", f"rating:{key}" if key else "")

    def _on_date_chosen(self, key: str) -> None:
        self._replace_term("date", f"date:{key}" if key else "")

    def _on_favourites_toggled(self, on: bool) -> None:
        self._replace_term("fav", "fav" if on else "")

    def _ask_import(self, *, folder: bool) -> None:
        dialog = QFileDialog(self, "Import a folder" if folder else "Import images")
        if folder:
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
            dialog.fileSelected.connect(lambda path: self.import_paths([Path(path)]))
        else:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
            dialog.setNameFilter(IMAGE_FILES)
            dialog.filesSelected.connect(self.import_paths)
        dialog.open()
        self._dialog = dialog

    # ---- the session's state → the widgets ---------------------------------------------------------------
    def _connect(self) -> None:
        s, f, d = self.session, self.filters, self.detail
        s.results_shown.connect(self._on_results_shown)
        s.results_complete.connect(self._on_results_complete)
        s.counts_ready.connect(self._on_counts)
        s.issues_changed.connect(self._show_issues)
        s.problem_changed.connect(self._on_problem)
        s.scope_changed.connect(self._on_scope_changed)
        s.result_found.connect(self._on_result_found)
        s.rows_changed.connect(self._update_status)
        s.select_row.connect(self._make_current)
        s.detail_ready.connect(self._on_detail)
        s.detail_stale.connect(self._selection_timer.start)
        s.preview_ready.connect(self._on_preview)
        s.collection_created.connect(f.edit_collection)
        s.enabled_changed.connect(self._set_enabled)
        s.message.connect(self._say)
        self.task_bar.follow(s.tasks)
        self.task_bar.action_clicked.connect(s.run_task_action)
        self.search_field.textChanged.connect(self._on_text_changed)
        self.search_field.returnPressed.connect(s.search_now)
        self.sort_combo.currentIndexChanged.connect(self._on_sort_changed)
        self.size_slider.valueChanged.connect(self.grid.set_thumbnail_size)
        self.grid.open_requested.connect(self._open_row)
        self.grid.files_dropped.connect(self.import_paths)
        self.grid.customContextMenuRequested.connect(self._on_context_menu)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.grid.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._selection_timer.start)
        self.model.rows_loaded.connect(self._on_rows_loaded)
        f.scope_changed.connect(self.set_scope)
        f.filter_toggled.connect(self._on_filter_toggled)
        f.rating_chosen.connect(self._on_rating_chosen)
        f.date_chosen.connect(self._on_date_chosen)
        f.favourites_toggled.connect(self._on_favourites_toggled)
        f.create_collection_requested.connect(self._create_collection)
        f.rename_collection_requested.connect(s.rename_collection)
        s.saved_searches_changed.connect(f.set_saved_searches)
        s.smart_collections_changed.connect(f.set_smart_collections)
        f.saved_search_chosen.connect(self.set_query_text)
        f.save_search_requested.connect(self._save_search)
        f.rename_saved_search_requested.connect(s.rename_saved_search)
        f.delete_saved_search_requested.connect(s.delete_saved_search)
        f.delete_collection_requested.connect(s.delete_collection)
        f.images_dropped.connect(self.add_to_collection)
        for mine, theirs in ((self.reuse_requested, d.reuse_requested), (self.open_requested, d.open_requested),
                             (self.use_field_requested, d.use_field_requested),
                             (self.send_to_requested, d.send_to_requested), (self.use_as_requested, d.use_as_requested),
                             (self.describe_requested, d.describe_requested),
                             (self.upscale_requested, d.upscale_requested)):
            theirs.connect(mine)
        d.preview_requested.connect(self.toggle_preview)
        d.culling.flag_requested.connect(lambda flag: self.session.set_flag(self._detail_targets(), flag))
        d.culling.rating_requested.connect(lambda stars: self.session.rate(self._detail_targets(), stars))
        d.culling.favourite_requested.connect(lambda: self.session.toggle_favourite(self._detail_targets()))
        self.model.dataChanged.connect(self._sync_detail_marks)
        d.show_in_folder_requested.connect(self.show_in_folder)
        d.image_clicked.connect(self.select_hash)
        d.tags_added.connect(self.add_tags)
        d.tag_removed.connect(self.remove_tag)
        d.add_to_collection_requested.connect(self._add_detail_to_collection)
        d.remove_from_collection_requested.connect(self._remove_from_collection)
        d.message.connect(self._say)
        self.restore_button.clicked.connect(self.restore_selection)
        self.empty_button.clicked.connect(self.empty_trash)
        self._confirm_button.clicked.connect(self._confirm_purge)
        self._confirm_cancel.clicked.connect(self._confirm_row.hide)
        self.locate_button.clicked.connect(self.locate_library_requested)
        self.retry_button.clicked.connect(self.refresh)
        self._selection_timer.timeout.connect(self._update_detail)
        self._found_timer.timeout.connect(self._insert_found)
        self._message_timer.timeout.connect(self._update_status)

    def showEvent(self, event: QShowEvent) -> None:
        self.session.show_ready_results()  # read while the page was made: in its first frame
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.session.release_held()  # searches as shown (after the first frame), or follows the search read ahead

    def _show_issues(self, issues: Sequence[SearchIssue]) -> None:
        self.search_field.set_issues(issues)
        if not issues:
            self.search_error.hide()
            self.search_field.setToolTip(syntax_help())
            return
        line, tip = issues_text(issues)
        self.search_error.setText(line)
        self.search_error.show()
        self.search_field.setToolTip(tip)

    def _selection_to_keep(self) -> tuple[list[int], int | None]:
        """What a new search should select again: the selection and the current image."""
        if self.grid.selected_count() > KEEP_SELECTION:
            return [], None
        current = self.model.id_at(self.grid.currentIndex().row()) if self.grid.currentIndex().isValid() else None
        return self.selected_ids(), current

    def _on_results_shown(self, shown: Shown) -> None:
        self._restore_selection(shown.select, shown.current)
        self._centre_stack.setCurrentWidget(self.grid if shown.count else self._empty)
        if not shown.count:
            self._empty.setText(self._empty_text())
        self._update_status()

    def _on_results_complete(self, count: int) -> None:
        self._update_status()
        self.search_finished.emit(count)

    def _empty_text(self) -> str:
        kind = self.session.scope.kind
        if kind == SCOPE_TRASH:
            return "The Trash is empty."
        if self.search_field.text().strip():
            return "No image matches this search.\nRemove a filter, or check the words."
        if kind == SCOPE_COLLECTION:
            return "This collection is empty.\nDrag images from the grid onto it in the side bar."
        return "Your library is empty.\nGenerated images appear here; drop image files here to import them."

    def _restore_selection(self, ids: list[int], current: int | None) -> None:
        if not ids and current is None:
            self._update_detail()
            return
        selection = QItemSelection()
        rows = self.model.rows_of([*ids, *([current] if current is not None else [])])
        for image_id in ids:
            r = rows.get(image_id)
            if r is not None:
                index = self.model.index(r)
                selection.select(index, index)
        sm = self.grid.selectionModel()
        sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        r = rows.get(current) if current is not None else None
        if r is not None:
            index = self.model.index(r)
            sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.grid.scrollTo(index)

    def _save_search(self) -> None:
        query = self.search_field.text().strip()
        if not query:
            self.status.setText("Type a search first, then save it: it will show here with its count.")
            return
        name, ok = QInputDialog.getText(self, "Save search", "Name:", text=query[:40])
        if ok:
            self.session.save_search(name, query)

    def _on_counts(self, counts: SideBarCounts) -> None:
        self.session.refresh_saved_searches()  # their counts follow the library's
        self.filters.set_counts(counts.search, counts.facets, counts.dates, counts.collections, counts.total,
                                counts.trash)
        self.detail.set_collections(counts.collections)
        self.detail.set_tag_completions(counts.tags)
        self._trash_label.setText(f"Trash: {counts.trash:,} image(s). They stay here until you empty the Trash.")
        self.facets_updated.emit()

    def _on_problem(self, problem: LibraryProblem | None) -> None:
        if problem is None:  # the library is back
            self._centre_stack.setCurrentWidget(self.grid)
            for w in (self.filters, self.detail, self.search_field, self.sort_combo):
                w.setEnabled(True)
            return
        self._missing_label.setText(problem_text(problem))
        self._centre_stack.setCurrentWidget(self._missing)
        self.detail.show_selection(0, [])
        for w in (self.filters, self.detail, self.search_field, self.sort_combo):
            w.setEnabled(False)
        self.status.setText("The library cannot be reached.")

    def _on_scope_changed(self, kind: str, collection: int | None) -> None:
        self.filters.set_scope(kind, collection)
        self.trash_bar.setVisible(kind == SCOPE_TRASH)
        self._confirm_row.hide()
        self._update_actions()

    def _on_result_found(self, found: Found) -> None:
        """New results are put in together (a batch of four lands as one change, one anchor)."""
        self._found.append(found)
        self._found_timer.start()

    def _insert_found(self) -> None:
        found, self._found = self._found, []
        anchor = self.grid.first_visible_row()
        at_top = self.grid.verticalScrollBar().value() == 0
        anchor_y = self.grid.visualRect(self.model.index(anchor)).top() if anchor is not None else 0
        positions = self.session.insert_found_many(found)
        if not positions:
            return
        if anchor is not None and not at_top:
            for p in positions:  # ascending, each in the numbering after the ones before it
                anchor += p <= anchor
            self.grid.keep_anchor(anchor, anchor_y)
        self._update_status()

    def _set_enabled(self, enabled: bool) -> None:
        for w in (self.search_field, self.grid, self.filters, self.detail, self.sort_combo, self.library_button):
            w.setEnabled(enabled)

    # ---- selection → detail ----------------------------------------------------------------------------
    def _on_selection_changed(self, *_args: object) -> None:
        self._update_actions()
        self._selection_timer.start()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._selection_timer.start()
        if self._preview is not None and self._preview.isVisible() and current.isValid():
            self._load_preview(current.row())

    def _on_rows_loaded(self, _ids: list[int]) -> None:
        if self.session.detail_hash is None and self.grid.selected_count() == 1:
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
                self.session.forget_detail()
            elif image.hash != self.session.detail_hash:
                self.session.show_detail(image.hash)
            return
        self.session.forget_detail()
        tags: dict[str, int] = {}
        if 0 < count <= 2_000:
            for image in self.model.fetch_now(self.grid.selected_rows()):
                for t in image.tags:
                    tags[t] = tags.get(t, 0) + 1
        self.detail.show_selection(count, sorted(tags.items(), key=lambda kv: (-kv[1], kv[0].casefold())))

    def _on_detail(self, info: DetailInfo, image: QImage | None) -> None:
        self.detail.show_info(info, image)
        self.detail_shown.emit(info.row.hash)

    def _detail_targets(self) -> list[int]:
        ids = self.selected_ids()
        if ids:
            return ids
        info = self.detail.info()
        return [info.row.id] if info is not None else []

    def _target_ids(self) -> list[int]:
        ids = self.selected_ids()
        if not ids and self.grid.currentIndex().isValid():
            image_id = self.model.id_at(self.grid.currentIndex().row())
            ids = [image_id] if image_id is not None else []
        return ids

    def _make_current(self, row: int) -> None:
        index = self.model.index(row)
        self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.grid.scrollTo(index)

    # ---- preview -----------------------------------------------------------------------------------
    def toggle_preview(self, image_hash: str | None = None) -> None:
        if self._preview is not None and self._preview.isVisible():
            self._preview.close()
            return
        if self._preview is None:
            self._preview = LibraryPreview(self)
            self._preview.navigate.connect(self._on_preview_navigate)
            self._preview.open_requested.connect(self._open_current)
            self._preview.closed.connect(self.grid.setFocus)
        row = self.grid.currentIndex().row() if self.grid.currentIndex().isValid() else -1
        if image_hash is None and row < 0:
            return
        self._preview.set_image(None)
        self._preview.show_over(self.grid)
        if image_hash is not None and image_hash != self.current_hash():
            self.session.load_preview(image_hash)
        else:
            self._load_preview(row)

    def _load_preview(self, row: int) -> None:
        image = self.model.image(row)
        if image is None:
            return
        prompt = (image.prompt or image.prompt_used or "").strip()
        # The prompt isolated: an override inside it cannot reverse the size before it.
        caption = f"{image.width}×{image.height}" + (f" · {isolate(one_line(prompt, 160))}" if prompt else "")
        self.session.load_preview(image.hash, caption)

    def _on_preview(self, image: QImage | None, caption: str) -> None:
        if self._preview is not None and self._preview.isVisible():
            self._preview.set_image(image, caption)

    def _on_preview_navigate(self, key: int) -> None:
        QApplication.sendEvent(self.grid, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier))

    # ---- small slots ------------------------------------------------------------------------------------
    def _open_current(self) -> None:
        if h := self.current_hash():
            self.open_requested.emit(h)

    def _open_row(self, row: int) -> None:
        if h := self.model.hash_at(row):
            self.open_requested.emit(h)

    def _reuse_current(self) -> None:
        if h := self.current_hash():
            self.reuse_requested.emit(h)

    def _describe_layout_current(self) -> None:
        if h := self.current_hash():
            self.describe_layout_requested.emit(h)

    def _describe_current(self) -> None:
        if h := self.current_hash():
            self.describe_requested.emit(h)

    def _again_current(self, vary: bool) -> None:
        if h := self.current_hash():
            self.again_requested.emit(h, vary)

    def _remove_background_current(self) -> None:
        if h := self.current_hash():
            self.remove_background_requested.emit(h)

    def _layers_current(self, kind: str) -> None:
        if h := self.current_hash():
            self.layers_requested.emit(h, kind)

    def _send_current(self, mode: str) -> None:
        if h := self.current_hash():
            self.send_to_requested.emit(mode, h)

    def _use_current_as(self, role: str) -> None:
        if h := self.current_hash():
            self.use_as_requested.emit(role, h)

    def _open_upscale(self) -> None:
        h = self.current_hash()
        if h is None:
            return
        if self.detail.current_hash() != h:
            self.session.show_detail(h)
        self.detail.open_upscale()

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    def _update_actions(self) -> None:
        one = self.grid.selected_count() >= 1 or self.grid.currentIndex().isValid()
        self.library_actions.update(one, self.session.scope.in_trash)

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.grid.indexAt(pos)
        if index.isValid() and not self.grid.selectionModel().isSelected(index):
            self.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._update_actions()
        self.context_menu.popup(self.grid.viewport().mapToGlobal(pos))

    def _update_status(self) -> None:
        n = self.model.rowCount()
        selected = self.grid.selected_count()
        where = {SCOPE_TRASH: " in the Trash", SCOPE_COLLECTION: " in this collection"}.get(self.session.scope.kind, "")
        more = "" if self.model.is_complete() else "+"  # the rest of the ids is still coming
        text = f"{n:,}{more} image{'s' if n != 1 else ''}{where}"
        if selected:
            text += f" · {selected:,} selected"
        if self._message_timer.isActive():
            return
        self.status.setText(text)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self._message_timer.start()
        self.message.emit(text)
