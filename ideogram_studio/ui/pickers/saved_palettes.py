"""“My palettes”: the designer's saved palettes under the palette picker — apply one in a click,
save the current palette under a name, rename, reorder, delete, and exchange them as our JSON or
Adobe Swatch Exchange (.ase) with the design tools that speak it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QToolButton, QWidget

from ...api.palette import ColorPalette
from ...imaging.palette_files import (
    NamedPalette,
    PaletteFileError,
    PaletteStore,
    palettes_to_ase,
    palettes_to_json,
)
from ..common import theme

FILE_FILTER = "Palettes (*.json *.ase);;Adobe Swatch Exchange (*.ase);;Ideogram Studio palettes (*.json)"


def default_store() -> PaletteStore:
    from ...settings import config_dir

    return PaletteStore(config_dir() / "palettes.json")


class SavedPalettesButton(QToolButton):
    #: A sentence for the picker's message line: (text, is a problem).
    message = Signal(str, bool)

    def __init__(
        self,
        current: Callable[[], ColorPalette | None],
        apply: Callable[[ColorPalette], None],
        icon: Callable[[ColorPalette], QIcon],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._current, self._apply, self._icon = current, apply, icon
        self._store: PaletteStore | None = None
        self.setText("My palettes ▾")
        theme.apply_style(self, "menu-button")  # (no second, corner arrow)
        self.setToolTip("Your saved palettes: apply, save, rename, reorder, import and export (.json, .ase)")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self._fill_menu)

    @property
    def store(self) -> PaletteStore:
        if self._store is None:
            self._store = default_store()
        return self._store

    @store.setter
    def store(self, store: PaletteStore) -> None:
        self._store = store

    # ---- commands (the menu's dialogs end here; tests call them directly) -----------------------
    def save_current_as(self, name: str) -> bool:
        palette, name = self._current(), " ".join(name.split())
        if palette is None or not name:
            self.message.emit("Choose a preset or custom colours first, then save them under a name.", True)
            return False
        self.store.add(NamedPalette(name, palette))
        self.message.emit(f"Palette “{name}” saved.", False)
        return True

    def apply(self, name: str, *_checked: object) -> None:
        found = next((p for p in self.store.load() if p.name == name), None)
        if found is not None:
            self._apply(found.palette)

    def import_palettes(self, path: Path) -> None:
        try:
            added, _ = self.store.import_file(path)
        except PaletteFileError as exc:
            self.message.emit(str(exc), True)
            return
        notes = "".join(f" {n}." for n in sorted({n for p in added for n in p.notes}))
        self.message.emit(f"{len(added)} palette(s) imported from {path.name}.{notes}", False)

    def export_palettes(self, path: Path) -> None:
        palettes = self.store.load()
        try:
            data = palettes_to_ase([p for p in palettes if p.palette.members]) if path.suffix.lower() == ".ase" else (
                palettes_to_json(palettes).encode()
            )
            path.write_bytes(data)
        except (OSError, PaletteFileError) as exc:
            self.message.emit(f"Could not export the palettes: {exc}", True)
            return
        self.message.emit(f"{len(palettes)} palette(s) exported to {path.name}.", False)

    # ---- the menu --------------------------------------------------------------------------
    def _fill_menu(self) -> None:
        menu = self.menu()
        menu.clear()
        saved = self.store.load()
        for p in saved:
            action = menu.addAction(self._icon(p.palette), p.name)
            action.triggered.connect(partial(self.apply, p.name))
        if not saved:
            menu.addAction("No saved palettes yet").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Save current palette as…", self._ask_save)
        if saved:
            manage = menu.addMenu("Rename, reorder, delete")
            for p in saved:
                sub = manage.addMenu(p.name)
                sub.addAction("Rename…", partial(self._ask_rename, p.name))
                sub.addAction("Move up", partial(self.store.move, p.name, -1))
                sub.addAction("Move down", partial(self.store.move, p.name, 1))
                sub.addAction("Delete", partial(self.store.remove, p.name))
        menu.addSeparator()
        menu.addAction("Import palettes (.json, .ase)…", self._ask_import)
        menu.addAction("Export my palettes…", self._ask_export).setEnabled(bool(saved))

    def _ask_save(self) -> None:
        name, ok = QInputDialog.getText(self, "Save palette", "Name:")
        if ok:
            self.save_current_as(name)

    def _ask_rename(self, old: str) -> None:
        name, ok = QInputDialog.getText(self, "Rename palette", "Name:", text=old)
        if ok and name.strip():
            self.store.rename(old, " ".join(name.split()))

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import palettes", "", FILE_FILTER)
        if path:
            self.import_palettes(Path(path))

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export my palettes", "palettes.ase", FILE_FILTER)
        if path:
            self.export_palettes(Path(path))
