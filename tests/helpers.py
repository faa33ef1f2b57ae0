"""Helpers shared by every test folder (plain classes and functions; fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SecretService:
    """A private session bus with gnome-keyring's Secret Service on it."""

    bus_address: str
    data_dir: Path  # gnome-keyring keeps its keyring files here (XDG_DATA_HOME/keyrings)
    dbus_pid: int
    keyring_pid: int
