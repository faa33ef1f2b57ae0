"""Layers in a result's menu (viewer, strip, library): "Layerize text…" — the price asked of the
service and shown first, then a job whose result is the text-free base image with its text blocks —
and "Export layered PSD…" / "Export SVG with live text…" for any stored image (a layerized one gets
a layer per text block; an edit its mask as a hidden layer).

The files are written off the GUI thread by gallery/layered_files.py; a full disk or an unwritable
folder is said in the status bar and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from ...api.requests import Operation
from ...api.v2_requests import V2Request
from ...gallery.layered_files import export_psd, export_svg
from ...imaging.layered_export import LayeredExportError
from ..common.dialogs import ask

if TYPE_CHECKING:
    from .controller import StudioController

#: The service's layerize model (v2 path /v2/design/layerize/ideogram-3).
LAYERIZE_MODEL = "ideogram-3"


#: Says a line in the window's status bar: (text, milliseconds).
Say = Callable[[str, int], None]


def add_layer_actions(
    menu: QMenu, controller: StudioController, say: Say, image_hash: str, before: QAction | None = None
) -> None:
    """The three layer commands, inserted before `before` (an action of `menu`) or at the end."""
    parent = menu.parentWidget()
    items: list[tuple[str, str, Callable[[], object]]] = [
        ("Layerize text…", "result-layerize", lambda: ask_to_layerize(controller, say, image_hash, parent)),
        ("Export layered PSD…", "result-export-psd", lambda: choose_export(controller, image_hash, "psd", say, parent)),
        (
            "Export SVG with live text…",
            "result-export-svg",
            lambda: choose_export(controller, image_hash, "svg", say, parent),
        ),
    ]
    for text, name, slot in items:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(slot)
        if before is not None:
            menu.removeAction(action)
            menu.insertAction(before, action)


def layer_command(controller: StudioController, say: Say, image_hash: str, kind: str, parent: QWidget | None) -> None:
    """One of the three commands by name (the library page asks so): "layerize", "psd" or "svg"."""
    if kind == "layerize":
        ask_to_layerize(controller, say, image_hash, parent)
    else:
        choose_export(controller, image_hash, kind, say, parent)


# ---- layerize ------------------------------------------------------------------------------------------
def ask_to_layerize(controller: StudioController, say: Say, image_hash: str, parent: QWidget | None) -> None:
    """Price first: the service's quote (or the labelled local figure), then the designer decides."""
    say("Asking Ideogram what layerizing costs…", 4000)
    controller.runner.run(_price_then_ask(controller, image_hash, parent), "layerize-quote", replace=True)


async def _price_then_ask(controller: StudioController, image_hash: str, parent: QWidget | None) -> None:
    image = await controller.load_image_file(image_hash)
    request = V2Request.build(Operation.LAYERIZE_TEXT, LAYERIZE_MODEL, {}, {"image": (image,)})
    quote = await controller.services.queue.client.v2.quote_or_estimate(request)
    price = quote.describe() if quote is not None else "no published price"
    text = (
        "Find the text on this image and keep it as separate, editable blocks over a text-free base "
        f"image (font, size and colour matched).\n\nCost: {price}."
    )
    if await ask("Layerize text", text, "Layerize", parent=parent):
        controller.submit(request, False, {"label": "layerize text"})


# ---- export --------------------------------------------------------------------------------------------
def choose_export(controller: StudioController, image_hash: str, kind: str, say: Say, parent: QWidget | None) -> None:
    """Pick where (a save dialog named like the image, opened without a nested loop), then write."""
    controller.runner.run(_choose(controller, image_hash, kind, say, parent), f"choose-{kind}")


async def _choose(controller: StudioController, image_hash: str, kind: str, say: Say, parent: QWidget | None) -> None:
    row = await asyncio.to_thread(controller.services.gallery.get, image_hash)
    # Named by date and size, as the designer knows it (never the hash).
    name = f"Result {row.created_at:%Y-%m-%d %H.%M} {row.width}x{row.height}" if row is not None else "Result"
    title, pattern = {"psd": ("Export layered PSD", "Photoshop document (*.psd)"),
                      "svg": ("Export SVG with live text", "SVG image (*.svg)")}[kind]  # fmt: skip
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    dialog = QFileDialog(parent, title, str(Path(folder) / f"{name}.{kind}"), pattern)
    dialog.setObjectName(f"export-{kind}-dialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(kind)
    dialog.fileSelected.connect(lambda path: export_to(controller, image_hash, kind, Path(path), say))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()


def export_to(controller: StudioController, image_hash: str, kind: str, target: Path, say: Say) -> None:
    controller.runner.run(_export(controller, image_hash, kind, target, say), f"export-{kind}")


async def _export(controller: StudioController, image_hash: str, kind: str, target: Path, say: Say) -> None:
    gallery = controller.services.gallery
    try:
        if kind == "psd":
            layers = await asyncio.to_thread(export_psd, gallery, image_hash, target)
            what = f"{layers} layer{'s' if layers != 1 else ''}"
        else:
            blocks = await asyncio.to_thread(export_svg, gallery, image_hash, target)
            what = f"{blocks} live text block{'s' if blocks != 1 else ''}"
    except LayeredExportError as exc:
        say(exc.message, 10000)
        return
    say(f"Exported {target.name} ({what}) to {target.parent}", 8000)
