"""“My styles”: the style part of a request (style type, preset, codes, palette, style references,
speed, magic prompt) saved under a name and applied in one click — beside Ideogram's presets in the
Style rows. Styles travel as one .idstyle file (images included) so a team can share them.

The library's modules (gallery.styles, and with it the whole gallery package) are imported when a
style is first listed, saved or read, not with the button: every form has one, and the first form is
built before the window takes typing."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QToolButton, QWidget

from ...api.errors import ImageFileError, RequestValidationError
from ...api.images import ImageFile
from ...api.requests import GenerateRequest
from ..common import current_result, theme

if TYPE_CHECKING:
    from ...gallery.styles import Style, StyleLibrary


def file_filter() -> str:
    from ...gallery.styles import FILE_SUFFIX

    return f"Ideogram Studio styles (*{FILE_SUFFIX})"


def form_fields() -> tuple[str, ...]:
    """What the style's fields become in a request form: everything but the references."""
    from ...gallery.styles import STYLE_FIELDS

    return tuple(f for f in STYLE_FIELDS if f != "model")


def default_library() -> StyleLibrary:
    from ...gallery.styles import StyleLibrary
    from ...settings import config_dir

    return StyleLibrary(config_dir())


def style_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The style part of a form's values, as JSON (what a style file keeps)."""
    names = form_fields()
    probe = GenerateRequest(prompt="-", **{k: v for k, v in values.items() if k in names and v is not None})
    data = probe.fields_json()
    return {k: data[k] for k in names if k in data}


def form_values(style: Style) -> dict[str, Any]:
    """A saved style as form values (typed as the request takes them) plus its reference images."""
    names = form_fields()
    fields = {k: v for k, v in style.fields.items() if k in names}
    request = GenerateRequest.from_parts({**fields, "prompt": "-"})
    values: dict[str, Any] = {k: getattr(request, k) for k in names}
    values["style_reference_images"] = tuple(ImageFile.from_path(p) for p in style.references)
    return values


