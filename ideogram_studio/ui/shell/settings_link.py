"""The Settings dialog's place in the window (Ctrl+,): made with the window's key model (a key saved
or removed after the dialog closed still moves the studio), the window's commands for its Shortcuts
page, and wired back: new settings reconnect the client and reach the open forms."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget

from .controller import StudioController
from .key_link import KeyLink
from .settings_dialog import SettingsDialog
from .workspace import Workspace


class SettingsHost(Protocol):
    """What the link needs of the window (the window itself, seen through this)."""

    @property
    def controller(self) -> StudioController: ...
    @property
    def keys(self) -> KeyLink: ...
    @property
    def workspace(self) -> Workspace: ...


def open_settings(window: SettingsHost, parent: QWidget, ui_settings: QSettings) -> SettingsDialog:
    controller = window.controller
    services = controller.services
    dialog = SettingsDialog(
        services.settings, services.secrets, parent, services.settings_path, key_model=window.keys.model,
        shortcuts_of=parent, ui_settings=ui_settings,
    )  # fmt: skip
    dialog.settings_changed.connect(lambda: controller.runner.run(controller.reconnect(), "reconnect"))
    dialog.settings_changed.connect(window.workspace.defaults_changed)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
