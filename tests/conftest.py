"""Root conftest: isolation fixtures only.

- Qt defaults to the ``offscreen`` platform (set before anything imports Qt). End-to-end tests
  that want a real window use ``xcb`` on the Xvfb ``DISPLAY`` that ``scripts/test.sh`` provides.
- Every test gets its own HOME and XDG data/config/cache/state/runtime dirs under ``tmp_path``,
  so no test reads or writes the user's real gallery, settings or caches.
- ``IDEOGRAM_API_KEY`` / ``IDEOGRAM_API_BASE`` are unset unless a test sets them.
- The ``keyring`` library is pinned to its "fail" backend (every call raises
  ``keyring.errors.NoKeyringError``), so no test can reach the desktop's real keyring. Tests that
  need a real Secret Service use the ``secret_service`` fixture; unit tests use a fake store.
- ``artifacts_dir``: where a test saves screenshots (``$IDEOGRAM_TEST_ARTIFACTS`` or tmp).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fresh_keyring import FreshKeyring, stop_process
from tests.helpers import SecretService

SECRET_SERVICE_NAME = "org.freedesktop.secrets"
_FAIL_KEYRING = "keyring.backends.fail.Keyring"
_CLEARED_ENV = ("IDEOGRAM_API_KEY", "IDEOGRAM_API_BASE")


def _reinit_keyring_backend() -> None:
    """Make an already imported ``keyring`` re-detect its backend from the current env."""
    core = sys.modules.get("keyring.core")
    if core is not None:
        core.init_backend()


@pytest.fixture(autouse=True)
def _isolate_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    dirs = {
        "HOME": home,
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_RUNTIME_DIR": tmp_path / "runtime",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(path))
    dirs["XDG_RUNTIME_DIR"].chmod(0o700)  # Qt ignores a runtime dir with looser permissions

    for name in _CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", _FAIL_KEYRING)
    _reinit_keyring_backend()


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A directory for this test's screenshots and other artifacts.

    ``$IDEOGRAM_TEST_ARTIFACTS/<test name>`` when the variable is set (``scripts/test.sh`` sets
    it to ``test-artifacts/``), otherwise a directory under ``tmp_path``.
    """
    root = os.environ.get("IDEOGRAM_TEST_ARTIFACTS")
    if not root:
        path = tmp_path / "artifacts"
    else:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
        path = Path(root) / safe[:150]
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- A real Secret Service (dbus-daemon + gnome-keyring-daemon) --------------------------------


def _bus_names(env: dict[str, str]) -> str:
    result = subprocess.run(
        [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return result.stdout


@pytest.fixture(scope="session")
def _secret_service_daemons(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    for tool in ("dbus-daemon", "dbus-send", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: run scripts/system-deps.sh (dbus, gnome-keyring)")

    base = tmp_path_factory.mktemp("secret-service")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "GNOME_KEYRING"))}
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        path = base / name.lower()
        path.mkdir(mode=0o700)
        env[name] = str(path)

    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    keyring_daemon: subprocess.Popen[bytes] | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        if not address:
            pytest.fail(f"dbus-daemon printed no address (exit code {bus.poll()})")
        env["DBUS_SESSION_BUS_ADDRESS"] = address

        keyring_daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert keyring_daemon.stdin is not None
        keyring_daemon.stdin.write(b"ideogram-test-password")  # no newline: the whole password
        keyring_daemon.stdin.close()

        deadline = time.monotonic() + 15
        while SECRET_SERVICE_NAME not in _bus_names(env):
            if keyring_daemon.poll() is not None:
                pytest.fail(f"gnome-keyring-daemon exited with {keyring_daemon.returncode}")
            if time.monotonic() > deadline:
                pytest.fail(f"{SECRET_SERVICE_NAME} did not appear on the bus within 15 s")
            time.sleep(0.05)

        yield SecretService(
            bus_address=address,
            data_dir=Path(env["XDG_DATA_HOME"]),
            dbus_pid=bus.pid,
            keyring_pid=keyring_daemon.pid,
        )
    finally:
        if keyring_daemon is not None:
            stop_process(keyring_daemon)
        stop_process(bus)


@pytest.fixture
def secret_service(_secret_service_daemons: SecretService, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A real, unlocked Secret Service on a private bus, for this test only.

    Points ``DBUS_SESSION_BUS_ADDRESS`` at the private bus and lets ``keyring`` detect its
    backend again (it finds the SecretService one). The daemons live for the whole session.
    """
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", _secret_service_daemons.bus_address)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    _reinit_keyring_backend()
    yield _secret_service_daemons
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", _FAIL_KEYRING)
    _reinit_keyring_backend()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests using ``secret_service`` get the ``secret_service`` marker (for ``-m``)."""
    for item in items:
        if {"secret_service", "fresh_keyring"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.secret_service)


@pytest.fixture
def fresh_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FreshKeyring]:
    """A private bus for a fresh GNOME keyring (tests/fresh_keyring.py), this process's keyring on it.

    The daemon is not started: the test calls ``start()`` (no keyring yet) or ``store_locked_key()``,
    which point ``keyring`` at it."""
    for tool in ("dbus-daemon", "dbus-send", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: run scripts/system-deps.sh (dbus, gnome-keyring)")
    keyring = FreshKeyring(tmp_path / "fresh-keyring")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", keyring.bus_address)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    try:
        yield keyring
    finally:
        keyring.close()
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", _FAIL_KEYRING)
        _reinit_keyring_backend()
