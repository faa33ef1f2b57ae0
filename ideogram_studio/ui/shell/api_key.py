"""The API key's view-model: where the key is, and saving or removing it, with every keyring call
in a thread of its own (`off_the_gui_thread`: a prompt left open never holds the quit). A keyring
can take seconds (the Secret Service may first ask the designer to unlock it), so the GUI thread
never waits on one: the model says it is busy, and reports back.

Looking never prompts (`SecretStore.peek`: a fresh GNOME keyring is not asked to create its
"login" collection, a locked one is only reported as LOCKED). Only `unlock()` and `save()` may
bring up the keyring's own prompt; a dismissed prompt is said in words (KeyringLockedError).
A saved key is checked without spending (`checker`: a dry-run price quote) and the verdict said.

The window owns one model for the life of the studio, so a save that ends after the Settings
dialog closed still reaches it (``key_changed``); a dialog opened alone makes its own. The key
passes through here on its way to the store and is never kept, logged or put in a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from ...secrets import ENV_VAR, KeyringLockedError, KeyringStore, Peek, SecretStore, SecretStoreError
from ..common.task_runner import TaskRunner

if TYPE_CHECKING:
    from ...api.key_check import KeyCheck

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Asks the API whether it accepts a key (Services.check_key).
KeyChecker = Callable[[str], Awaitable["KeyCheck"]]


class KeyState:
    """Where the key is, as the status line shows it."""

    STORED = "stored"  # in the keyring
    ENVIRONMENT = "environment"  # only in IDEOGRAM_API_KEY
    NONE = "none"  # nowhere: the app runs on the sandbox
    UNAVAILABLE = "unavailable"  # no usable keyring
    LOCKED = "locked"  # a key is saved in a keyring that is locked (reading it asks to unlock)
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
    #: The stored key (STORED), for the connection; never shown, logged or compared.
    key: str = field(default="", repr=False, compare=False)


class Busy:
    """What the model is doing, as the dialog says it ("" when idle)."""

    CHECKING = "Checking the system keyring…"
    UNLOCKING = "Waiting for the keyring to be unlocked…"
    SAVING = "Saving the key to the system keyring…"
    REMOVING = "Removing the key from the system keyring…"


async def off_the_gui_thread(work: Callable[[], T]) -> T:
    """`work()` in a daemon thread of its own, awaited. Not the loop's worker pool: the pool is waited
    for when the loop closes, so a keyring prompt left open would hold the studio's quit until it
    is answered; a daemon thread is left behind instead (the prompt goes with the process)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def deliver(answer: Callable[[], object]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the studio has quit meanwhile
            loop.call_soon_threadsafe(lambda: None if done.done() else answer())

    def run() -> None:
        try:
            result = work()
        except BaseException as exc:  # handed to the awaiting coroutine, raised there
            deliver(functools.partial(done.set_exception, exc))
        else:
            deliver(functools.partial(done.set_result, result))

    threading.Thread(target=run, name="keyring", daemon=True).start()
    return await done


def _peek(store: SecretStore) -> Peek:
    peek = getattr(store, "peek", None)
    return peek() if callable(peek) else Peek(store.get())


def _unlock(store: SecretStore) -> str | None:
    unlock = getattr(store, "unlock", None)
    return unlock() if callable(unlock) else store.get()


def probe(store: SecretStore) -> KeyStatus:
    """Look where the key is, without any prompt. Blocking: call it in a worker thread."""
    env_set = bool(os.environ.get(ENV_VAR, "").strip())
    try:
        found = _peek(store)
    except SecretStoreError as exc:
        return KeyStatus(KeyState.UNAVAILABLE, error=str(exc), env_set=env_set)
    if found.key:
        return KeyStatus(KeyState.STORED, backend_name(store), env_set=env_set, key=found.key)
    if found.locked:
        state = KeyState.LOCKED
    elif env_set:
        state = KeyState.ENVIRONMENT
    else:
        state = KeyState.NONE
    return KeyStatus(state, backend_name(store), env_set=env_set)


def _unlock_and_probe(store: SecretStore) -> KeyStatus:
    _unlock(store)
    return probe(store)


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
    #: Saving, removing or unlocking failed: (what failed, the keyring's reason).
    failed = Signal(str, str)
    #: The keyring stayed locked (its prompt was dismissed) when the studio needed the stored key.
    stayed_locked = Signal(str)
    #: A stored key was checked with the API: (KeyVerdict value, the sentence to show).
    key_checked = Signal(str, str)

    def __init__(
        self,
        store: SecretStore,
        runner: TaskRunner | None = None,
        parent: QObject | None = None,
        *,
        checker: KeyChecker | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner or TaskRunner(self)
        self._checker = checker
        self._status = KeyStatus()
        self._busy = ""
        #: The last check's (verdict, sentence), for a dialog opened after it ended.
        self._check: tuple[str, str] | None = None

    # ---- public ------------------------------------------------------------------------------
    def status(self) -> KeyStatus:
        return self._status

    def busy(self) -> str:
        """What is running ("" when idle)."""
        return self._busy

    def last_check(self) -> tuple[str, str] | None:
        """The last key check's (verdict, sentence), None before any."""
        return self._check

    def refresh(self) -> bool:
        """Look where the key is, never prompting (status_changed follows). False when busy."""
        return self._start(Busy.CHECKING, self._refresh())

    def check_at_start(self) -> bool:
        """The start's look into the keyring, in the background: a stored key is used; a key in a
        locked keyring is needed (no key in the environment), so the keyring asks to be unlocked;
        if it stays locked, `stayed_locked` says so. A fresh keyring is never prompted."""
        return self._start(Busy.CHECKING, self._start_check())

    def unlock(self) -> bool:
        """Ask the keyring to unlock (its own prompt) and read the key. False when busy."""
        return self._start(Busy.UNLOCKING, self._unlock_now())

    def check_key(self) -> bool:
        """Ask the API whether it accepts the stored key (key_checked follows). False when there is
        nothing to check or no checker."""
        key = self._status.key
        if self._checker is None or not key or self._status.state != KeyState.STORED:
            return False
        self._runner.run(self._check_key(key), "api-key-check")
        return True

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
            status = await off_the_gui_thread(functools.partial(probe, self._store))
        except Exception:
            self._set_busy("")  # a bug: the crash handler shows it, the dialog stays usable
            raise
        self._set_busy("")
        self._set_status(status)

    async def _start_check(self) -> None:
        try:
            status = await off_the_gui_thread(functools.partial(probe, self._store))
        except Exception:
            self._set_busy("")
            raise
        log.info("keyring at start: %s", status.state)
        if status.state == KeyState.LOCKED and not status.env_set:
            self._set_status(status)
            self._set_busy(Busy.UNLOCKING)
            await self._unlock_now(at_start=True)
            return
        self._set_busy("")
        self._set_status(status)

    async def _unlock_now(self, at_start: bool = False) -> None:
        try:
            status = await off_the_gui_thread(functools.partial(_unlock_and_probe, self._store))
        except KeyringLockedError as exc:
            log.info("keyring at start: it stayed locked" if at_start else "keyring: it stayed locked")
            self._set_busy(Busy.CHECKING)
            await self._refresh()
            self.stayed_locked.emit(str(exc))
            if not at_start:
                self.failed.emit("", str(exc))
            return
        except SecretStoreError as exc:
            self._set_busy(Busy.CHECKING)
            await self._refresh()
            self.failed.emit("The keyring was not unlocked.", str(exc))
            return
        except Exception:
            self._set_busy("")
            raise
        log.info("keyring: unlocked, %s", status.state)
        self._set_busy("")
        self._set_status(status)

    async def _check_key(self, key: str) -> None:
        assert self._checker is not None
        result = await self._checker(key)
        if self._status.key != key:  # replaced or removed meanwhile: the verdict is of another key
            return
        self._check = (result.verdict.value, result.sentence)
        log.info("key check: %s", result.verdict.value)
        self.key_checked.emit(result.verdict.value, result.sentence)

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
            status = await off_the_gui_thread(work)
        except SecretStoreError as exc:
            # A keyring that stayed locked says all in its own sentence.
            self.failed.emit("" if isinstance(exc, KeyringLockedError) else failure, str(exc))
            # Where the key is now (the keyring may have gone away or been locked meanwhile).
            self._set_busy(Busy.CHECKING)
            await self._refresh()
            return
        except Exception:
            self._set_busy("")
            raise
        self._set_busy("")
        self._check = None
        self._set_status(status)
        self.key_changed.emit(saved)
        if saved:
            self.check_key()

    def _set_busy(self, what: str) -> None:
        if what != self._busy:
            self._busy = what
            self.busy_changed.emit(what)

    def _set_status(self, status: KeyStatus) -> None:
        self._status = status
        self.status_changed.emit(status)
