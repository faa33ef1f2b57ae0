"""The API key's view-model: where the key is, and saving or removing it, with every keyring call
in a worker thread. A keyring can take seconds (the Secret Service may first ask the designer to
unlock it), so the GUI thread never waits on one: the model says it is busy, and reports back.

The window owns one model for the life of the studio, so a save that ends after the Settings
dialog closed still reaches it (``key_changed``); a dialog opened alone makes its own. The key
passes through here on its way to the store and is never kept, logged or put in a message.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from ...secrets import ENV_VAR, KeyringStore, SecretStore, SecretStoreError
from ..common.task_runner import TaskRunner


class KeyState:
    """Where the key is, as the status line shows it."""

    STORED = "stored"  # in the keyring
    ENVIRONMENT = "environment"  # only in IDEOGRAM_API_KEY
    NONE = "none"  # nowhere: the app runs on the sandbox
    UNAVAILABLE = "unavailable"  # no usable keyring
    UNKNOWN = "unknown"  # not asked yet (the first check is running)


@dataclass(frozen=True)
class KeyStatus:
    state: str = KeyState.UNKNOWN
    #: The keyring backend's readable name ("SecretService"), when it answered.
    backend: str = ""
    #: Why the keyring cannot be used (UNAVAILABLE).
    error: str = ""
    #: IDEOGRAM_API_KEY is set in the environment.
    env_set: bool = False


class Busy:
    """What the model is doing, as the dialog says it ("" when idle)."""

    CHECKING = "Checking the system keyring…"
    SAVING = "Saving the key to the system keyring…"
    REMOVING = "Removing the key from the system keyring…"


def probe(store: SecretStore) -> KeyStatus:
    """Ask the store where the key is. Blocking: call it in a worker thread."""
    env_set = bool(os.environ.get(ENV_VAR, "").strip())
    try:
        stored = bool(store.get())
    except SecretStoreError as exc:
        return KeyStatus(KeyState.UNAVAILABLE, error=str(exc), env_set=env_set)
    if stored:
        state = KeyState.STORED
    elif env_set:
        state = KeyState.ENVIRONMENT
    else:
        state = KeyState.NONE
    return KeyStatus(state, backend_name(store), env_set=env_set)


def backend_name(store: SecretStore) -> str:
    """A readable name of the keyring backend: "SecretService", "macOS", "Windows"… Blocking."""
    if isinstance(store, KeyringStore):
        try:
            import keyring

            name = str(keyring.get_keyring().name)
        except Exception:  # any backend oddity: fall back to the store's own description
            name = ""
        if name:
            return name.removesuffix(" Keyring").strip() or name
    try:
        return store.describe()
    except Exception:
        return "unknown backend"


def _store_and_probe(store: SecretStore, key: str) -> KeyStatus:
    store.set(key)
    return probe(store)


def _delete_and_probe(store: SecretStore) -> KeyStatus:
    store.delete()
    return probe(store)


class ApiKeyModel(QObject):
    """The key in the keyring, asked and changed off the GUI thread."""

    #: The status changed (a KeyStatus).
    status_changed = Signal(object)
    #: What the model started doing (a Busy text), or "" when it is done.
    busy_changed = Signal(str)
    #: True: a key was saved; False: it was removed.
    key_changed = Signal(bool)
    #: Saving or removing failed: (what failed, the keyring's reason).
    failed = Signal(str, str)

    def __init__(self, store: SecretStore, runner: TaskRunner | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner or TaskRunner(self)
        self._status = KeyStatus()
        self._busy = ""

    # ---- public ------------------------------------------------------------------------------
    def status(self) -> KeyStatus:
        return self._status

    def busy(self) -> str:
        """What is running ("" when idle)."""
        return self._busy

    def refresh(self) -> bool:
        """Ask the keyring where the key is (status_changed follows). False when busy."""
        return self._start(Busy.CHECKING, self._refresh())

    def save(self, key: str) -> bool:
        """Store the key (key_changed(True) or failed follow). False when busy."""
        return self._start(Busy.SAVING, self._save(key))

    def remove(self) -> bool:
        """Delete the key (key_changed(False) or failed follow). False when busy."""
        return self._start(Busy.REMOVING, self._remove())

    # ---- work ----------------------------------------------------------------------------------
    def _start(self, what: str, work: Coroutine[Any, Any, None]) -> bool:
        if self._busy:
            work.close()  # never started: nothing to clean up
            return False
        self._set_busy(what)
        self._runner.run(work, "api-key")
        return True

    # Busy is cleared when the work ends or fails, never on cancellation (the studio is closing:
    # the model may be gone by the time the coroutine is closed).
    async def _refresh(self) -> None:
        try:
            status = await asyncio.to_thread(probe, self._store)
        except Exception:
            self._set_busy("")  # a bug: the crash handler shows it, the dialog stays usable
            raise
        self._set_busy("")
        self._set_status(status)

    async def _save(self, key: str) -> None:
        store = self._store

        # A closure, not functools.partial: the executor logs its work item's repr at DEBUG level
        # (qasync does), and a partial's repr would show the key.
        def work() -> KeyStatus:
            return _store_and_probe(store, key)

        await self._change(work, True, "The key was not saved.")

    async def _remove(self) -> None:
        await self._change(functools.partial(_delete_and_probe, self._store), False, "The key was not removed.")

    async def _change(self, work: Callable[[], KeyStatus], saved: bool, failure: str) -> None:
        try:
            status = await asyncio.to_thread(work)
        except SecretStoreError as exc:
            self.failed.emit(failure, str(exc))
            # Where the key is now (the keyring may have gone away or been locked meanwhile).
            self._set_busy(Busy.CHECKING)
            await self._refresh()
            return
        except Exception:
            self._set_busy("")
            raise
        self._set_busy("")
        self._set_status(status)
        self.key_changed.emit(saved)

    def _set_busy(self, what: str) -> None:
        if what != self._busy:
            self._busy = what
            self.busy_changed.emit(what)

    def _set_status(self, status: KeyStatus) -> None:
        self._status = status
        self.status_changed.emit(status)
