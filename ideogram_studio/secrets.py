"""Where the API key lives: the OS keyring only (Secret Service, Keychain, Credential Locker).

`IDEOGRAM_API_KEY` in the environment is the one fallback, for scripts and for systems without a
keyring backend; it is read, never written. Nothing here writes the key to a file or a log.
`keyring` is imported lazily: it costs ~100 ms at start-up.
"""

from __future__ import annotations

import os
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Protocol

SERVICE = "ideogram-studio"
ACCOUNT = "api-key"
ENV_VAR = "IDEOGRAM_API_KEY"


class SecretStoreError(Exception):
    """The keyring is missing, locked or refused; the message says what to do."""


class KeyringLockedError(SecretStoreError):
    """The keyring stayed locked: its unlock (or "choose a password") prompt was dismissed."""


#: What a stayed-locked keyring means for each action, in the designer's words.
LOCKED_AT_START = (
    "The keyring stayed locked, so the studio uses the sandbox. Unlock it in Settings to use your key."
)
LOCKED_ON_SAVE = "The keyring stayed locked, so the key was not saved. Save it again and unlock the keyring when asked."
LOCKED_ON_REMOVE = "The keyring stayed locked, so the key was not removed."


@dataclass(frozen=True)
class Peek:
    """What a look into the keyring found without asking the designer anything."""

    #: The key, when it could be read without an unlock prompt.
    key: str | None = field(default=None, repr=False)
    #: A key is saved, but in a locked keyring: reading it would ask to unlock.
    locked: bool = False


class SecretStore(Protocol):
    def get(self) -> str | None: ...
    def set(self, key: str) -> None: ...
    def delete(self) -> None: ...
    def describe(self) -> str: ...


class PeekableStore(SecretStore, Protocol):
    def peek(self) -> Peek: ...
    def unlock(self) -> str | None: ...


class KeyringStore:
    """The OS keyring; `account` names the secret (the API key by default).

    On the Secret Service (GNOME Keyring, KWallet) the calls go through `secretstorage` directly,
    each on its own D-Bus connection closed after it: `keyring` would create the default collection
    ("choose a password") or unlock it just to look, and leaves its connection open when a prompt is
    dismissed. Other backends (Keychain, Credential Locker) go through `keyring` as they are.
    Every call is blocking (it may wait for the designer at a prompt): call it in a worker thread."""

    def __init__(self, account: str = ACCOUNT) -> None:
        self.account = account

    def get(self) -> str | None:
        """The key, unlocking its keyring if needed (that may prompt)."""
        return self.unlock()

    def set(self, key: str) -> None:
        """Store the key; the keyring may ask to be created or unlocked (KeyringLockedError if not)."""
        service = _secret_service_connection()
        if service is None:
            keyring, errors = _keyring()
            try:
                keyring.set_password(SERVICE, self.account, key)
            except errors.KeyringError as exc:
                raise _store_error(exc, LOCKED_ON_SAVE) from None
            return
        import secretstorage

        try:
            with closing(service):
                collection = secretstorage.get_default_collection(service)  # made (a prompt) on a fresh keyring
                if collection.is_locked() and collection.unlock():  # True: the prompt was dismissed
                    raise KeyringLockedError(LOCKED_ON_SAVE)
                collection.create_item(
                    f"Ideogram Studio ({self.account})", self._attributes(), key.encode("utf-8"), replace=True
                )
        except secretstorage.exceptions.SecretStorageException as exc:
            raise _store_error(exc, LOCKED_ON_SAVE) from None

    def delete(self) -> None:
        service = _secret_service_connection()
        if service is None:
            keyring, errors = _keyring()
            try:
                keyring.delete_password(SERVICE, self.account)
            except errors.PasswordDeleteError:
                pass
            except errors.KeyringError as exc:
                raise _store_error(exc, LOCKED_ON_REMOVE) from None
            return
        import secretstorage

        try:
            with closing(service):
                for item in secretstorage.search_items(service, self._query()):
                    if item.is_locked() and item.unlock():
                        raise KeyringLockedError(LOCKED_ON_REMOVE)
                    item.delete()
        except secretstorage.exceptions.SecretStorageException as exc:
            raise _store_error(exc, LOCKED_ON_REMOVE) from None

    def describe(self) -> str:
        keyring, _ = _keyring()
        return type(keyring.get_keyring()).__name__

    def peek(self) -> Peek:
        """Look for the key without any prompt: a fresh keyring is left alone (no collection is
        made), a locked one is only reported."""
        service = _secret_service_connection()
        if service is None:
            return Peek(self._keyring_get())
        import secretstorage

        try:
            with closing(service):
                items = list(secretstorage.search_items(service, self._query()))
                unlocked = [item for item in items if not item.is_locked()]
                if unlocked:
                    return Peek(unlocked[0].get_secret().decode("utf-8") or None)
                return Peek(None, locked=bool(items))
        except secretstorage.exceptions.SecretStorageException as exc:
            raise SecretStoreError(_no_keyring_message(exc)) from None

    def unlock(self) -> str | None:
        """Unlock the keyring holding the key (its own prompt) and read the key; KeyringLockedError
        when the prompt is dismissed. No key saved: None, and nothing is asked."""
        service = _secret_service_connection()
        if service is None:
            return self._keyring_get()
        import secretstorage

        try:
            with closing(service):
                for item in secretstorage.search_items(service, self._query()):
                    if item.is_locked() and item.unlock():  # True: the prompt was dismissed
                        raise KeyringLockedError(LOCKED_AT_START)
                    return item.get_secret().decode("utf-8") or None
        except secretstorage.exceptions.SecretStorageException as exc:
            raise _store_error(exc, LOCKED_AT_START) from None
        return None

    def _query(self) -> dict[str, str]:
        return {"service": SERVICE, "username": self.account}  # as `keyring` writes them, too

    def _attributes(self) -> dict[str, str]:
        return {**self._query(), "application": "Python keyring library"}

    def _keyring_get(self) -> str | None:
        keyring, errors = _keyring()
        try:
            return keyring.get_password(SERVICE, self.account) or None
        except errors.KeyringError as exc:
            raise _store_error(exc, LOCKED_AT_START) from None


