"""Putting a stored image into a mode: the "Send to…" menu of a result (the viewer's and the strip's
context menu), and each "Send to…" / "Use as…" target of modes/registry.py, which switches to the
mode that took the image. The window's methods of the same names call these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..modes import registry
from ..modes.registry import IntakeKind

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu, QStatusBar

    from ...api.images import ImageFile
    from ..modes.mode_panel import ModePanel
    from .controller import StudioController


class SendHost(Protocol):
    """What sending an image asks of the window (MainWindow)."""

    @property
    def controller(self) -> StudioController: ...

    def mode_panel(self, mode_id: str) -> ModePanel: ...

    def made_panel(self, mode_id: str) -> ModePanel | None: ...

    def current_mode(self) -> str: ...

    def set_mode(self, mode: str) -> None: ...

    def show_canvas(self, canvas: bool) -> None: ...

    def place_image(self, target: str, image: ImageFile, origin_hash: str | None = None) -> bool: ...

    def statusBar(self) -> QStatusBar: ...


def send_menu(window: SendHost, image_hash: str) -> QMenu:
    """The "Send to…" menu for a stored image."""
    from PySide6.QtWidgets import QMenu, QWidget

    assert isinstance(window, QWidget)
    menu = QMenu(window)
    menu.addAction("Remove background").triggered.connect(lambda: window.controller.remove_background(image_hash))
    menu.addSeparator()
    references = False
    for _mode, intake in registry.targets():
        if not intake.is_source and not references:
            menu.addSeparator()
            references = True
        action = menu.addAction(intake.menu_text())
        action.setData(intake.key)
        action.triggered.connect(lambda _checked=False, t=intake.key: send_image_to(window, t, image_hash))
    return menu


def send_image_to(window: SendHost, target: str, image_hash: str) -> None:
    """Load a stored image into a mode (a target of modes/registry.py) and switch to it."""

    async def send() -> None:
        image = await window.controller.load_image_file(image_hash)
        window.place_image(target, image, image_hash)

    window.controller.runner.run(send(), "send-to")


def place_image(window: SendHost, target: str, image: ImageFile, origin_hash: str | None = None) -> bool:
    """Put an image where a "Send to…" / "Use as…" target says; switches to the mode that took it."""
    found = registry.target(target)
    if found is None:
        raise KeyError(f"no mode takes the target {target!r}")
    mode, intake = found
    if intake.kind is IntakeKind.CHARACTER:
        ok = window.mode_panel(mode.id).set_character(image)
        window.set_mode(mode.id)
        window.statusBar().showMessage(f"The image is the face to use in {mode.name}", 5000)
        return ok
    if intake.kind is IntakeKind.STYLE_REFERENCE:
        current = window.made_panel(window.current_mode())
        added = current is not None and current.add_style_reference(image)
        if not added:
            window.set_mode(mode.id)
            added = window.mode_panel(mode.id).add_style_reference(image)
        window.statusBar().showMessage("Added as a style reference" if added else "The style references are full", 5000)
        return added
    panel = window.mode_panel(mode.id)
    window.set_mode(mode.id)
    ok = panel.set_source(image, origin_hash)
    if ok:
        window.show_canvas(True)
    window.statusBar().showMessage(
        f"Sent to {mode.name}" if ok else f"{mode.name} could not use the image (see the panel)", 5000
    )
    return ok