class MyStylesButton(QToolButton):
    #: (sentence, is a problem)
    message = Signal(str, bool)

    def __init__(
        self,
        current: Callable[[], dict[str, Any]],
        apply: Callable[[dict[str, Any]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._current, self._apply = current, apply
        self._library: StyleLibrary | None = None
        self.setText("My styles ▾")
        theme.apply_style(self, "menu-button")  # (no second, corner arrow)
        self.setToolTip(
            "Your own styles: save this style (type, preset, codes, palette, references) and apply it in one click"
        )
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.menu().aboutToShow.connect(self._fill_menu)

    @property
    def library(self) -> StyleLibrary:
        if self._library is None:
            self._library = default_library()
        return self._library

    @library.setter
    def library(self, library: StyleLibrary) -> None:
        self._library = library

    # ---- commands --------------------------------------------------------------------------
    def save_current_as(self, name: str, preview_png: bytes | None = None, style_id: str | None = None) -> Style | None:
        """Keep the form's style part as a style named `name` (with `style_id`: in place of that one)."""
        from ...gallery.errors import GalleryError

        values = self._current()
        fields = style_fields(values)
        refs = [(f.format.lower().replace("jpeg", "jpg"), f.data) for f in values.get("style_reference_images", ())]
        if not fields and not refs:
            self.message.emit("Set a style type, preset, palette, codes or references first.", True)
            return None
        try:
            style = self.library.save(name, fields, preview_png=preview_png, references=refs, style_id=style_id)
        except GalleryError as exc:
            self.message.emit(str(exc), True)
            return None
        self.message.emit(f"Style “{style.name}” {'updated from the form' if style_id else 'saved'}.", False)
        return style

    def update_from_form(self, style_id: str, *_checked: object) -> Style | None:
        """Edit a style: it takes the form's style part now (applied, tweaked, kept); name and preview stay."""
        style = self.library.get(style_id)
        if style is None:
            self.message.emit("That style is no longer there.", True)
            return None
        try:
            preview = style.preview.read_bytes() if style.preview is not None else None
        except OSError:
            preview = None
        return self.save_current_as(style.name, preview, style_id=style.id)

    def use_current_result_as_preview(self, style_id: str, *_checked: object) -> bool:
        """The viewer's current result becomes the style's preview tile."""
        from ...gallery.errors import GalleryError

        png = current_result.preview_png()
        if png is None:
            self.message.emit("Show a result in the viewer first: it becomes the style's preview.", True)
            return False
        try:
            style = self.library.set_preview(style_id, png)
        except GalleryError as exc:
            self.message.emit(str(exc), True)
            return False
        self.message.emit(f"The current result is now the preview of “{style.name}”.", False)
        return True

    def rename(self, style_id: str, name: str) -> Style | None:
        from ...gallery.errors import GalleryError

        try:
            return self.library.rename(style_id, name)
        except GalleryError as exc:
            self.message.emit(str(exc), True)
            return None

    def delete(self, style_id: str, *_checked: object) -> None:
        self.library.delete(style_id)

    def apply(self, style_id: str, *_checked: object) -> bool:
        style = self.library.get(style_id)
        if style is None:
            self.message.emit("That style is no longer there.", True)
            return False
        try:
            values = form_values(style)
        except (RequestValidationError, ImageFileError) as exc:
            self.message.emit(f"The style “{style.name}” cannot be used: {exc}", True)
            return False
        self._apply(values)
        self.message.emit(f"Style “{style.name}” applied.", False)
        return True

    def import_file(self, path: Path) -> Style | None:
        from ...gallery.errors import GalleryError

        try:
            style = self.library.import_bytes(path.read_bytes(), path.name)
        except (OSError, GalleryError) as exc:
            self.message.emit(str(exc), True)
            return None
        self.message.emit(f"Style “{style.name}” imported.", False)
        return style

    def export_file(self, style_id: str, path: Path) -> None:
        from ...gallery.errors import GalleryError

        try:
            path.write_bytes(self.library.export_bytes(style_id))
        except (OSError, GalleryError) as exc:
            self.message.emit(f"Could not export the style: {exc}", True)
            return
        self.message.emit(f"Style exported to {path.name}.", False)

    # ---- the menu --------------------------------------------------------------------------
    def _fill_menu(self) -> None:
        menu = self.menu()
        menu.clear()
        styles = self.library.all()
        for style in styles:
            icon = QIcon(str(style.preview)) if style.preview is not None else QIcon()
            action = menu.addAction(icon, style.name)
            action.setToolTip(json.dumps(dict(style.fields), ensure_ascii=False))
            action.triggered.connect(partial(self.apply, style.id))
        if not styles:
            menu.addAction("No saved styles yet").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Save this style as…", self.ask_save)
        if styles:
            manage = menu.addMenu("Edit, rename, export, delete")
            for style in styles:
                sub = manage.addMenu(style.name)
                sub.addAction("Rename…", partial(self.ask_rename, style.id, style.name))
                sub.addAction("Update from this form", partial(self.update_from_form, style.id))
                sub.addAction("Use current result as preview", partial(self.use_current_result_as_preview, style.id))
                sub.addAction("Export…", partial(self.ask_export, style.id, style.name))
                sub.addAction("Delete", partial(self.delete, style.id))
        menu.addAction("Import a style…", self.ask_import)

    # ---- asking (the menu and the preset picker's Mine tab) ----------------------------------
    def ask_save(self, *_args: object, parent: QWidget | None = None) -> Style | None:
        """Ask a name; the viewer's current result, if any, becomes the preview."""
        name, ok = QInputDialog.getText(parent or self, "Save style", "Name:")
        return self.save_current_as(name, current_result.preview_png()) if ok else None

    def ask_rename(self, style_id: str, old: str, *_args: object, parent: QWidget | None = None) -> None:
        name, ok = QInputDialog.getText(parent or self, "Rename style", "Name:", text=old)
        if ok and name.strip():
            self.rename(style_id, name)

    def ask_export(self, style_id: str, name: str, *_args: object, parent: QWidget | None = None) -> None:
        from ...gallery.styles import FILE_SUFFIX

        path, _ = QFileDialog.getSaveFileName(parent or self, "Export style", f"{name}{FILE_SUFFIX}", file_filter())
        if path:
            self.export_file(style_id, Path(path))

    def ask_import(self, *_args: object, parent: QWidget | None = None) -> None:
        path, _ = QFileDialog.getOpenFileName(parent or self, "Import a style", "", file_filter())
        if path:
            self.import_file(Path(path))