class MemoryStore:
    """For tests: keeps the key in memory only."""

    def __init__(self, key: str | None = None) -> None:
        self._key = key

    def get(self) -> str | None:
        return self._key

    def set(self, key: str) -> None:
        self._key = key

    def delete(self) -> None:
        self._key = None

    def describe(self) -> str:
        return "memory"

    def peek(self) -> Peek:
        return Peek(self.get())

    def unlock(self) -> str | None:
        return self.get()


def resolve_key(store: SecretStore | None = None) -> tuple[str | None, str]:
    """The key to use and where it came from: ("…", "keyring"), ("…", "environment") or (None, why)."""
    env = os.environ.get(ENV_VAR, "").strip()
    store = store or KeyringStore()
    try:
        key = store.get()
    except SecretStoreError as exc:
        if env:
            return env, "environment"
        return None, str(exc)
    if key:
        return key, "keyring"
    if env:
        return env, "environment"
    return None, "no key saved"


def _keyring() -> tuple[Any, Any]:
    import keyring
    import keyring.errors

    return keyring, keyring.errors


def _secret_service_connection() -> Any:
    """A D-Bus connection to the Secret Service when `keyring` uses it, else None."""
    keyring, _ = _keyring()
    backend = keyring.get_keyring()
    backends = getattr(backend, "backends", [backend])  # the chainer holds several
    if not any(type(b).__module__ == "keyring.backends.SecretService" for b in backends):
        return None
    import secretstorage

    try:
        return secretstorage.dbus_init()
    except secretstorage.exceptions.SecretStorageException as exc:
        raise SecretStoreError(_no_keyring_message(exc)) from None


def _store_error(exc: Exception, locked_words: str) -> SecretStoreError:
    """The keyring's failure in words: a dismissed prompt is a keyring that stayed locked, not a
    missing keyring (keyring wraps secretstorage's PromptDismissedException in InitError)."""
    causes = {type(exc).__name__, type(exc.__cause__).__name__, type(exc.__context__).__name__}
    if causes & {"KeyringLocked", "PromptDismissedException", "LockedException"}:
        return KeyringLockedError(locked_words)
    return SecretStoreError(_no_keyring_message(exc))


def _no_keyring_message(exc: Exception) -> str:
    """Why the keyring cannot be used, in words (the backend's own words only in the log)."""
    import logging

    logging.getLogger(__name__).info("keyring unusable: %s: %s", type(exc).__name__, exc)
    return (
        "No usable system keyring was found, so the API key cannot be stored safely. Set the "
        f"{ENV_VAR} environment variable instead; the studio never writes the key to a file."
    )
