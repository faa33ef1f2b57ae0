"""The key's place in the window: the one `ApiKeyModel` of the studio, and the connection following it.

The studio starts on the environment's key or the sandbox, at once (services.py never asks the
keyring). `start()` then looks into the keyring in the background (app.py calls it once the window
is filled in); whenever the model finds, saves, unlocks or removes a key, the services move to it
(`Services.use_key`) and the sandbox badge follows. A keyring that stayed locked when the stored
key was needed is said in a notice, in words.
"""

from __future__ import annotations

import logging
import os
from typing import Protocol

from PySide6.QtCore import QObject

from ...secrets import ENV_VAR
from .api_key import ApiKeyModel, KeyState, KeyStatus
from .controller import StudioController

log = logging.getLogger(__name__)


class KeyHost(Protocol):
    """What the key link needs of the window (the window itself, seen through this)."""

    @property
    def controller(self) -> StudioController: ...
    def show_notice(self, text: str, detail: str = "") -> None: ...


class KeyLink(QObject):
    def __init__(self, window: KeyHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        controller = window.controller
        self.model = ApiKeyModel(
            controller.services.secrets, controller.runner, self, checker=controller.services.check_key
        )
        self.model.status_changed.connect(self._follow)
        self.model.stayed_locked.connect(self._said_locked)

    def start(self) -> bool:
        """The start's look into the keyring (never a prompt unless a stored key is needed)."""
        return self.model.check_at_start()

    def _follow(self, status: KeyStatus) -> None:
        """Use the stored key when there is one; with none saved, the environment's key or the
        sandbox. A locked or unusable keyring changes nothing: a key in use stays in use."""
        if status.state not in (KeyState.STORED, KeyState.ENVIRONMENT, KeyState.NONE):
            return
        stored = status.key if status.state == KeyState.STORED and status.key else None
        effective = stored or os.environ.get(ENV_VAR, "").strip() or None
        controller = self._window.controller
        if controller.services.uses_key(effective):
            return
        controller.runner.run(controller.use_key(stored, "keyring"), "use-key")

    def _said_locked(self, text: str) -> None:
        log.info("keyring notice: %s", text)
        self._window.show_notice(text)
