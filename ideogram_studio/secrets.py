"""Where the API key lives: the OS keyring only (Secret Service, Keychain, Credential Locker).

`IDEOGRAM_API_KEY` in the environment is the one fallback, for scripts and for systems without a
keyring backend; it is read, never written. Nothing here writes the key to a file or a log.
`keyring` is imported lazily: it costs ~100 ms at start-up.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

SERVICE = "ideogram-studio"
ACCOUNT = "api-key"
ENV_VAR = "IDEOGRAM_API_KEY"


class SecretStoreError(Exception):
    """The keyring is missing, locked or refused; the message says what to do."""


class SecretStore(Protocol):
    def get(self) -> str | None: ...
    def set(self, key: str) -> None: ...
    def delete(self) -> None: ...
    def describe(self) -> str: ...


class KeyringStore:
    """The OS keyring through `keyring`; `account` names the secret (the API key by default)."""

    def __init__(self, account: str = ACCOUNT) -> None:
        self.account = account

    def get(self) -> str | None:
        keyring, errors = _keyring()
        try:
            return keyring.get_password(SERVICE, self.account) or None
        except errors.KeyringError as exc:
            raise SecretStoreError(_no_keyring_message(exc)) from None

    def set(self, key: str) -> None:
        keyring, errors = _keyring()
        try:
            keyring.set_password(SERVICE, self.account, key)
        except errors.KeyringError as exc:
            raise SecretStoreError(_no_keyring_message(exc)) from None

    def delete(self) -> None:
        keyring, errors = _keyring()
        try:
            keyring.delete_password(SERVICE, self.account)
        except errors.PasswordDeleteError:
            pass
        except errors.KeyringError as exc:
            raise SecretStoreError(_no_keyring_message(exc)) from None

    def describe(self) -> str:
        keyring, _ = _keyring()
        return type(keyring.get_keyring()).__name__


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


def _no_keyring_message(exc: Exception) -> str:
    return (
        "No usable system keyring was found, so the API key cannot be stored safely "
        f"({type(exc).__name__}). Set the {ENV_VAR} environment variable instead; the studio never "
        "writes the key to a file."
    )
