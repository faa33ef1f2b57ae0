"""The library page's actions with their keys, the one context menu every image shares, and the
Library menu. Each action calls one slot of the page (which forwards it to the session)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from ...gallery.library_source import Capability

if TYPE_CHECKING:
    from .page import LibraryPage


class PageActions:
    """Built once per page; `update(count, in_trash)` enables what fits the selection."""

    def __init__(self, page: LibraryPage) -> None:
        self._page = page
        a = self._action
        p = page
        self.open = a("Open", p._open_current, ["Return", "Enter"], repeat=False)
        self.preview = a("Large preview", p.toggle_preview, ["Space"], repeat=False)
        self.favourite = a("Favourite", p.toggle_favourite, [".", "F"], repeat=False, tip="Mark or unmark as favourite")
        self.ratings = [a("No rating" if n == 0 else "★" * n, functools.partial(p.rate, n), [str(n)]) for n in range(6)]
        # Culling as in Lightroom (and the studio's viewer and strip): P pick, X reject, U unflag.
        self.flags = [
            a("Pick", functools.partial(p.set_flag, 1), ["P"], repeat=False),
            a("Reject", functools.partial(p.set_flag, -1), ["X"], repeat=False),
            a("Unflag", functools.partial(p.set_flag, 0), ["U"], repeat=False),
        ]
        self.trash = a("Move to Trash", p.trash_selection, ["Delete"], repeat=False,
                       tip="Move to the Trash (Ctrl+Z brings it back)")
        self.restore = a("Restore from Trash", p.restore_selection, ["Ctrl+Shift+R"], repeat=False)
        self.purge = a("Delete for good…", p.purge_selection, ["Shift+Delete"], repeat=False)
        self.copy_prompt = a("Copy prompt", p.copy_prompt, ["Ctrl+C"])
        self.copy_seed = a("Copy seed", p.copy_seed, ["Ctrl+Shift+C"])
        self.reuse = a("Reuse settings", p._reuse_current, ["Ctrl+Shift+U"])
        self.reproduce = a("Reproduce", functools.partial(p._again_current, False),
                           tip="Make this image again: the same prompt (the caption used), the same seed")
        self.vary = a("Vary", functools.partial(p._again_current, True),
                      tip="A new image from the same prompt (the caption used), with a new seed")
        self.describe = a("Describe", p._describe_current)
        self.describe_layout = a("Describe as a layout (Ideogram 4)", p._describe_layout_current,
                                 tip="The image as a structured prompt (background, elements with boxes, "
                                     "palette) to generate from in Ideogram 4.5")
        self.upscale = a("Upscale…", p._open_upscale, ["Ctrl+U"])
        self.remove_background = a("Remove background", p._remove_background_current,
                                   tip="Cut the subject out onto transparency (a new image, linked to this one)")
        self.layerize = a("Layerize text…", functools.partial(p._layers_current, "layerize"),
                          tip="Editable text blocks over a text-free base image (the price is shown first)")
        self.export_psd = a("Export layered PSD…", functools.partial(p._layers_current, "psd"))
        self.export_svg = a("Export SVG with live text…", functools.partial(p._layers_current, "svg"))
        # Exports never carry a source photo's place or camera; this one keeps the studio's request metadata.
        self.export = a("Export with the request metadata…", p.export_selection, ["Ctrl+E"])
        self.export_pixels = a("Export pixels only…", functools.partial(p.export_selection, metadata=False),
                               ["Ctrl+Shift+E"])
        self.show = a("Show in folder", p.show_in_folder)
        self.tag = a("Add tag…", p.detail.tag_edit.setFocus, ["T"])
        self.select_all = a("Select all", p.grid.selectAll, [QKeySequence(QKeySequence.StandardKey.SelectAll)])
        self.clear = a("Clear selection", p.grid.clearSelection, ["Esc"])
        self.search = a("Search", p.focus_search, [QKeySequence(QKeySequence.StandardKey.Find), "/"])
        self.import_files = a("Import files…", functools.partial(p._ask_import, folder=False), ["Ctrl+I"])
        self.import_folder = a("Import folder…", functools.partial(p._ask_import, folder=True))
        self.check = a("Check library", p.check_library)
        self.rebuild = a("Rebuild index", p.rebuild_index)
        self.empty = a("Empty Trash…", p.empty_trash)
        self.new_collection = a("New collection", p._create_collection)
        self.send = [a(label, functools.partial(p._send_current, target)) for target, label in p.send_to_items]
        self.use = [a(label, functools.partial(p._use_current_as, target)) for target, label in p.use_as_items]
        self.undo = p.undo_stack.createUndoAction(p, "Undo")
        self.undo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo = p.undo_stack.createRedoAction(p, "Redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo, self.redo, self.search, self.import_files, self.export, self.export_pixels):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            p.addAction(action)
        # Keys of the grid: answered by the grid while it has the focus (a held key does not repeat
        # what must happen once per press). Undo and redo too: a key that reaches the grid because
        # the window is not the active one (no shortcut matched) still undoes.
        p.grid.set_key_actions([
            self.open, self.preview, self.favourite, *self.ratings, *self.flags, self.trash, self.purge, self.restore,
            self.copy_prompt, self.copy_seed, self.reuse, self.upscale, self.tag, self.clear, self.undo, self.redo,
        ])
        self.context_menu = self._context_menu()
        self.library_menu = self._library_menu()
        self._hide_what_the_source_cannot_do()

    def _action(self, text: str, slot: Callable[[], object], keys: Sequence[str | QKeySequence] = (), *,
                repeat: bool = True, tip: str = "") -> QAction:
        action = QAction(text, self._page)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setAutoRepeat(repeat)
        # Active only while the focus is in the page (the window has shortcuts of its own); the
        # grid's keys are answered by the grid itself (LibraryGrid.set_key_actions).
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        action.setToolTip(f"{tip or text} ({shown})" if shown else tip or text)
        action.triggered.connect(lambda _checked=False: slot())  # (the slots take no `checked`)
        return action

    def _context_menu(self) -> QMenu:
        """One context menu for every image, built once."""
        menu = QMenu(self._page)
        menu.setObjectName("library-menu")
        menu.addAction(self.open)
        menu.addAction(self.preview)
        menu.addSeparator()
        menu.addAction(self.favourite)
        rating = menu.addMenu("Rating")
        for action in self.ratings[1:] + self.ratings[:1]:
            rating.addAction(action)
        self.flag_menu = menu.addMenu("Pick or reject")
        self.flag_menu.addActions(self.flags)
        menu.addAction(self.tag)
        self.collection_menu = menu.addMenu("Add to collection")
        self.collection_menu.aboutToShow.connect(self._fill_collection_menu)
        menu.addSeparator()
        for action in (self.copy_prompt, self.copy_seed, self.reuse, self.reproduce, self.vary):
            menu.addAction(action)
        send = menu.addMenu("Send to")
        for action in self.send:
            send.addAction(action)
        use = menu.addMenu("Use as")
        for action in self.use:
            use.addAction(action)
        menu.addAction(self.describe)
        menu.addAction(self.describe_layout)
        menu.addAction(self.upscale)
        menu.addAction(self.remove_background)
        menu.addAction(self.layerize)
        menu.addSeparator()
        menu.addAction(self.export)
        menu.addAction(self.export_pixels)
        menu.addAction(self.export_psd)
        menu.addAction(self.export_svg)
        menu.addAction(self.show)
        menu.addSeparator()
        for action in (self.trash, self.restore, self.purge):
            menu.addAction(action)
        return menu

    def _library_menu(self) -> QMenu:
        library = QMenu(self._page)
        for action in (self.import_files, self.import_folder, self.export, self.export_pixels, self.select_all):
            library.addAction(action)
        library.addSeparator()
        library.addAction(self.new_collection)
        library.addSeparator()
        for action in (self.check, self.rebuild, self.empty):
            library.addAction(action)
        library.addSeparator()
        library.addAction(self.undo)
        library.addAction(self.redo)
        return library

    def _fill_collection_menu(self) -> None:
        menu = self.collection_menu
        menu.clear()
        collections = self._page.session.collections()
        if not collections:
            menu.addAction("No collections yet").setEnabled(False)
        for c in collections:
            menu.addAction(c.name, functools.partial(self._page._add_targets_to, c.id))
        menu.addSeparator()
        menu.addAction(self.new_collection)

    def _hide_what_the_source_cannot_do(self) -> None:
        can = self._page.session.can
        hidden: list[QAction] = []
        if not can(Capability.FAVOURITE):
            hidden.append(self.favourite)
        if not can(Capability.RATING):
            hidden += self.ratings
        if not can(Capability.FLAG):
            hidden += [*self.flags, self.flag_menu.menuAction()]
        self._page.detail.culling.set_flag_available(can(Capability.FLAG))
        self._page.detail.culling.set_rating_available(can(Capability.RATING))
        self._page.detail.culling.set_favourite_available(can(Capability.FAVOURITE))
        if not can(Capability.TAGS):
            hidden.append(self.tag)
        if not can(Capability.COLLECTIONS):
            hidden += [self.new_collection, self.collection_menu.menuAction()]
        if not can(Capability.TRASH):
            hidden += [self.trash, self.restore, self.purge, self.empty]
        if not can(Capability.FILES):
            hidden.append(self.show)
        if self._page.session.source.maintenance() is None:
            hidden += [self.import_files, self.import_folder, self.export, self.export_pixels, self.check,
                       self.rebuild]
        for action in hidden:
            action.setVisible(False)
            action.setEnabled(False)

    def update(self, one: bool, in_trash: bool) -> None:
        """Enable what applies to the selection (`one`: at least one image) and the scope."""
        for action in (self.open, self.preview, self.copy_prompt, self.copy_seed, self.reuse, self.reproduce,
                       self.vary, self.describe, self.describe_layout, self.upscale, self.remove_background,
                       self.layerize, self.export_psd, self.export_svg, self.show, *self.send, *self.use,
                       self.favourite,
                       *self.ratings, *self.flags, self.tag,
                       self.export, self.export_pixels):
            action.setEnabled(one and action.isVisible())
        can_trash = self._page.session.can(Capability.TRASH)
        self.trash.setEnabled(one and not in_trash and can_trash)
        self.trash.setVisible(not in_trash and can_trash)
        self.restore.setEnabled(one and in_trash)
        self.restore.setVisible(in_trash)
        self.purge.setEnabled(one and in_trash)
        self.purge.setVisible(in_trash)
