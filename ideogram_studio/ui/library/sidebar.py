"""The library's side bar: where to look (all images, a collection, the trash) and filters with
counts (operation, style preset, style type, palette, aspect ratio, date, rating, favourites,
tags). Clicking a filter toggles it; the page turns that into the search text (`op:edit`), so
the field always says what is shown and designers learn the syntax by clicking.

Collections can be created, renamed (double-click or F2) and deleted here, and grid items
dropped on a collection are added to it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ...gallery import Collection, FacetValue
from ...gallery.library_ops import DateCounts
from ...gallery.search_syntax import Search
from ..common import theme
from .grid_model import IDS_MIME
from .scope import SCOPE_ALL, SCOPE_COLLECTION, SCOPE_TRASH

KIND_ROLE = Qt.ItemDataRole.UserRole + 10
#: (search field, facet name, section title), in the order shown.
SECTIONS = (
    ("op", "operation", "Operation"),
    ("preset", "style_preset", "Style preset"),
    ("style", "style_type", "Style type"),
    ("palette", "palette", "Palette"),
    ("ratio", "aspect_ratio", "Aspect ratio"),
    ("tag", "tag", "Tags"),
)
DATES = (("today", "Today"), ("yesterday", "Yesterday"), ("week", "This week"), ("month", "This month"))
RATINGS = ((">=5", "★★★★★"), (">=4", "★★★★ and up"), (">=3", "★★★ and up"), (">=2", "★★ and up"),
           (">=1", "★ and up"), ("0", "Unrated"))
MAX_VALUES = 60


def _preset_names() -> dict[str, str]:
    try:
        from ...resources.catalog import style_presets

        return {info.preset.value: info.name for info in style_presets()}
    except Exception:
        return {}


def value_label(field: str, value: object) -> str:
    if value is None:
        return "(none)"
    text = str(value)
    if field == "op":
        return text.replace("-", " ").capitalize()
    if field == "preset":
        return _preset_names().get(text) or text.replace("_", " ").title()
    if field in ("style", "palette"):
        return text.replace("_", " ").capitalize()
    if field == "ratio":
        return text.replace("x", ":")
    return text


class LibraryFilters(QTreeWidget):
    #: Where to look: (scope, collection id or None).
    scope_changed = Signal(str, object)
    #: A filter clicked: (search field, value, on).
    filter_toggled = Signal(str, object, bool)
    #: The rating filter chosen ("" to clear) and the date filter ("" to clear).
    rating_chosen = Signal(str)
    date_chosen = Signal(str)
    favourites_toggled = Signal(bool)
    create_collection_requested = Signal(object)  # parent id or None
    rename_collection_requested = Signal(int, str)
    delete_collection_requested = Signal(int)
    #: Grid items dropped on a collection: (collection id, image ids).
    images_dropped = Signal(int, list)
    #: Another library chosen in the Libraries section (its key: "local", "team").
    library_chosen = Signal(str)
    #: A saved search was clicked: its query goes into the search field.
    saved_search_chosen = Signal(str)
    save_search_requested = Signal()
    rename_saved_search_requested = Signal(str, str)
    delete_saved_search_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = Search()
        self._scope: tuple[str, int | None] = (SCOPE_ALL, None)
        self._updating = False
        self._sections: dict[str, QTreeWidgetItem] = {}
        self._saved_entries: list[tuple[str, str, int | None]] = []
        self._smart_entries: list[tuple[str, str | None, int | None, str]] = []
        self._setup_ui()

    # ---- public ----------------------------------------------------------------------------------
    def scope(self) -> tuple[str, int | None]:
        return self._scope

    def set_scope(self, scope: str, collection_id: int | None = None) -> None:
        self._scope = (scope, collection_id)
        self._select_scope_item()

    def section(self, key: str) -> QTreeWidgetItem:
        return self._sections[key]

    def find_item(self, kind: str, value: object = None, field: str | None = None) -> QTreeWidgetItem | None:
        """The item of a scope ("all", "trash", "collection") or filter (kind "filter" + field)."""
        for item in self._all_items():
            data = item.data(0, KIND_ROLE)
            if not data:
                continue
            if kind == "filter" and data[0] == "filter" and data[1] == field and data[2] == value:
                return item
            if kind != "filter" and data[0] == kind and (value is None or (len(data) > 1 and data[1] == value)):
                return item
        return None

    def set_counts(
        self,
        search: Search,
        facets: Mapping[str, Sequence[FacetValue]],
        dates: DateCounts,
        collections: Sequence[Collection],
        total: int,
        trash: int,
    ) -> None:
        """Refill every section from fresh counts; filters in `search` show as checked."""
        self._updating = True
        scroll = self.verticalScrollBar().value()
        try:
            self._search = search
            self._fill_library(total, trash, facets.get("favourite", ()))
            self._fill_collections(collections)
            self._fill_dates(dates)
            self._fill_ratings(facets.get("rating", ()))
            for field, facet, _title in SECTIONS:
                self._fill_values(field, facets.get(facet, ()))
            self._select_scope_item()
        finally:
            self._updating = False
        self.verticalScrollBar().setValue(scroll)

    def set_libraries(self, entries: Sequence[tuple[str, str, str]], current: str) -> None:
        """Show the Libraries section (hidden until called): (key, label, note) per library, the
        one this page shows marked. A note says e.g. "offline, showing what is cached"."""
        section = self._sections["libraries"]
        self._updating = True
        try:
            self._clear(section)
            for key, label, note in entries:
                item = self._child(section, label, None, ("library", key))
                item.setText(1, note)
                if key == current:
                    font = QFont(item.font(0))
                    font.setWeight(QFont.Weight.DemiBold)
                    item.setFont(0, font)
                    item.setToolTip(0, f"This page shows {label}.")
                else:
                    item.setToolTip(0, f"Show {label}.")
            section.setHidden(False)
            section.setExpanded(True)
        finally:
            self._updating = False

    def set_saved_searches(self, entries: Sequence[tuple[str, str, int | None]]) -> None:
        """The saved searches with their counts (None: the query has a mistake) and a way to add one."""
        self._saved_entries = list(entries)
        self._fill_saved()

    def set_smart_collections(self, entries: Sequence[tuple[str, str | None, int | None, str]]) -> None:
        """The built-in smart collections (Last import, This batch, Picked) with their counts, above
        the saved searches; one with nothing to show yet (no query) is greyed, its hint says why."""
        self._smart_entries = list(entries)
        self._fill_saved()

    def _fill_saved(self) -> None:
        self._updating = True
        try:
            section = self._sections["saved"]
            self._clear(section)
            for name, query, count, hint in self._smart_entries:
                item = self._child(section, name, count if query else None, ("smart", name, query or ""))
                item.setToolTip(0, hint)
                if not query:
                    item.setForeground(0, QBrush(theme.color("placeholder_fg")))
            for name, query, count in self._saved_entries:
                item = self._child(section, name, count, ("saved", name, query))
                item.setToolTip(0, query)
            add = self._child(section, "Save the current search…", None, ("save-search",))
            add.setForeground(0, QBrush(theme.color("muted")))
        finally:
            self._updating = False

    def edit_collection(self, collection_id: int) -> None:
        item = self.find_item(SCOPE_COLLECTION, collection_id)
        if item is not None:
            self.scrollToItem(item)
            self.editItem(item, 0)

    # ---- building --------------------------------------------------------------------------------
    def _setup_ui(self) -> None:
        self.setObjectName("library-filters")
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setIndentation(12)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        for key, title in (("libraries", "Libraries"), ("library", "Library"), ("saved", "Smart collections"),
                           ("collections", "Collections"),
                           ("date", "Date"),
                           ("rating", "Rating"), *((f, t) for f, _facet, t in SECTIONS)):
            item = QTreeWidgetItem(self, [title, ""])
            item.setFont(0, bold)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setData(0, KIND_ROLE, ("section", key))
            self._sections[key] = item
        for key in ("library", "saved", "collections", "date", "rating", "op"):
            self._sections[key].setExpanded(True)
        self._sections["libraries"].setHidden(True)  # shown when there is more than one library
        self.itemClicked.connect(self._on_clicked)
        self.itemChanged.connect(self._on_changed)
        self.setToolTip("Click a filter to add it to the search; click again to remove it.\n"
                        "Drop images on a collection to add them to it.")

    def _all_items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is None:
                continue
            out.append(item)
            stack.extend(item.child(i) for i in range(item.childCount()))
        return out

    def _child(self, parent: QTreeWidgetItem, label: str, count: int | None, data: tuple[Any, ...],
               checked: bool | None = None) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [label, "" if count is None else f"{count:,}"])
        item.setData(0, KIND_ROLE, data)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(1, QBrush(theme.color("muted")))
        if checked is not None:
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if count == 0 and not checked:
            item.setForeground(0, QBrush(theme.color("placeholder_fg")))
        return item

    def _clear(self, section: QTreeWidgetItem) -> None:
        for item in section.takeChildren():
            del item

    def _fill_library(self, total: int, trash: int, favourites: Sequence[FacetValue]) -> None:
        section = self._sections["library"]
        self._clear(section)
        self._child(section, "All images", total, (SCOPE_ALL,))
        fav_count = sum(f.count for f in favourites if f.value)
        self._child(section, "Favourites", fav_count, ("favourite",), checked=self._search.query.favourite is True)
        self._child(section, "Trash", trash, (SCOPE_TRASH,))

    def _fill_collections(self, collections: Sequence[Collection]) -> None:
        section = self._sections["collections"]
        expanded = {item.data(0, KIND_ROLE)[1] for item in self._all_items()
                    if (item.data(0, KIND_ROLE) or ("",))[0] == SCOPE_COLLECTION and item.isExpanded()}
        self._clear(section)
        items: dict[int, QTreeWidgetItem] = {}
        pending = list(collections)
        for _ in range(len(pending) + 1):  # parents before children, whatever the order given
            rest = []
            for c in pending:
                parent = section if c.parent_id is None else items.get(c.parent_id)
                if parent is None:
                    rest.append(c)
                    continue
                item = self._child(parent, c.name, c.count, (SCOPE_COLLECTION, c.id))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDropEnabled)
                item.setToolTip(0, f"{c.name}: {c.count:,} images. Drop images here to add them.")
                items[c.id] = item
                if c.id in expanded:
                    item.setExpanded(True)
            pending = rest
            if not pending:
                break
        new = QTreeWidgetItem(section, ["New collection…", ""])
        new.setData(0, KIND_ROLE, ("new-collection",))
        new.setFlags(Qt.ItemFlag.ItemIsEnabled)
        new.setForeground(0, QBrush(theme.color("link")))

    def _fill_dates(self, dates: DateCounts) -> None:
        section = self._sections["date"]
        self._clear(section)
        active = {t.values[0] for t in self._search.terms if t.field == "date" and t.values}
        for key, label in DATES:
            self._child(section, label, getattr(dates, key), ("date", key), checked=key in active)

    def _fill_ratings(self, ratings: Sequence[FacetValue]) -> None:
        section = self._sections["rating"]
        self._clear(section)
        by_value = {int(f.value or 0): f.count for f in ratings}
        active = {t.values[0] for t in self._search.terms if t.field == "rating" and t.values}
        for key, label in RATINGS:
            if key == "0":
                count = by_value.get(0, 0)
                is_on = "=0" in active or "<=0" in active or "<1" in active
            else:
                n = int(key[2:])
                count = sum(c for v, c in by_value.items() if v >= n)
                is_on = key in active or (n == 5 and "=5" in active)
            self._child(section, label, count, ("rating", key), checked=is_on)

    def _fill_values(self, field: str, values: Sequence[FacetValue]) -> None:
        section = self._sections[field]
        self._clear(section)
        facet = next(f for k, f, _t in SECTIONS if k == field)
        shown = list(values)[:MAX_VALUES]
        # Filters in use stay visible even when nothing matches them now.
        present = {v.value for v in shown}
        for term in self._search.terms:
            if term.field == field and not term.negated:
                for v in term.values:
                    if v not in present:
                        shown.append(FacetValue(v, 0))
                        present.add(v)
        active = False
        for fv in shown:
            on = self._search.active(facet, fv.value)
            active = active or on
            self._child(section, value_label(field, fv.value), fv.count, ("filter", field, fv.value), checked=on)
        section.setText(1, "" if shown else "–")
        if active:
            section.setExpanded(True)

    def _select_scope_item(self) -> None:
        scope, cid = self._scope
        item = self.find_item(scope, cid)
        if item is not None:
            self.setCurrentItem(item)

    # ---- events ----------------------------------------------------------------------------------
    def _on_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        data = item.data(0, KIND_ROLE)
        if not data or self._updating:
            return
        kind = data[0]
        if kind == "section":
            item.setExpanded(not item.isExpanded())
        elif kind == "library":
            self.library_chosen.emit(str(data[1]))
        elif kind in (SCOPE_ALL, SCOPE_TRASH):
            self._scope = (kind, None)
            self.scope_changed.emit(kind, None)
        elif kind == SCOPE_COLLECTION:
            self._scope = (SCOPE_COLLECTION, int(data[1]))
            self.scope_changed.emit(SCOPE_COLLECTION, int(data[1]))
        elif kind == "new-collection":
            self.create_collection_requested.emit(None)
        elif kind == "saved" or (kind == "smart" and data[2]):
            self.saved_search_chosen.emit(str(data[2]))
        elif kind == "save-search":
            self.save_search_requested.emit()
        elif kind == "favourite":
            on = item.checkState(0) != Qt.CheckState.Checked
            item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.favourites_toggled.emit(on)
        elif kind in ("date", "rating"):
            on = item.checkState(0) != Qt.CheckState.Checked
            (self.date_chosen if kind == "date" else self.rating_chosen).emit(data[1] if on else "")
        elif kind == "filter":
            on = item.checkState(0) != Qt.CheckState.Checked
            item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.filter_toggled.emit(data[1], data[2], on)

    def _on_changed(self, item: QTreeWidgetItem, column: int) -> None:
        data = item.data(0, KIND_ROLE)
        if self._updating or column != 0 or not data or data[0] != SCOPE_COLLECTION:
            return
        name = " ".join(item.text(0).split())
        if name:
            self.rename_collection_requested.emit(int(data[1]), name)

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        data = item.data(0, KIND_ROLE) if item is not None else None
        menu = QMenu(self)
        if data and data[0] == "saved":
            name = str(data[1])
            menu.addAction("Rename…", lambda: self._ask_rename_saved(name))
            menu.addAction("Delete saved search", lambda: self.delete_saved_search_requested.emit(name))
            menu.popup(self.viewport().mapToGlobal(pos))
            return
        if data and data[0] == SCOPE_COLLECTION:
            cid = int(data[1])
            menu.addAction("New sub-collection", lambda: self.create_collection_requested.emit(cid))
            rename = QAction("Rename", menu)
            target = item
            rename.triggered.connect(lambda: self.editItem(target, 0) if target is not None else None)
            menu.addAction(rename)
            menu.addSeparator()
            menu.addAction("Delete collection (images stay)", lambda: self.delete_collection_requested.emit(cid))
        else:
            menu.addAction("New collection", lambda: self.create_collection_requested.emit(None))
        menu.popup(self.viewport().mapToGlobal(pos))

    def _ask_rename_saved(self, name: str) -> None:
        new, ok = QInputDialog.getText(self, "Rename saved search", "Name:", text=name)
        if ok and new.strip() and new != name:
            self.rename_saved_search_requested.emit(name, new)

    # ---- drops -----------------------------------------------------------------------------------
    def _collection_at(self, pos: QPoint) -> int | None:
        item = self.itemAt(pos)
        data = item.data(0, KIND_ROLE) if item is not None else None
        return int(data[1]) if data and data[0] == SCOPE_COLLECTION else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(IDS_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        pos = event.position().toPoint()
        if event.mimeData().hasFormat(IDS_MIME) and self._collection_at(pos) is not None:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            item = self.itemAt(pos)
            if item is not None:
                self.setCurrentItem(item)
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        cid = self._collection_at(event.position().toPoint())
        mime = event.mimeData()
        if cid is None or not mime.hasFormat(IDS_MIME):
            event.ignore()
            return
        try:
            ids = [int(i) for i in json.loads(bytes(mime.data(IDS_MIME).data()).decode())]
        except (ValueError, TypeError):
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self._select_scope_item()
        self.images_dropped.emit(cid, ids)
