"""The context menu of a result, in the viewer and the strip: Copy image, Copy prompt, Save as…,
Export…, Show in library, Compare, Compare with its source, Reproduce (the same image again) and
Vary (the same prompt, a new seed), then the window's Remove background and Send to… items, and
Move to trash.

Every gallery call runs off the GUI thread (TaskRunner); Save as and Export go through the gallery's
export (which leaves out personal metadata): Save as to the file the designer names (replacing it
when the dialog's question was answered yes), Export into a folder; no nested event loop.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from ...gallery import GalleryError
from ..common.image_decode import decode_file
from .layers_menu import add_layer_actions

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from ...services import Services
    from .controller import StudioController
    from .library_link import LibraryLink
    from .results_strip import RecentResultsModel

SINGLE_SHOT = Qt.ConnectionType.SingleShotConnection


class ResultHost(Protocol):
    """What the menu needs of the main window (named here: the window imports this module)."""

    @property
    def services(self) -> Services: ...
    @property
    def controller(self) -> StudioController: ...
    @property
    def library(self) -> LibraryLink: ...
    @property
    def recent_model(self) -> RecentResultsModel: ...

    def statusBar(self) -> QStatusBar: ...

    def send_menu(self, image_hash: str) -> QMenu: ...


def result_menu(host: ResultHost, image_hash: str) -> QMenu:
    """The window's Send to… menu with the result's own commands around it."""
    menu = host.send_menu(image_hash)
    first = menu.actions()[0]  # (the send menu always has Remove background and the modes)
    items = [
        ("Copy image", lambda: _run(host, _copy_image(host, image_hash))),
        ("Copy prompt", lambda: _run(host, _copy_prompt(host, image_hash))),
        ("Save as…", lambda: _run(host, _save_as(host, image_hash, menu.parentWidget()))),
        ("Export…", lambda: _export(host, image_hash, menu.parentWidget())),
        ("Show in library", lambda: _show_in_library(host, image_hash)),
        ("Reproduce", lambda: host.controller.make_again(image_hash)),
        ("Vary", lambda: host.controller.make_again(image_hash, vary=True)),
    ]
    for text, slot in items:
        action = QAction(text, menu)
        action.setObjectName("result-" + text.lower().rstrip("…").replace(" ", "-"))
        action.triggered.connect(slot)
        menu.insertAction(first, action)
    compare = getattr(host, "compare", None)  # (the window's CompareLink: compare_link.py)
    if compare is not None:
        action = QAction("Compare", menu)
        action.setObjectName("result-compare")
        pair = compare.selected_pair(image_hash)
        action.setEnabled(pair is not None)
        action.setToolTip("Compare the two selected results, or this one with the one shown (C)")
        action.triggered.connect(lambda: compare.compare(*pair) if pair else None)
        menu.insertAction(menu.actions()[menu.actions().index(first) - 2], action)  # after Show in library
        source = QAction("Compare with its source", menu)
        source.setObjectName("result-compare-source")
        source.setToolTip("This result beside the image it was made from, as a slider or side by side")
        source.triggered.connect(lambda: compare.compare_with_source(image_hash))
        menu.insertAction(menu.actions()[menu.actions().index(first) - 2], source)
    add_layer_actions(menu, host.controller, host.statusBar().showMessage, image_hash, before=first)
    menu.insertSeparator(first)
    menu.addSeparator()
    trash = menu.addAction("Move to trash")
    trash.setObjectName("result-trash")
    trash.triggered.connect(lambda: _run(host, _trash(host, image_hash)))
    return menu


def _run(host: ResultHost, coro: Coroutine[Any, Any, None]) -> None:
    host.controller.runner.run(coro, "result-menu")


async def _copy_image(host: ResultHost, image_hash: str) -> None:
    path = await asyncio.to_thread(host.services.gallery.path_for, image_hash)
    image = await asyncio.to_thread(decode_file, path)
    if image.isNull():
        host.statusBar().showMessage("This image could not be read to copy it", 6000)
        return
    QGuiApplication.clipboard().setImage(image)
    host.statusBar().showMessage("Image copied", 4000)


async def _copy_prompt(host: ResultHost, image_hash: str) -> None:
    row = await asyncio.to_thread(host.services.gallery.get, image_hash)
    prompt = (row.prompt or "") if row is not None else ""
    if not prompt:
        host.statusBar().showMessage("This image has no prompt to copy", 5000)
        return
    QGuiApplication.clipboard().setText(prompt)
    host.statusBar().showMessage("Prompt copied", 4000)


def _export(host: ResultHost, image_hash: str, parent: QWidget | None) -> QFileDialog:
    """Pick a folder (open(), not exec(): no nested loop), then export the image into it."""
    dialog = QFileDialog(parent, "Export the image to a folder")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dialog.fileSelected.connect(lambda folder: _run(host, _export_to(host, image_hash, Path(folder))))
    dialog.open()
    return dialog


async def _export_to(host: ResultHost, image_hash: str, folder: Path) -> None:
    report = await asyncio.to_thread(host.services.gallery.export, [image_hash], folder)
    if not report.written:
        host.statusBar().showMessage("The image's file is missing: nothing was exported", 6000)
        return
    host.statusBar().showMessage(f"Exported {report.written[0][1].name} to {folder}", 6000)


async def _save_as(host: ResultHost, image_hash: str, parent: QWidget | None) -> None:
    """Ask for a file name (a name by date and size offered; open(), not exec()), then save there."""
    row = await asyncio.to_thread(host.services.gallery.get, image_hash)
    if row is None:
        host.statusBar().showMessage("This image is no longer in the library", 6000)
        return
    ext = {"JPEG": "jpg"}.get(row.format, row.format.lower())
    name = f"Result {row.created_at:%Y-%m-%d %H.%M} {row.width}x{row.height}.{ext}"
    dialog = QFileDialog(parent, "Save the image as", str(Path.home() / name), f"{row.format} image (*.{ext})")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(ext)
    dialog.setObjectName("save-as-dialog")
    dialog.fileSelected.connect(lambda file: _run(host, _save_to(host, image_hash, Path(file), ext)))
    dialog.open()


async def _save_to(host: ResultHost, image_hash: str, target: Path, ext: str) -> None:
    """The gallery's export (no personal metadata) into a folder beside `target`, then moved there:
    the file is whole or not there (the dialog asked before replacing one)."""
    if target.suffix.lower().lstrip(".") not in {ext, "jpeg" if ext == "jpg" else ext}:
        target = target.with_name(target.name + f".{ext}")  # the image's own format, never renamed wrong

    def save() -> Path | None:
        with tempfile.TemporaryDirectory(prefix=".ideogram-save-", dir=target.parent) as folder:
            report = host.services.gallery.export([image_hash], Path(folder))
            if not report.written:
                return None
            os.replace(report.written[0][1], target)
            return target

    try:
        saved = await asyncio.to_thread(save)
    except GalleryError as exc:  # (the export says what went wrong with the folder, in words)
        host.statusBar().showMessage(str(exc), 8000)
        return
    except OSError as exc:
        host.statusBar().showMessage(f"The image could not be saved in {target.parent}: {exc.strerror or exc}", 8000)
        return
    if saved is None:
        host.statusBar().showMessage("The image's file is missing: nothing was saved", 6000)
        return
    host.statusBar().showMessage(f"Saved as {saved}", 6000)


def _show_in_library(host: ResultHost, image_hash: str) -> None:
    link = host.library  # made now if it was not yet (the window makes it on first use)
    link.show_library(True)
    page = link.page
    if not page.select_hash(image_hash) and page.model.rowCount() == 0:
        # A page just made: its first results are on their way; select the image among them.
        page.session.results_shown.connect(lambda _shown: page.select_hash(image_hash), SINGLE_SHOT)


async def _trash(host: ResultHost, image_hash: str) -> None:
    await asyncio.to_thread(host.services.gallery.trash, [image_hash])
    host.recent_model.remove([image_hash])
    host.statusBar().showMessage("Moved to the trash (the library's Trash brings it back)", 6000)
